from odoo import fields, models

from ..models.training_incident import CALLBACK_SCORES


class TrainingIncidentCallback(models.TransientModel):
    """The satisfaction call-back that closes a ticket (seed 003 §4): the score the
    student or guardian gave on the phone, logged on the ticket."""

    _name = "training.incident.callback"
    _description = "Satisfaction call-back"

    incident_id = fields.Many2one(comodel_name="training.incident", required=True)
    score = fields.Selection(
        selection=CALLBACK_SCORES,
        string="Satisfaction",
        required=True,
    )
    note = fields.Text(string="What they said")

    def action_confirm(self):
        self.ensure_one()
        self.incident_id.action_close_callback(self.score, self.note)
        return {"type": "ir.actions.act_window_close"}
