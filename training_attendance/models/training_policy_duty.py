from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .training_policy_roles import CAMPUS_ROLES

CAMPUS_ROLES["duty_supervisor"] = (
    "duty_supervisor_id",
    "training_attendance.group_duty_supervisor",
)


class TrainingPolicy(models.Model):
    """Duty roster and incident settings of a campus (seed 003)."""

    _inherit = "training.policy"  # pylint: disable=consider-merging-classes-inherited

    duty_supervisor_id = fields.Many2one(
        comodel_name="res.users",
        string="Duty supervisor",
        tracking=True,
        domain=[("share", "=", False)],
        help="Approves duty swaps, receives the missing duty logs of the previous working "
        "day and the escalated incidents. Empty: a user of the campus in the group Duty "
        "supervisor.",
    )
    duty_log_reminders = fields.Boolean(
        string="Duty log reminders",
        default=True,
        tracking=True,
        help="A duty log still missing after the end of its shift becomes an activity for "
        "the person on duty, then, the next working day, for the duty supervisor.",
    )
    duty_shift_reminders = fields.Boolean(
        string="Shift reminders",
        default=True,
        tracking=True,
        help="The day before each shift, the person on duty gets a reminder activity.",
    )
    incident_response_target_hours = fields.Float(
        string="Incident response target (working hours)",
        default=1.0,
        required=True,
        tracking=True,
        help="An incident ticket is answered (first action) within this many working hours "
        "of the campus calendar (seed 003: under one hour).",
    )
    incident_resolution_target_hours = fields.Float(
        string="Incident resolution target (working hours)",
        default=8.0,
        required=True,
        tracking=True,
        help="An incident ticket is resolved within this many working hours of the campus "
        "calendar.",
    )

    @api.constrains("incident_response_target_hours", "incident_resolution_target_hours")
    def _check_incident_targets(self):
        for policy in self:
            if (
                policy.incident_response_target_hours <= 0
                or policy.incident_resolution_target_hours <= 0
            ):
                raise ValidationError(self.env._("The incident targets must be positive."))

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self.env["training.duty.shift"].sudo()._create_campus_defaults(policies.company_id)
        return policies
