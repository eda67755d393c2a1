from odoo import fields, models


class TrainingRefundRefuse(models.TransientModel):
    _name = "training.refund.refuse"
    _description = "Refuse a Refund Request"

    request_ids = fields.Many2many(comodel_name="training.refund.request", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.request_ids._refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
