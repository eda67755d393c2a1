from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..models.training_registration import RELATIONSHIPS


class TrainingRegistrationController(CustomerPortal):
    """The public registration form of a campus (SPEC §2): no partner is created, only a
    ``training.registration`` to review; CSRF, a honeypot and a per-address rate limit
    keep bots out."""

    def _registration_company(self, company_id):
        company = request.env["res.company"].sudo().browse(company_id).exists()
        if not company:
            raise NotFound()
        return company

    def _registration_uploads(self):
        return [
            (upload.filename, upload.read())
            for upload in request.httprequest.files.getlist("documents")
            if upload.filename
        ]

    def _registration_render(self, company, values, errors, registration=None):
        Registration = request.env["training.registration"]
        genders = Registration._fields["gender"]._description_selection(request.env)
        relationships = dict(
            Registration._fields["guardian_relationship"]._description_selection(request.env)
        )
        return request.render(
            "training_attendance.registration_form",
            {
                "company": company,
                # the campus's logo and name in the page's header and footer
                "res_company": company,
                "form": values,
                "errors": errors,
                "registration": registration,
                "genders": genders,
                "relationships": [(key, relationships[key]) for key, __ in RELATIONSHIPS],
                "classes": Registration._form_classes(company),
                "action": request.httprequest.full_path.rstrip("?"),
            },
        )

    @http.route(
        "/training/register/<int:company_id>",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        methods=["GET", "POST"],
    )
    def training_register(self, company_id, **post):
        company = self._registration_company(company_id)
        if request.httprequest.method != "POST":
            return self._registration_render(company, {}, {})
        registration, errors = request.env["training.registration"]._submit_from_form(
            company, post, request.httprequest.remote_addr, uploads=self._registration_uploads()
        )
        if errors:
            return self._registration_render(company, post, errors)
        return request.render(
            "training_attendance.registration_thanks",
            {"company": company, "res_company": company, "registration": registration},
        )

    @http.route(
        "/training/registration/<int:registration_id>",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        methods=["GET", "POST"],
    )
    def training_registration_complete(self, registration_id, access_token=None, **post):
        """The family's link from "Ask the family to complete": the form filled with
        what they gave, and what is missing."""
        try:
            registration = self._document_check_access(
                "training.registration", registration_id, access_token=access_token
            )
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        if registration.state != "incomplete":
            raise NotFound()
        company = registration.company_id
        if request.httprequest.method != "POST":
            values = {
                name: registration[name].id if name == "class_id" else registration[name] or ""
                for name in registration._form_field_names()
            }
            values["birthdate"] = str(registration.birthdate or "")
            return self._registration_render(company, values, {}, registration)
        done, errors = request.env["training.registration"]._submit_from_form(
            company,
            post,
            request.httprequest.remote_addr,
            token_record=registration,
            uploads=self._registration_uploads(),
        )
        if errors:
            return self._registration_render(company, post, errors, registration)
        return request.render(
            "training_attendance.registration_thanks",
            {"company": company, "res_company": company, "registration": done},
        )
