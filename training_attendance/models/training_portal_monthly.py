from odoo import models


class ResPartner(models.Model):
    """The monthly attendance reports sent (``training.monthly.report``, #14) on the
    child's page of the guardian portal (#13)."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _training_portal_values(self):
        values = super()._training_portal_values()
        values["monthly_reports"] = self._training_portal_monthly_reports()
        return values

    def _training_portal_monthly_reports(self, report_id=None):
        """The reports of the child ``self`` (one of the current user's children, see
        ``_training_portal_children``) that have their PDF, newest first (sudo records);
        with ``report_id``, that report only if it is one of them."""
        self.ensure_one()
        domain = [("student_id", "=", self.id), ("attachment_id", "!=", False)]
        if report_id is not None:
            domain.append(("id", "=", report_id))
        return self.env["training.monthly.report"].sudo().search(domain, limit=24)

    def _training_portal_month_label(self, report):
        """The report's month as the reader's language writes it ("2026年10月")."""
        return report._month_label(report.month, self.env.lang)
