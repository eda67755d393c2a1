from odoo import fields, models


class TrainingLossReason(models.Model):
    """Why a student was lost: the configurable list of SPEC §5 (seed 002)."""

    _name = "training.loss.reason"
    _description = "Loss Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
