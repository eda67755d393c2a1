from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TrainingPolicy(models.Model):
    """Deadlines of the counselor's follow-up (SPEC §5, seed 002)."""

    _inherit = "training.policy"

    handover_days = fields.Integer(
        string="File handover (working days)",
        default=2,
        required=True,
        tracking=True,
        help="The counselor receives the student's file within this many working days "
        "after the contract date.",
    )
    first_call_days = fields.Integer(
        string="First guardian call (working days)",
        default=1,
        required=True,
        tracking=True,
        help="The counselor calls the guardian within this many working days after the "
        "file handover.",
    )
    consultant_sync_hours = fields.Integer(
        string="Consultant sync (hours)",
        default=24,
        required=True,
        tracking=True,
        help="The counselor and the consultant exchange on the student within this many "
        "hours after the file handover, counted in working days (24 hours: the next "
        "working day).",
    )
    first_lesson_notice_hours = fields.Integer(
        string="First-lesson notice (hours before)",
        default=24,
        required=True,
        tracking=True,
        help="The guardian is told the time, place and subject of the first lesson at "
        "least this many hours before it; the deadline is the last working day before.",
    )
    learning_plan_weeks = fields.Integer(
        string="Learning management plan (weeks)",
        default=3,
        required=True,
        tracking=True,
        help="Weeks after the first lesson by which the learning management plan is "
        "delivered to the guardian.",
    )
    tutoring_plan_weeks = fields.Integer(
        string="Tutoring plan and stage summary (weeks)",
        default=4,
        required=True,
        tracking=True,
        help="Weeks after the first lesson by which the personalised tutoring plan and "
        "the stage summary are delivered, unless the lesson count below comes first.",
    )
    tutoring_plan_lessons = fields.Integer(
        string="Tutoring plan and stage summary (lessons)",
        default=20,
        required=True,
        tracking=True,
        help="The tutoring plan and the stage summary are due after this many lessons "
        "when they come before the weeks above.",
    )
    growth_record_days = fields.Integer(
        string="Growth record (days)",
        default=30,
        required=True,
        tracking=True,
        help="A growth record is delivered at least this often, from the first lesson on.",
    )
    routine_weekly_months = fields.Integer(
        string="Weekly follow-ups (months)",
        default=2,
        required=True,
        tracking=True,
        help="Months after the first lesson during which routine follow-ups are due at "
        "the first interval; after them, at the second.",
    )
    routine_first_days = fields.Integer(
        string="Routine follow-up interval, first months (days)",
        default=7,
        required=True,
        tracking=True,
    )
    routine_later_days = fields.Integer(
        string="Routine follow-up interval, afterwards (days)",
        default=14,
        required=True,
        tracking=True,
    )

    @api.constrains(
        "handover_days",
        "first_call_days",
        "consultant_sync_hours",
        "first_lesson_notice_hours",
        "learning_plan_weeks",
        "tutoring_plan_weeks",
        "tutoring_plan_lessons",
        "growth_record_days",
        "routine_weekly_months",
        "routine_first_days",
        "routine_later_days",
    )
    def _check_followup_deadlines(self):
        for policy in self:
            if min(
                policy.handover_days,
                policy.first_call_days,
                policy.consultant_sync_hours,
                policy.first_lesson_notice_hours,
                policy.learning_plan_weeks,
                policy.tutoring_plan_weeks,
                policy.routine_weekly_months,
            ) < 0 or (
                min(
                    policy.tutoring_plan_lessons,
                    policy.growth_record_days,
                    policy.routine_first_days,
                    policy.routine_later_days,
                )
                < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Follow-up deadlines cannot be negative, and the lesson count, the "
                        "growth record and the routine follow-up intervals need at least one."
                    )
                )
