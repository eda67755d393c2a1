from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request


class TrainingGuardianPortal(CustomerPortal):
    """The guardian portal: "My children" and, per child, the timetable, attendance,
    hours, make-ups, plans and leave requests; a leave filed online.

    Every record is read by ``res.partner._training_portal_*``, with ``sudo()`` below the
    current user's own guardian links: a child of another family answers 404."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "training_children_count" in counters:
            values["training_children_count"] = len(
                request.env["res.partner"]._training_portal_children()
            )
        return values

    def _training_child_or_404(self, student_id):
        child = request.env["res.partner"]._training_portal_child(student_id)
        if not child:
            raise NotFound()
        return child

    @http.route("/my/children", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_children(self, **kw):
        values = self._prepare_portal_layout_values()
        children = request.env["res.partner"]._training_portal_children()
        # the children with an enrolment waiting for this guardian's signature
        to_sign = (
            request.env["training.enrollment"]
            .sudo()
            .search(
                [
                    ("student_id", "in", children.ids),
                    ("state", "=", "review"),
                    ("guardian_id", "=", request.env.user.partner_id.id),
                    ("signed_on", "=", False),
                ]
            )
            .student_id
        )
        values.update({"page_name": "training_children", "children": children, "to_sign": to_sign})
        return request.render("training_attendance.portal_my_children", values)

    @http.route(
        "/my/children/<int:student_id>",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_child(self, student_id, **kw):
        child = self._training_child_or_404(student_id)
        values = self._prepare_portal_layout_values()
        values.update(child._training_portal_values())
        values.update({"page_name": "training_child", "filed": kw.get("filed")})
        return request.render("training_attendance.portal_my_child", values)

    @http.route(
        "/my/children/<int:student_id>/leave",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_child_leave(self, student_id, **post):
        child = self._training_child_or_404(student_id)
        errors, error_message = {}, ""
        if request.httprequest.method == "POST":
            upload = None
            certificate = request.httprequest.files.get("certificate")
            if certificate and certificate.filename:
                upload = (certificate.filename, certificate.mimetype, certificate.read())
            errors = child._training_portal_leave_errors(post, upload)
            if not errors:
                try:
                    leave = child._training_portal_file_leave(post, upload)
                except (UserError, ValidationError) as error:
                    error_message = error.args[0]
                else:
                    return request.redirect(f"/my/children/{child.id}?filed={leave.id}#leaves")
        values = self._prepare_portal_layout_values()
        company = child.sudo().company_id or request.env.company
        values.update(
            {
                "page_name": "training_child_leave",
                "child": child.sudo(),
                "errors": errors,
                "error_message": error_message,
                "form": post,
                "today": fields.Date.to_string(company._training_today()),
                "leave_types": request.env["training.leave.request"]
                ._fields["leave_type"]
                ._description_selection(request.env),
            }
        )
        return request.render("training_attendance.portal_my_child_leave", values)

    # ------------------------------------------------------------------ enrolment
    def _training_enrollment_or_404(self, student_id, enrollment_id):
        child = self._training_child_or_404(student_id)
        enrollment = (
            request.env["training.enrollment"]
            .sudo()
            .search([("id", "=", enrollment_id), ("student_id", "=", child.id)])
        )
        if not enrollment:
            raise NotFound()
        return child, enrollment

    @http.route(
        "/my/children/<int:student_id>/enrollment/<int:enrollment_id>",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_child_enrollment(self, student_id, enrollment_id, message=None, **kw):
        child, enrollment = self._training_enrollment_or_404(student_id, enrollment_id)
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "training_child_enrollment",
                "child": child,
                "enrollment": enrollment,
                "tz": enrollment.company_id._training_tz().zone,
                "can_sign": enrollment._portal_can_sign(partner),
                "message": message,
                # the invoices the guardian reads in /my/invoices: addressed to them
                "invoices": enrollment.invoice_ids.filtered(
                    lambda m: (
                        m.state == "posted"
                        and m.move_type == "out_invoice"
                        and m.partner_id.commercial_partner_id == partner.commercial_partner_id
                    )
                ),
            }
        )
        return request.render("training_attendance.portal_my_child_enrollment", values)

    @http.route(
        "/my/children/<int:student_id>/enrollment/<int:enrollment_id>/sign",
        type="json",
        auth="user",
        website=True,
    )
    def portal_my_child_enrollment_sign(self, student_id, enrollment_id, name=None, signature=None):
        try:
            __, enrollment = self._training_enrollment_or_404(student_id, enrollment_id)
        except NotFound:
            return {"error": request.env._("This enrolment is not yours to sign.")}
        try:
            enrollment.with_user(request.env.user)._portal_sign(
                name, signature, request.httprequest.remote_addr
            )
        except (AccessError, UserError, ValidationError) as error:
            return {"error": error.args[0]}
        return {
            "force_refresh": True,
            "redirect_url": f"/my/children/{student_id}/enrollment/{enrollment_id}?message=sign_ok",
        }

    @http.route(
        "/my/children/<int:student_id>/enrollment/<int:enrollment_id>/contract",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_child_enrollment_contract(self, student_id, enrollment_id, **kw):
        """The signed contract, for the child's guardians only."""
        __, enrollment = self._training_enrollment_or_404(student_id, enrollment_id)
        if not enrollment.signed_on:
            raise NotFound()
        pdf = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "training_attendance.action_report_enrollment_contract", enrollment.ids
            )[0]
        )
        filename = f"{enrollment.name.replace('/', '-')}-signed.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
