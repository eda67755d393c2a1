from odoo import models


class TrainingMakeup(models.Model):
    """Make-up satisfaction (seed 000 考核指标): when a make-up is done, the guardian gets
    Odoo's rating e-mail (one click on a face); the rating is stored on the make-up."""

    _name = "training.makeup"
    _inherit = ["rating.mixin", "training.makeup"]

    def write(self, vals):
        newly_done = (
            self.filtered(lambda makeup: makeup.state != "done")
            if vals.get("state") == "done"
            else self.browse()
        )
        result = super().write(vals)
        if newly_done:
            newly_done._send_rating_requests()
        return result

    def _rating_get_partner(self):
        """The guardian who rates: the student's first guardian who receives notifications
        (primary contact first)."""
        self.ensure_one()
        guardians, _langs = self.env["training.monthly.report"]._family(self.student_id)
        return guardians[self.student_id.id][:1]

    def _rating_get_operator(self):
        """The teacher who gave the make-up is rated."""
        self.ensure_one()
        return self.teacher_id.partner_id

    def _send_rating_requests(self):
        template = self.env.ref("training_attendance.mail_template_makeup_rating")
        for makeup in self.sudo():
            if makeup._rating_get_partner().email:
                makeup.rating_send_request(template, force_send=False)
