from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TrainingPolicy(models.Model):
    """The institution's rules for one campus (company).

    Every ``[X]`` of the policy documents is a field here, with the default of
    SPEC.md; code reads the policy, never a literal.
    """

    _name = "training.policy"
    _description = "Training Policy"
    _inherit = ["mail.thread", "training.value.mixin"]
    # checked by training.value.mixin on every write, with the bounds in the message
    _value_bounds = {
        "tap_minutes": (1, 60),
        "escalation_reminder_days": (0, 365),
        "escalation_commitment_days": (0, 365),
        "escalation_warning_days": (0, 365),
        "escalation_cancellation_days": (0, 365),
        "privileges_suspension_days": (0, 365),
    }
    _rec_name = "company_id"

    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
        index=True,
    )
    daily_absence_report = fields.Binary(
        string="Daily absence report",
        attachment=True,
        groups="training_attendance.group_attendance_clerk",
        help="Holds the daily absence report files (XLSX) of the campus: readable by the "
        "attendance clerks only.",
    )
    late_threshold_percent = fields.Integer(
        string="Lateness threshold (%)",
        default=50,
        required=True,
        tracking=True,
        help="Late arrival and early leave minutes accumulate per enrolment; each time "
        "the total passes this percentage of one lesson's duration, one absence "
        "equivalent is counted and handled as an unexcused absence.",
    )
    tap_minutes = fields.Integer(
        string="Minutes per tap",
        default=5,
        required=True,
        tracking=True,
        help="Minutes added by one tap on Late or Left early in the attendance sheet.",
    )
    unexcused_absence_consumes_hours = fields.Boolean(
        string="Unexcused absences consume hours",
        default=False,
        tracking=True,
        help="When set, an unexcused absence deducts the session's hours from the "
        "enrolment's balance like an attended lesson. Excused absences never do.",
    )
    leave_notice_days = fields.Integer(
        string="Leave notice (working days)",
        default=1,
        required=True,
        tracking=True,
        help="A leave request is submitted at least this many working days (campus "
        "calendar) before the first covered session.",
    )
    emergency_leave_hours = fields.Float(
        string="Emergency leave window (hours)",
        default=2.0,
        required=True,
        tracking=True,
        help="A leave request submitted too late is still accepted, flagged late, up to "
        "this many hours after the start of the first covered session.",
    )
    makeup_due_days = fields.Integer(
        string="Make-up delay (days)",
        default=14,
        required=True,
        tracking=True,
        help="A make-up still to plan this many days after the missed lesson counts as not "
        "done in the make-up completion rate.",
    )
    reward_weeks = fields.Integer(
        string="Reward after (weeks)",
        default=4,
        required=True,
        tracking=True,
        help="Students who attended every week, with no late arrival and no early leave, "
        "for this many consecutive weeks are listed for a reward.",
    )
    absence_notice_email = fields.Boolean(
        string="Absence notice by e-mail",
        default=True,
        tracking=True,
        help="Guardians who receive notifications get the absence notice by e-mail "
        "(template: Training: absence notice to guardians).",
    )
    absence_notice_sms = fields.Boolean(
        string="Absence notice by SMS",
        default=True,
        tracking=True,
        help="Guardians who receive notifications get the absence notice by SMS on their "
        "mobile (template: Training: absence notice SMS; needs Odoo's SMS service).",
    )
    absence_followup_activities = fields.Boolean(
        string="Absence calls and leave follow-ups",
        default=True,
        tracking=True,
        help='After each validation, an unexcused absence gives its counselor an "Absence '
        'call" activity due the same day, an excused one gives the teacher a "Leave '
        'follow-up" activity.',
    )
    escalation_ladder = fields.Boolean(
        string="Escalation ladder",
        default=True,
        tracking=True,
        help="After each validation, the unexcused absences of each enrolment are counted "
        "and the steps below fire (reminder, commitment, warning, cancellation proposal).",
    )
    commitment_threshold = fields.Integer(
        default=2,
        required=True,
        tracking=True,
        help="Unexcused absences (absence equivalents included) of an enrolment that bring "
        "the head teacher's meeting with the guardian and the signed commitment letter. The "
        "first one always brings a reminder to the guardian.",
    )
    warning_threshold = fields.Integer(
        default=3,
        required=True,
        tracking=True,
        help="Unexcused absences that bring an academic warning, the suspension of the "
        "enrolment and a special meeting.",
    )
    cancellation_threshold = fields.Integer(
        default=5,
        required=True,
        tracking=True,
        help="Unexcused absences that bring a proposal to cancel the enrolment, decided by "
        "a campus manager.",
    )

    counselor_supervisor_id = fields.Many2one(
        comodel_name="res.users",
        string="Counselor supervisor",
        tracking=True,
        domain=[("share", "=", False)],
        help="Approves refunds after the counselor (and leads refund-intent retention).",
    )
    campus_director_id = fields.Many2one(
        comodel_name="res.users",
        string="Campus director",
        tracking=True,
        domain=[("share", "=", False)],
    )
    finance_officer_id = fields.Many2one(
        comodel_name="res.users",
        string="Finance officer",
        tracking=True,
        domain=[("share", "=", False)],
        help="Gives the last approval of refunds and issues the credit note.",
    )
    absence_report_date = fields.Date(
        string="Last daily absence report",
        readonly=True,
        copy=False,
        help="Day of the last daily absence report posted to the clerks: the job posts "
        "it once a day, however often it runs.",
    )

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "Each campus has exactly one training policy."),
    ]

    @api.constrains("late_threshold_percent")
    def _check_late_threshold_percent(self):
        for policy in self:
            if not 1 <= policy.late_threshold_percent <= 100:
                raise ValidationError(
                    self.env._("The lateness threshold must be between 1 and 100 percent.")
                )

    @api.constrains("leave_notice_days", "emergency_leave_hours")
    def _check_leave_delays(self):
        if any(p.leave_notice_days < 0 or p.emergency_leave_hours < 0 for p in self):
            raise ValidationError(
                self.env._("The leave notice and the emergency leave window cannot be negative.")
            )

    @api.constrains("reward_weeks", "makeup_due_days")
    def _check_makeup_and_reward(self):
        if any(p.reward_weeks < 1 or p.makeup_due_days < 0 for p in self):
            raise ValidationError(
                self.env._(
                    "The reward needs at least one week, and the make-up delay cannot be negative."
                )
            )

    @api.constrains("commitment_threshold", "warning_threshold", "cancellation_threshold")
    def _check_escalation_thresholds(self):
        for policy in self:
            if not (
                1
                < policy.commitment_threshold
                < policy.warning_threshold
                < policy.cancellation_threshold
            ):
                raise ValidationError(
                    self.env._(
                        "The escalation thresholds must increase: 1 (reminder) < commitment "
                        "< warning < cancellation."
                    )
                )

    def _working_days_between(self, date_from, date_to):
        """Number of working days of the campus from ``date_from`` included to ``date_to``
        excluded: days of its working-time calendar that are not public holidays (leaves of
        the calendar without resource). Without a calendar every day counts."""
        self.ensure_one()
        if date_to <= date_from:
            return 0
        calendar = self.company_id.resource_calendar_id
        if not calendar:
            return (date_to - date_from).days
        tz = self.company_id._training_tz()
        intervals = calendar._work_intervals_batch(
            tz.localize(datetime.combine(date_from, time.min)),
            tz.localize(datetime.combine(date_to, time.min)),
            domain=[("time_type", "=", "leave"), ("company_id", "in", [False, self.company_id.id])],
        )[False]
        return len({start.astimezone(tz).date() for start, _stop, _meta in intervals})

    def _add_working_days(self, day, days):
        """The ``days``-th working day of the campus after ``day`` (before it when
        negative); with 0, ``day`` itself if it is a working day, else the next one.
        Working days as in :meth:`_working_days_between`; without a calendar every day
        counts."""
        self.ensure_one()
        calendar = self.company_id.resource_calendar_id
        if not calendar:
            return day + timedelta(days=days)
        tz = self.company_id._training_tz()
        wanted = max(abs(days), 1)
        span = abs(days) * 2 + 14
        while span <= 3 * 366:
            if days < 0:
                date_from, date_to = day - timedelta(days=span), day
            else:
                date_from, date_to = day, day + timedelta(days=span)
            intervals = calendar._work_intervals_batch(
                tz.localize(datetime.combine(date_from, time.min)),
                tz.localize(datetime.combine(date_to, time.min)),
                domain=[
                    ("time_type", "=", "leave"),
                    ("company_id", "in", [False, self.company_id.id]),
                ],
            )[False]
            working = sorted({start.astimezone(tz).date() for start, _stop, _meta in intervals})
            if days < 0:
                candidates = [d for d in working if d < day][::-1]
            else:
                candidates = [d for d in working if d > day or (days == 0 and d == day)]
            if len(candidates) >= wanted:
                return candidates[wanted - 1]
            span *= 2
        # a calendar without any working day: every day counts
        return day + timedelta(days=days)

    def _absence_notice_channels(self):
        self.ensure_one()
        return {
            channel
            for channel, active in (
                ("email", self.absence_notice_email),
                ("sms", self.absence_notice_sms),
            )
            if active
        }

    @api.model
    def _get_for_companies(self, companies):
        """Return ``{company_id: policy}`` for ``companies``, creating missing policies.
        Read through the campuses' ``training_policy_ids``: one query per request at most,
        then the ORM cache."""
        companies = companies.sudo()
        policies = companies.training_policy_ids
        missing = companies - policies.company_id
        if missing:
            policies |= self.sudo().create([{"company_id": c.id} for c in missing])
        return {policy.company_id.id: policy for policy in policies}

    @api.model
    def _companies_with(self, switch):
        """The campuses whose policy has the boolean setting ``switch`` on."""
        return self.sudo().search([(switch, "=", True)]).company_id

    @api.model
    def _get_for_company(self, company):
        return self._get_for_companies(company)[company.id]
