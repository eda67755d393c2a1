from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

FOLLOWUP_KINDS = [
    ("handover", "File handover"),
    ("first_call", "First guardian call"),
    ("consultant_sync", "Consultant sync"),
    ("pre_lesson_notice", "First-lesson notice"),
    ("first_lesson_call", "First-lesson call"),
    ("routine", "Routine follow-up"),
    ("absence", "Absence call"),
    ("stage_report", "Stage report"),
    ("growth_record", "Growth record"),
    ("exam_review", "Exam review"),
    ("retention", "Retention"),
]
CHANNELS = [
    ("phone", "Phone"),
    ("meeting", "Meeting"),
    ("message", "Message"),
    ("sms", "SMS"),
]
CONTACTS = [
    ("guardian", "Guardian"),
    ("student", "Student"),
    ("teacher", "Teacher"),
    ("consultant", "Consultant"),
]
# whom the counselor talks to, when a follow-up is logged by closing an activity
CONTACT_OF_KIND = {"handover": "consultant", "consultant_sync": "consultant"}


class TrainingFollowup(models.Model):
    """One contact of the counselor about a student (SPEC §5): date, channel, contact,
    summary, outcome, next step. Logging one closes the open deadline of its kind on
    the enrolment; closing such a deadline in the activity inbox logs one."""

    _name = "training.followup"
    _description = "Counselor Follow-up"
    _inherit = ["mail.thread", "training.value.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    student_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        compute="_compute_student_id",
        store=True,
        readonly=False,
        precompute=True,
        domain=[("is_student", "=", True)],
    )
    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
        domain="[('student_id', '=?', student_id)]",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        compute="_compute_company_id",
        store=True,
        index=True,
        precompute=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Counselor",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, tracking=True)
    channel = fields.Selection(selection=CHANNELS, required=True, default="phone", tracking=True)
    contact = fields.Selection(
        selection=CONTACTS,
        required=True,
        default="guardian",
        tracking=True,
        help="Whom the counselor talked to.",
    )
    kind = fields.Selection(
        selection=FOLLOWUP_KINDS, required=True, default="routine", index=True, tracking=True
    )
    summary = fields.Text(required=True)
    outcome = fields.Text()
    next_step = fields.Text(string="Next step")

    @api.depends("kind", "student_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for followup in self:
            followup.display_name = " - ".join(
                filter(None, [kinds.get(followup.kind), followup.student_id.name])
            )

    @api.depends("enrollment_id")
    def _compute_student_id(self):
        for followup in self.filtered("enrollment_id"):
            followup.student_id = followup.enrollment_id.student_id

    @api.depends("enrollment_id.company_id", "student_id.company_id")
    def _compute_company_id(self):
        for followup in self:
            followup.company_id = (
                followup.enrollment_id.company_id
                or followup.student_id.company_id
                or self.env.company
            )

    @api.constrains("student_id", "enrollment_id")
    def _check_student(self):
        for followup in self:
            if not followup.student_id.is_student:
                raise ValidationError(
                    self.env._(
                        "%(name)s is not a student: follow-ups are about students.",
                        name=followup.student_id.display_name,
                    )
                )
            if followup.enrollment_id and followup.enrollment_id.student_id != followup.student_id:
                raise ValidationError(
                    self.env._(
                        "The enrolment %(ref)s is %(other)s's, not %(student)s's.",
                        ref=followup.enrollment_id.name,
                        other=followup.enrollment_id.student_id.name,
                        student=followup.student_id.name,
                    )
                )

    @api.constrains("date")
    def _check_date(self):
        now = fields.Datetime.now()
        if any(followup.date > now for followup in self):
            raise ValidationError(
                self.env._(
                    "A follow-up records a contact that took place: its date cannot be "
                    "later than now."
                )
            )

    @api.constrains("summary")
    def _check_summary(self):
        if any(not (followup.summary or "").strip() for followup in self):
            raise ValidationError(self.env._("Write the summary of the follow-up."))

    @api.model_create_multi
    def create(self, vals_list):
        # a follow-up logged on the student: on their only open enrolment; with several
        # it stays on the student and counts for each of them (_student_enrollments)
        students = self.env["res.partner"].browse(
            {vals["student_id"] for vals in vals_list if vals.get("student_id")}
        )
        open_enrollments = self._open_enrollments(students)
        for vals in vals_list:
            if not vals.get("enrollment_id") and vals.get("student_id"):
                enrollments = open_enrollments.get(vals["student_id"], [])
                if len(enrollments) == 1:
                    vals["enrollment_id"] = enrollments[0]
        followups = super().create(vals_list)
        if not self.env.context.get("training_followup_from_activity"):
            followups._close_deadlines()
        followups._start_next_deadlines()
        return followups

    @api.model
    def _open_enrollments(self, students):
        """``{student id: [enrolment ids]}`` of the students' confirmed, active or
        suspended enrolments."""
        if not students:
            return {}
        result = defaultdict(list)
        for enrollment in (
            self.env["training.enrollment"]
            .sudo()
            .search_fetch(
                [
                    ("student_id", "in", students.ids),
                    ("state", "in", ("confirmed", "active", "suspended")),
                ],
                ["student_id"],
                order="id",
            )
        ):
            result[enrollment.student_id.id].append(enrollment.id)
        return result

    def _student_enrollments(self):
        """The enrolments a follow-up counts for: its own, else every open enrolment of
        its student."""
        self.ensure_one()
        if self.enrollment_id:
            return self.enrollment_id
        return self.env["training.enrollment"].browse(
            self._open_enrollments(self.student_id).get(self.student_id.id, [])
        )

    # ------------------------------------------------------------------ deadlines
    def _close_deadlines(self):
        """Mark done the open activities of the same kind on the enrolment (on each open
        enrolment of the student for a follow-up logged on the student): logging the
        follow-up meets the deadline."""
        targets = {followup: followup._student_enrollments() for followup in self}
        with_enrollment = self.filtered(lambda f: targets[f])
        if not with_enrollment:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "training.enrollment"),
                    (
                        "res_id",
                        "in",
                        [e.id for f in with_enrollment for e in targets[f]],
                    ),
                    (
                        "activity_type_id.training_followup_kind",
                        "in",
                        with_enrollment.mapped("kind"),
                    ),
                ]
            )
        )
        feedback = defaultdict(lambda: self.env["mail.activity"].sudo())
        by_key = {(e.id, f.kind): f for f in with_enrollment for e in targets[f]}
        for activity in activities:
            followup = by_key.get(
                (activity.res_id, activity.activity_type_id.training_followup_kind)
            )
            if followup:
                feedback[followup] |= activity
        for followup, done in feedback.items():
            done.with_context(training_followup_from_activity=True)._action_done(
                feedback=followup.summary
            )

    def _start_next_deadlines(self):
        """A file handover starts the first guardian call and the consultant sync."""
        by_day = defaultdict(lambda: self.env["training.enrollment"])
        for followup in self.filtered(lambda f: f.kind == "handover"):
            day = followup.company_id._training_date(followup.date)
            by_day[day] |= followup._student_enrollments()
        for day, enrollments in by_day.items():
            enrollments._schedule_after_handover(day)

    # ------------------------------------------------------------------ actions
    @api.model
    def _action_log(self, defaults):
        """The follow-up form in a dialog, with ``defaults``."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a follow-up"),
            "res_model": "training.followup",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {f"default_{key}": value for key, value in defaults.items()},
        }
