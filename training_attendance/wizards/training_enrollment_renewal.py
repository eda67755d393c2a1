from odoo import fields, models


class TrainingEnrollmentRenewal(models.TransientModel):
    """Invoice more lesson hours; they are added to the enrolment once paid."""

    _name = "training.enrollment.renewal"
    _description = "Renew Lesson Hours"

    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment", string="Enrolment", required=True
    )
    hours = fields.Float(required=True, default=20.0)

    def action_confirm(self):
        self.ensure_one()
        invoice = self.enrollment_id._create_invoice(self.hours, renewal=True)
        return self.enrollment_id._action_open_invoices(invoice)
