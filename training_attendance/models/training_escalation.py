from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

ACTIVITY_TYPE = "training_attendance.mail_activity_escalation"
MANAGER_GROUP = "training_attendance.group_manager"

LEVELS = [
    ("reminder", "Reminder"),
    ("commitment", "Commitment"),
    ("warning", "Academic warning"),
    ("cancellation", "Cancellation proposal"),
]
# Who carries out each step and in how many days: settings of the campus policy
# (``escalation_<level>_role`` / ``_days``, see training_policy_roles.py).


class TrainingEscalation(models.Model):
    """One step of the escalation ladder on a student's unexcused absences (SPEC §4):
    fired once per enrolment and level when the count reaches the policy's threshold."""

    _name = "training.escalation"
    _description = "Absence Escalation"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "training.state.mixin",
        "training.attachment.mixin",
        "training.enrollment.document.mixin",
    ]
    _order = "id desc"
    # fired by the addon only (no create access); decided through the actions
    _protected_fields = (
        "state",
        "decided_by_id",
        "decided_at",
        "level",
        "count",
        "enrollment_id",
        "voided",
        "void_reason",
    )
    _locked_states = ("done", "accepted", "rejected", "cancelled", "withdrawn")

    enrollment_id = fields.Many2one(readonly=True, tracking=False)
    counselor_id = fields.Many2one(
        related="enrollment_id.student_id.counselor_id", store=True, index=True, string="Counselor"
    )
    level = fields.Selection(selection=LEVELS, required=True, readonly=True, index=True)
    count = fields.Integer(
        string="Unexcused absences",
        readonly=True,
        help="Unexcused absences and absence equivalents of the enrolment when this step fired.",
    )
    description = fields.Text(
        string="To do", readonly=True, help="What the responsible person does at this step."
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    date_deadline = fields.Date(string="Deadline", tracking=True)
    outcome = fields.Text(tracking=True)
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="training_escalation_ir_attachment_rel",
        string="Signed commitment letter",
        help="The commitment letter signed by the guardian (scan or photo): required to "
        "close the commitment step.",
    )
    analysis_ids = fields.One2many(
        comodel_name="training.absence.analysis",
        inverse_name="escalation_id",
        string="Cause analyses",
    )
    decided_by_id = fields.Many2one(
        comodel_name="res.users", string="Decided by", readonly=True, copy=False
    )
    decided_at = fields.Datetime(string="Decided on", readonly=True, copy=False)
    state = fields.Selection(
        string="Status",
        selection=[
            ("open", "Open"),
            ("done", "Done"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
            ("withdrawn", "Withdrawn"),
        ],
        default="open",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )

    voided = fields.Boolean(
        string="Voided by a correction",
        readonly=True,
        copy=False,
        index=True,
        help="The absences that brought this step were corrected (excused leave, present): "
        "it no longer counts. A step not acted on yet is withdrawn; one acted on stays in "
        "the file. The level can fire again if the absences come back.",
    )
    void_reason = fields.Text(string="Voided because", readonly=True, copy=False)

    def init(self):
        # each level fires once per enrolment, the steps voided by a correction aside
        self.env.cr.execute(
            "ALTER TABLE training_escalation "
            "DROP CONSTRAINT IF EXISTS training_escalation_enrollment_level_uniq"
        )
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS training_escalation_enrollment_level_live_uniq "
            "ON training_escalation (enrollment_id, level) WHERE voided IS NOT TRUE"
        )

    @api.depends("level", "student_id")
    def _compute_display_name(self):
        levels = dict(self._fields["level"]._description_selection(self.env))
        for escalation in self:
            escalation.display_name = " - ".join(
                filter(None, [levels.get(escalation.level), escalation.student_id.name])
            )

    @api.model_create_multi
    def create(self, vals_list):
        today = {}  # campus -> its day, computed once
        nobody = {}  # index in vals_list -> why no one is responsible
        holders = {}  # (policy, role, enrolment or None) -> user or the error
        readers = self.env["res.users"]._training_reader_envs(self)
        for index, vals in enumerate(vals_list):
            enrollment = self.env["training.enrollment"].browse(vals.get("enrollment_id"))
            level = vals.get("level")
            if enrollment and level in dict(LEVELS):
                policy = self.env["training.policy"]._get_for_company(enrollment.company_id)
                role, days = policy._escalation_setting(level)
                if not vals.get("user_id"):
                    # nobody holding the role must not block the teacher's validation:
                    # the step is recorded without responsible, and says why
                    # a campus role is asked once per batch, not once per student
                    per_enrollment = role in ("head_teacher", "counselor")
                    key = (policy, role, enrollment if per_enrollment else None)
                    if key not in holders:
                        try:
                            holders[key] = policy._role_user(role, enrollment)
                        except UserError as error:
                            holders[key] = error
                    if isinstance(holders[key], UserError):
                        nobody[index] = holders[key].args[0]
                    else:
                        vals["user_id"] = holders[key].id
                campus = enrollment.company_id
                if campus not in today:
                    today[campus] = campus._training_today()
                vals.setdefault("date_deadline", today[campus] + timedelta(days=days))
                # in the language of the responsible person, who reads it
                responsible = self.env["res.users"].browse(vals.get("user_id"))
                vals.setdefault(
                    "description", readers(responsible)[self._name]._level_description(level)
                )
        escalations = super().create(vals_list)
        for index, reason in nobody.items():
            escalations[index].message_post(body=reason, subtype_xmlid="mail.mt_note")
        escalations._fire()
        return escalations

    def unlink(self):
        if any(escalation.state != "open" for escalation in self):
            raise UserError(self.env._("Only open escalations can be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ actions
    def action_done(self):
        self._check_state(("open",), self.env._("Closing the step"))
        for escalation in self:
            if escalation.level == "cancellation":
                raise UserError(
                    self.env._(
                        "%(name)s is a proposal: a campus manager accepts or rejects it.",
                        name=escalation.display_name,
                    )
                )
            if escalation.level == "commitment" and not escalation.attachment_ids:
                raise UserError(
                    self.env._(
                        "Attach the commitment letter signed by the guardian to close %(name)s.",
                        name=escalation.display_name,
                    )
                )
            if not (escalation.outcome or "").strip():
                raise UserError(
                    self.env._(
                        "Write the outcome of %(name)s before closing it.",
                        name=escalation.display_name,
                    )
                )
        self._close_activity(self.env._("Done"))
        self._guarded_write({"state": "done"})
        return True

    def action_accept(self):
        """Accept the cancellation proposal: the enrolment is withdrawn."""
        self._check_decision(self.env._("Accepting the cancellation"))
        today = {company: company._training_today() for company in self.company_id}
        for escalation in self:
            enrollment = escalation.enrollment_id
            if enrollment.state in ("active", "suspended", "confirmed"):
                enrollment._withdraw(
                    today[escalation.company_id],
                    self.env._(
                        "Cancelled after %(count)s unexcused absences (%(name)s).",
                        count=escalation.count,
                        name=escalation.display_name,
                    ),
                )
        self._decide("accepted", self.env._("Cancellation accepted"))
        return True

    def action_reject(self):
        """Reject the cancellation proposal: the enrolment is kept."""
        self._check_decision(self.env._("Rejecting the cancellation"))
        self._decide("rejected", self.env._("Cancellation rejected: the enrolment is kept"))
        return True

    def action_cancel(self):
        self._check_state(("open",), self.env._("Cancellation"))
        self.activity_unlink([ACTIVITY_TYPE])
        self._guarded_write({"state": "cancelled"})
        return True

    def _check_decision(self, action_label):
        self._check_state(("open",), action_label)
        if any(escalation.level != "cancellation" for escalation in self):
            raise UserError(self.env._("Only a cancellation proposal is accepted or rejected."))
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "Only a campus manager or the campus director decides on the "
                    "cancellation of an enrolment."
                )
            )

    def _decide(self, state, feedback):
        self._close_activity(feedback)
        self._guarded_write(
            {
                "state": state,
                "decided_by_id": self.env.user.id,
                "decided_at": fields.Datetime.now(),
            }
        )

    def _close_activity(self, feedback):
        self.activity_feedback([ACTIVITY_TYPE], feedback=feedback)

    # ------------------------------------------------------------------ ladder
    @api.model
    def _levels_reached(self, policy, count):
        """The levels whose threshold ``count`` reaches, in ``policy``'s ladder."""
        thresholds = {
            "reminder": 1,
            "commitment": policy.commitment_threshold,
            "warning": policy.warning_threshold,
            "cancellation": policy.cancellation_threshold,
        }
        return [level for level, _label in LEVELS if count >= thresholds[level]]

    def _fire(self):
        """What a new step does: the activity of its responsible person, the automatic
        cause analysis of a commitment, the partial suspension of a warning."""
        today = {company: company._training_today() for company in self.company_id}
        activity_type = self.env.ref(ACTIVITY_TYPE)
        model = self.env["ir.model"]._get_id(self._name)
        # in one batch, without an e-mail each: the inbox is the notice
        # written in the language of the person who reads them, one env per language
        readers = self.env["res.users"]._training_reader_envs(self)
        self.env["training.enrollment"]._create_followup_activities(
            [
                {
                    "res_model_id": model,
                    "res_id": escalation.id,
                    "activity_type_id": activity_type.id,
                    "date_deadline": escalation.date_deadline,
                    "user_id": escalation.user_id.id,
                    "summary": readers(escalation.user_id)[self._name]._step_label(escalation),
                    "note": readers(escalation.user_id)[self._name]._level_description(
                        escalation.level
                    ),
                    "automated": True,  # so that activity_feedback closes it
                }
                for escalation in self.filtered("user_id")
            ]
        )
        commitments = self.filtered(lambda e: e.level == "commitment")
        self.env["training.absence.analysis"].create(
            [
                {
                    "enrollment_id": escalation.enrollment_id.id,
                    "escalation_id": escalation.id,
                    "participant_ids": [(6, 0, escalation.user_id.ids)],
                }
                for escalation in commitments
            ]
        )
        for escalation in self.filtered(lambda e: e.level == "warning"):
            # seed 000: part of the student's access is suspended (make-ups, trial
            # classes); the student keeps attending, so the ladder can still go on
            enrollment = escalation.enrollment_id
            if enrollment.state not in ("active", "suspended"):
                continue
            reader = readers(escalation.user_id)
            until = enrollment.with_env(reader)._suspend_privileges(
                today[escalation.company_id],
                reader._(
                    "Academic warning after %(count)s unexcused absences.",
                    count=escalation.count,
                ),
            )
            escalation.message_post(
                body=reader._(
                    "The enrolment %(ref)s is partially suspended until %(until)s (no make-up "
                    "nor trial class; the student keeps attending); a special meeting with "
                    "the student and the guardian is due by %(date)s.",
                    ref=enrollment.name,
                    until=until,
                    date=escalation.date_deadline,
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _step_label(self, escalation):
        """ "Academic warning - Student", in this environment's language."""
        levels = dict(self._fields["level"]._description_selection(self.env))
        return " - ".join(filter(None, [levels.get(escalation.level), escalation.student_id.name]))

    @api.model
    def _level_description(self, level):
        return {
            "reminder": self.env._("Remind the guardian of the unexcused absence."),
            "commitment": self.env._(
                "Head-teacher meeting with the guardian: personalised plan and commitment "
                "letter signed by the guardian (attach it)."
            ),
            "warning": self.env._(
                "Academic warning: the enrolment is partially suspended; hold a special "
                "meeting with the student and the guardian."
            ),
            "cancellation": self.env._(
                "Proposal to cancel the enrolment: a campus manager accepts or rejects it."
            ),
        }[level]

    # ------------------------------------------------------------------ corrections
    def _acted_on(self):
        """Whether the responsible person did something with this step already."""
        self.ensure_one()
        return (
            self.state != "open"
            or bool((self.outcome or "").strip())
            or bool(self.attachment_ids)
            or any(analysis.state != "draft" for analysis in self.analysis_ids)
        )

    def _void(self, reason):
        """The absences that brought these steps were corrected away: a step not acted on
        is withdrawn (its activity closed with ``reason``); one acted on stays in the file,
        marked as voided. A warning's partial suspension is lifted."""
        for escalation in self.sudo():
            if escalation.state == "open":
                escalation._close_activity(reason)
                if not escalation._acted_on():
                    escalation._guarded_write({"state": "withdrawn"})
            escalation._guarded_write({"voided": True, "void_reason": reason})
            escalation.message_post(body=reason, subtype_xmlid="mail.mt_note")
        warnings = self.filtered(lambda e: e.level == "warning")
        if warnings:
            warnings.enrollment_id._lift_privileges_suspension(reason)
