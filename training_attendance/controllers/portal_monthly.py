from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from .portal import TrainingGuardianPortal


class TrainingGuardianPortalMonthly(TrainingGuardianPortal):
    """The monthly attendance report's PDF, for the child's own guardians only: any other
    report id, or another family's child, answers 404."""

    @http.route(
        "/my/children/<int:student_id>/monthly-report/<int:report_id>",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_child_monthly_report(self, student_id, report_id, **kw):
        child = self._training_child_or_404(student_id)
        report = child._training_portal_monthly_reports(report_id)
        if not report.attachment_id:
            raise NotFound()
        return (
            request.env["ir.binary"]
            ._get_stream_from(report.attachment_id.sudo())
            .get_response(as_attachment=True)
        )
