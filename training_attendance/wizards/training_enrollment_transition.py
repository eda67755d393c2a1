from odoo import fields, models
from odoo.exceptions import UserError


class TrainingEnrollmentTransition(models.TransientModel):
    """Suspend, resume, transfer, withdraw or complete enrolments, with date and reason."""

    _name = "training.enrollment.transition"
    _description = "Enrolment Transition"

    kind = fields.Selection(
        selection=[
            ("suspend", "Suspend"),
            ("resume", "Resume"),
            ("transfer", "Transfer to another class"),
            ("withdraw", "Withdraw"),
            ("complete", "Complete"),
        ],
        required=True,
    )
    enrollment_ids = fields.Many2many(
        comodel_name="training.enrollment", string="Enrolments", required=True
    )
    company_id = fields.Many2one(related="enrollment_ids.company_id")
    date = fields.Date(required=True, default=lambda self: self.env.company._training_today())
    reason = fields.Text(required=True)
    new_class_id = fields.Many2one(
        comodel_name="training.class",
        string="New class",
        domain="[('company_id', '=', company_id)]",
    )

    def action_confirm(self):
        self.ensure_one()
        enrollments = self.enrollment_ids
        if self.kind == "transfer":
            if not self.new_class_id:
                raise UserError(self.env._("Choose the class the student moves to."))
            enrollments._transfer(self.new_class_id, self.date, self.reason)
        else:
            getattr(enrollments, f"_{self.kind}")(self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
