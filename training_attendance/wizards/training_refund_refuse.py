from odoo import fields, models


class TrainingRefundRefuse(models.TransientModel):
    _name = "training.refund.refuse"
    _description = "Refuse a Refund Request"

    request_ids = fields.Many2many(comodel_name="training.refund.request", required=True)
    # required in the form; checked by ``_refuse`` so that a call without it gets a clear
    # error rather than the database's NOT NULL one
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        self.request_ids._refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
