from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError, ValidationError
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
        values.update({"page_name": "training_children", "children": children})
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
