from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .res_partner import HEALTH_GROUPS
from .training_session import CLERK_GROUP

ACTIVITY_TYPE = "training_attendance.mail_activity_leave_approval"


class TrainingLeaveRequest(models.Model):
    """A student's leave for some sessions: submitted with notice (or as a late emergency),
    approved by the counselor or head teacher, it turns the covered attendance excused."""

    _name = "training.leave.request"
    _description = "Leave Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "training.state.mixin",
        "training.attachment.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _protected_fields = ("state", "is_late", "submitted_at", "approved_by_id", "approved_at")
    # what was checked at submission (certificate, sessions, notice) stays as checked
    _locked_states = ("submitted", "approved")
    _locked_free_fields = ("refusal_reason",)

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    student_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain=[("is_student", "=", True)],
    )
    counselor_id = fields.Many2one(
        related="student_id.counselor_id", store=True, index=True, string="Counselor"
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    leave_type = fields.Selection(
        selection=[("sick", "Sick leave"), ("personal", "Personal leave"), ("other", "Other")],
        string="Type",
        required=True,
        default="personal",
        tracking=True,
    )
    reason = fields.Text(required=True, tracking=True)
    date_from = fields.Date(string="From", tracking=True)
    date_to = fields.Date(string="To", tracking=True)
    session_ids = fields.Many2many(
        comodel_name="training.session",
        string="Covered sessions",
        compute="_compute_session_ids",
        store=True,
        readonly=False,
        check_company=True,
        help="With a date range: every session of the student's classes in it, including "
        "sessions planned later. Without: the sessions chosen here.",
    )
    # the diagnosis: the same readers as the student's health notes
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        string="Medical certificate",
        groups=HEALTH_GROUPS,
        help="Required for a sick leave: the doctor's certificate (scan or photo).",
    )
    is_late = fields.Boolean(
        string="Late (emergency)",
        readonly=True,
        copy=False,
        tracking=True,
        help="Submitted after the notice deadline, within the emergency window after the "
        "start of the first covered session.",
    )
    submitted_at = fields.Datetime(string="Submitted on", readonly=True, copy=False)
    approved_by_id = fields.Many2one(
        comodel_name="res.users", string="Approved by", readonly=True, copy=False
    )
    approved_at = fields.Datetime(string="Approved on", readonly=True, copy=False)
    refusal_reason = fields.Text(string="Refusal reason", copy=False, tracking=True)
    state = fields.Selection(
        string="Status",
        selection=[
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )

    @api.depends("student_id", "date_from", "date_to")
    def _compute_session_ids(self):
        for request in self:
            if request.student_id and request.date_from and request.date_to:
                request.session_ids = request._sessions_in_range()

    def _sessions_in_range(self):
        """The sessions the student attends between ``date_from`` and ``date_to``."""
        self.ensure_one()
        enrollments = (
            self.env["training.enrollment"]
            .sudo()
            .search([("student_id", "=", self.student_id.id), ("date_start", "!=", False)])
        )
        classes = enrollments.class_id | enrollments.event_ids.from_class_id
        # one day of margin on each side for the time zones; exact days checked below
        sessions = (
            self.env["training.session"]
            .sudo()
            .search(
                [
                    ("class_id", "in", classes.ids),
                    ("state", "!=", "cancelled"),
                    ("start", ">=", self.date_from - timedelta(days=1)),
                    ("start", "<", self.date_to + timedelta(days=2)),
                ]
            )
        )
        return sessions.filtered(
            lambda s: (
                self.date_from <= s._local_date() <= self.date_to
                and any(e._attends(s.class_id, s._local_date()) for e in enrollments)
            )
        ).with_env(self.env)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for request in self:
            if request.date_from and request.date_to and request.date_to < request.date_from:
                raise ValidationError(
                    self.env._(
                        "The leave %(name)s ends before it starts.", name=request.display_name
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("training.leave.request")
        return super().create(vals_list)

    def unlink(self):
        if any(request.state != "draft" for request in self):
            raise UserError(self.env._("Only draft leave requests can be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ actions
    def action_submit(self):
        self._check_state(("draft",), self.env._("Submitting the leave request"))
        now = fields.Datetime.now()
        for request in self:
            request._check_submittable()
            request._guarded_write(
                {"state": "submitted", "submitted_at": now, "is_late": request._is_late(now)}
            )
        self._schedule_approval_activity()
        return True

    def action_approve(self):
        """Approve: every covered attendance line, existing or created later, is excused."""
        self._check_state(("submitted",), self.env._("Approval"))
        self._check_approver()
        self._close_approval_activity(self.env._("Approved"))
        self._guarded_write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_at": fields.Datetime.now(),
            }
        )
        self._excuse_lines()
        return True

    def action_refuse(self):
        self._check_state(("submitted",), self.env._("Refusal"))
        self._check_approver()
        for request in self:
            if not (request.refusal_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Write the refusal reason of %(name)s before refusing it.",
                        name=request.display_name,
                    )
                )
            request._close_approval_activity(
                self.env._("Refused: %(reason)s", reason=request.refusal_reason)
            )
        self._guarded_write({"state": "refused"})
        self._notify_held_back_absences()
        return True

    def action_cancel(self):
        self._check_state(("draft", "submitted"), self.env._("Cancellation"))
        self.activity_unlink([ACTIVITY_TYPE])
        self._guarded_write({"state": "cancelled"})
        self._notify_held_back_absences()
        return True

    def _notify_held_back_absences(self):
        """A refused or cancelled request excuses nothing (SPEC §4): the guardians are
        told now of the absences its submission held back from their notice, on the
        validated lessons it covers (unless another request still covers them)."""
        lines = self.env["training.attendance.line"].sudo()
        for request in self.sudo():
            lines |= request.session_ids.attendance_line_ids.filtered(
                lambda line, r=request: (
                    line.student_id == r.student_id and line.notice_state == "leave"
                )
            )
        if lines:
            lines.write({"notice_state": False})
            lines._notify_guardians()

    def action_draft(self):
        self._check_state(("refused", "cancelled"), self.env._("Resetting to draft"))
        self._guarded_write({"state": "draft", "is_late": False, "submitted_at": False})
        return True

    # ------------------------------------------------------------------ rules
    def _check_submittable(self):
        """SPEC §4: covered sessions, a certificate for sick leave, the notice."""
        self.ensure_one()
        if not self.session_ids:
            raise UserError(
                self.env._(
                    "%(name)s covers no session: choose the sessions or a date range with "
                    "sessions of the student.",
                    name=self.display_name,
                )
            )
        if self.leave_type == "sick" and not self.attachment_ids:
            raise UserError(
                self.env._("A sick leave needs the medical certificate: attach it to submit.")
            )

    def _is_late(self, now):
        """Whether a submission at ``now`` misses the notice of ``leave_notice_days``
        working days before the first covered session; past the emergency window too, it
        is refused."""
        self.ensure_one()
        first = self.sudo().session_ids.sorted("start")[0]
        policy = self.env["training.policy"]._get_for_company(first.company_id)
        today = pytz.utc.localize(now).astimezone(first._tz()).date()
        notice = policy._working_days_between(today, first._local_date())
        if notice >= policy.leave_notice_days:
            return False
        if now <= first.start + timedelta(hours=policy.emergency_leave_hours):
            return True
        raise UserError(
            self.env._(
                "Too late for %(session)s: a leave is submitted %(days)s working day(s) "
                "before the session, or in an emergency up to %(hours)s hour(s) after it "
                "starts.",
                session=first.display_name,
                days=policy.leave_notice_days,
                hours=policy.emergency_leave_hours,
            )
        )

    def _check_approver(self):
        """The student's counselor, the head teacher of a covered class, or a clerk."""
        if self.env.su or self.env.user.has_group(CLERK_GROUP):
            return
        user = self.env.user
        for request in self:
            heads = request.sudo().session_ids.class_id.head_teacher_id
            if user != request.student_id.counselor_id and user not in heads:
                raise UserError(
                    self.env._(
                        "%(name)s is approved by the student's counselor, the head teacher "
                        "of the class or an attendance clerk.",
                        name=request.display_name,
                    )
                )

    def _excuse_lines(self):
        """Excuse the covered lines that exist (validated sessions included: the approval
        corrects them, logged in the session's chatter); later lines are created excused
        by ``training.session._create_missing_lines``."""
        lines = self.env["training.attendance.line"].sudo()
        for request in self:
            lines |= (
                request.sudo()
                .session_ids.filtered(lambda s: s.state != "cancelled")
                .attendance_line_ids.filtered(
                    lambda line, r=request: (
                        line.student_id == r.student_id and line.status != "excused"
                    )
                )
            )
        lines.write({"status": "excused"})

    @api.model
    def _covered_pairs(self, sessions, students):
        """``{(session id, student id)}`` of ``sessions`` covered by an approved leave of
        ``students``, in one search."""
        if not sessions or not students:
            return set()
        days = {session.id: session._local_date() for session in sessions}
        leaves = self.sudo().search(
            [
                ("state", "=", "approved"),
                ("student_id", "in", students.ids),
                "|",
                ("session_ids", "in", sessions.ids),
                "&",
                ("date_from", "<=", max(days.values())),
                ("date_to", ">=", min(days.values())),
            ]
        )
        pairs = set()
        for leave in leaves:
            for session in sessions:
                day = days[session.id]
                if session in leave.session_ids or (
                    leave.date_from and leave.date_to and leave.date_from <= day <= leave.date_to
                ):
                    pairs.add((session.id, leave.student_id.id))
        return pairs

    # ------------------------------------------------------------------ activities
    def _approver_user(self):
        self.ensure_one()
        return (
            self.student_id.counselor_id
            or self.sudo().session_ids.class_id.head_teacher_id[:1]
            or self.env.user
        )

    def _schedule_approval_activity(self):
        for request in self:
            request.activity_schedule(
                ACTIVITY_TYPE,
                user_id=request._approver_user().id,
                summary=self.env._("Leave %(ref)s to approve", ref=request.name),
            )

    def _close_approval_activity(self, feedback):
        self.activity_feedback([ACTIVITY_TYPE], feedback=feedback)
