import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

CLERK_GROUP = "training_attendance.group_attendance_clerk"
MAX_SESSION_HOURS = 12


class TrainingSession(models.Model):
    """One lesson of a class, and the sheet on which its attendance is taken."""

    _name = "training.session"
    _description = "Training Session"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.state.mixin"]
    _order = "start desc, id desc"
    _check_company_auto = True
    # the teacher's signature and the lock (SPEC §3): changed by the actions only
    _protected_fields = ("state", "validated_by_id", "validated_at", "followup_pending")
    # a validated session keeps its times, class, teacher and duration
    _locked_states = ("done",)
    _locked_free_fields = ("note",)

    class_id = fields.Many2one(
        comodel_name="training.class",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        related="class_id.company_id", store=True, index=True, string="Campus"
    )
    course_id = fields.Many2one(related="class_id.course_id", store=True, index=True)
    start = fields.Datetime(required=True, tracking=True, index=True)
    stop = fields.Datetime(string="End", required=True, tracking=True)
    duration = fields.Float(string="Duration (hours)", compute="_compute_duration", store=True)
    teacher_id = fields.Many2one(
        comodel_name="res.users",
        compute="_compute_from_class",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    room = fields.Char(compute="_compute_from_class", store=True, readonly=False)
    kind = fields.Selection(
        selection=[("regular", "Regular"), ("makeup", "Make-up"), ("trial", "Trial")],
        default="regular",
        required=True,
    )
    state = fields.Selection(
        string="Status",
        selection=[
            ("planned", "Planned"),
            ("open", "Attendance open"),
            ("done", "Validated"),
            ("cancelled", "Cancelled"),
        ],
        default="planned",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    attendance_line_ids = fields.One2many(
        comodel_name="training.attendance.line",
        inverse_name="session_id",
        string="Attendance",
        copy=False,
    )
    validated_by_id = fields.Many2one(
        comodel_name="res.users", string="Validated by", readonly=True, copy=False
    )
    validated_at = fields.Datetime(string="Validated on", readonly=True, copy=False)
    followup_pending = fields.Boolean(
        string="Follow-up pending",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Validated, and the follow-up job has not yet told the guardians, scheduled the "
        "calls and make-ups or checked the escalation ladder (it starts right after the "
        "validation).",
    )
    note = fields.Html()
    time_label = fields.Char(
        string="When",
        compute="_compute_time_label",
        help="Day and hours of the session in the campus's time zone.",
    )
    count_pending = fields.Integer(string="Unmarked", compute="_compute_counts")
    count_present = fields.Integer(string="Present", compute="_compute_counts")
    count_absent = fields.Integer(string="Absent", compute="_compute_counts")
    count_excused = fields.Integer(string="Excused", compute="_compute_counts")
    count_late = fields.Integer(string="Late", compute="_compute_counts")

    @api.depends("class_id.name", "start", "stop", "company_id")
    def _compute_display_name(self):
        """ "Class 2026-11-30 18:30-20:00" in the campus's time zone, whoever reads or
        writes it (a job running in UTC included)."""
        for session in self:
            session.display_name = " ".join(
                part for part in (session.class_id.name, session._time_label()) if part
            )

    @api.depends("start", "stop", "company_id")
    def _compute_time_label(self):
        for session in self:
            session.time_label = session._time_label()

    @api.depends("start", "stop")
    def _compute_duration(self):
        for session in self:
            if session.start and session.stop:
                session.duration = (session.stop - session.start).total_seconds() / 3600
            else:
                session.duration = 0.0

    @api.depends("class_id")
    def _compute_from_class(self):
        for session in self:
            session.teacher_id = session.class_id.teacher_id
            session.room = session.class_id.room

    @api.depends("attendance_line_ids.status", "attendance_line_ids.late_minutes")
    def _compute_counts(self):
        counts = {}
        if self.ids:
            groups = self.env["training.attendance.line"]._read_group(
                [("session_id", "in", self.ids)], ["session_id", "status"], ["__count"]
            )
            for session, status, count in groups:
                counts[session.id, status] = count
            late = self.env["training.attendance.line"]._read_group(
                [("session_id", "in", self.ids), ("late_minutes", ">", 0)],
                ["session_id"],
                ["__count"],
            )
            for session, count in late:
                counts[session.id, "late"] = count
        for session in self:
            for key in ("pending", "present", "absent", "excused", "late"):
                session[f"count_{key}"] = counts.get((session.id, key), 0)

    @api.constrains("start", "stop")
    def _check_dates(self):
        for session in self:
            if session.stop <= session.start:
                raise ValidationError(
                    self.env._(
                        "A session must end after it starts (%(name)s).", name=session.display_name
                    )
                )

    @api.constrains("start", "stop")
    def _check_bounds(self):
        for session in self:
            hours = (session.stop - session.start).total_seconds() / 3600
            if hours > MAX_SESSION_HOURS:
                raise ValidationError(
                    self.env._(
                        "A session lasts at most %(hours)s hours (%(name)s).",
                        hours=MAX_SESSION_HOURS,
                        name=session.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        sessions = super().create(vals_list)
        sessions._check_own_class()
        return sessions

    def write(self, vals):
        res = super().write(vals)
        if {"class_id", "teacher_id"} & set(vals):
            self._check_own_class()
        return res

    def _check_own_class(self):
        """A teacher plans sessions of the classes they teach only (the record rule lets
        them see the sessions they substitute in, but is checked before a write, not on
        where it puts the session)."""
        if self.env.su or self.env.user.has_group(CLERK_GROUP):
            return
        others = self.filtered(lambda s: s.class_id.sudo().teacher_id != self.env.user)
        if others:
            raise AccessError(
                self.env._(
                    "%(name)s: a teacher plans sessions of their own classes only; ask an "
                    "attendance clerk.",
                    name=others[0].sudo().display_name,
                )
            )
        substitutes = self.filtered(lambda s: s.teacher_id != self.env.user)
        if substitutes:
            raise AccessError(
                self.env._("Only an attendance clerk names another teacher for a session.")
            )

    def unlink(self):
        if any(
            s.state == "done"
            or s.validated_by_id
            or s.attendance_line_ids.filtered(lambda line: line.status != "pending")
            for s in self
        ):
            raise UserError(
                self.env._(
                    "A session with recorded attendance cannot be deleted; cancel it instead."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ helpers
    def _tz(self):
        self.ensure_one()
        return self.company_id._training_tz()

    def _time_label(self):
        """ "2026-11-30 18:30-20:00": the session's day and hours in the campus's zone."""
        self.ensure_one()
        if not self.start:
            return ""
        tz = self.company_id._training_tz() if self.company_id else pytz.utc
        start = pytz.utc.localize(self.start).astimezone(tz)
        label = start.strftime("%Y-%m-%d %H:%M")
        if self.stop:
            stop = pytz.utc.localize(self.stop).astimezone(tz)
            label += "-" + stop.strftime(
                "%H:%M" if stop.date() == start.date() else "%Y-%m-%d %H:%M"
            )
        return label

    def _local_date(self):
        self.ensure_one()
        return pytz.utc.localize(self.start).astimezone(self._tz()).date()

    def _check_is_teacher(self, action_label):
        """Only the session's teacher or an attendance clerk / campus manager may act."""
        if self.env.su or self.env.user.has_group(CLERK_GROUP):
            return
        user = self.env.user
        others = self.filtered(lambda s: s.teacher_id != user and s.class_id.teacher_id != user)
        if others:
            raise UserError(
                self.env._(
                    "%(action)s of %(name)s is for its teacher or an attendance clerk.",
                    action=action_label,
                    name=others[0].display_name,
                )
            )

    # ------------------------------------------------------------------ actions
    def action_open(self):
        """Open the attendance sheet: one pending line per student attending that day."""
        self._check_state(("planned", "open"), self.env._("Taking attendance"))
        self._check_is_teacher(self.env._("Taking attendance"))
        self._create_missing_lines()
        self.filtered(lambda s: s.state == "planned")._guarded_write({"state": "open"})
        return True

    def _create_missing_lines(self):
        classes = self.class_id.ids
        enrollments = (
            self.env["training.enrollment"]
            .sudo()
            .search(
                [
                    "|",
                    ("class_id", "in", classes),
                    ("event_ids.from_class_id", "in", classes),
                    ("state", "in", ("active", "suspended", "withdrawn", "completed")),
                    ("date_start", "!=", False),
                ]
            )
        )
        existing = {(line.session_id.id, line.student_id.id) for line in self.attendance_line_ids}
        # students with an approved leave for the session start excused
        excused = self.env["training.leave.request"]._covered_pairs(self, enrollments.student_id)
        vals_list = []
        for session in self:
            if session.kind == "makeup":  # only the students planned into it, below
                continue
            day = session._local_date()
            for enrollment in enrollments:
                key = (session.id, enrollment.student_id.id)
                if key not in existing and enrollment._attends(session.class_id, day):
                    existing.add(key)
                    vals_list.append(
                        {
                            "session_id": session.id,
                            "student_id": enrollment.student_id.id,
                            "enrollment_id": enrollment.id,
                            "status": "excused" if key in excused else "pending",
                        }
                    )
        # make-up seats planned into these sessions (SPEC §4)
        vals_list += self.env["training.makeup"]._seat_lines_vals(self, existing)
        return self.env["training.attendance.line"].create(vals_list)

    def action_mark_rest_present(self):
        self._check_state(("open",), self.env._("Marking attendance"))
        self._check_is_teacher(self.env._("Marking attendance"))
        self.attendance_line_ids.filtered(lambda line: line.status == "pending").write(
            {"status": "present"}
        )
        return True

    def action_validate(self):
        """The teacher's signature: records who and when, and locks the lines. Refused
        before the session starts (the guardians would be told of an absence from a lesson
        that has not taken place); afterwards, tells the teacher what follows."""
        self._check_state(("open",), self.env._("Validation"))
        self._check_is_teacher(self.env._("Validation"))
        now = fields.Datetime.now()
        early = self.filtered(lambda s: s.start and s.start > now)
        if early:
            raise UserError(
                self.env._(
                    "%(name)s has not started yet: validate its attendance once the lesson "
                    "has started (the guardians of absent students are told right after).",
                    name=early[0].display_name,
                )
            )
        pending = self.attendance_line_ids.filtered(lambda line: line.status == "pending")
        if pending:
            raise UserError(
                self.env._(
                    "%(count)s student(s) are still unmarked in %(name)s: %(students)s.",
                    count=len(pending),
                    name=pending[0].session_id.display_name,
                    students=", ".join(pending.student_id.mapped("name")),
                )
            )
        self._guarded_write(
            {
                "state": "done",
                "validated_by_id": self.env.user.id,
                "validated_at": fields.Datetime.now(),
                "followup_pending": True,
            }
        )
        # The teacher waits for the signature, the lock, and the lines' hours and lateness
        # only. What follows (the enrolments' balances, guardian notices, absence calls,
        # make-ups, escalation ladder, first-lesson follow-ups) is the follow-up job's,
        # started as soon as this transaction commits, in batches (SPEC §4: the same day).
        self._trigger_followup_job()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Attendance validated"),
                "message": self._validation_feedback(),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _validation_feedback(self):
        """What the follow-up job does next, in the teacher's words and the campus's
        policy: guardians told, counselors asked to call, teacher asked to follow up."""
        lines = self.attendance_line_ids
        absent = lines.filtered(lambda line: line.status == "absent")
        excused = lines.filtered(lambda line: line.status == "excused")
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        told = any(p.absence_notice_email or p.absence_notice_sms for p in policies.values())
        calls = any(p.absence_followup_activities for p in policies.values())
        parts = []
        if not absent:
            parts.append(self.env._("Nobody was absent."))
        else:
            if told:
                parts.append(
                    self.env._(
                        "The guardians of %(count)s absent student(s) are being notified.",
                        count=len(absent.student_id),
                    )
                )
            if calls:
                parts.append(self.env._("Their counselor gets an absence call to make today."))
        if excused and calls:
            parts.append(
                self.env._(
                    "You get a follow-up with the family of %(count)s excused student(s).",
                    count=len(excused.student_id),
                )
            )
        return " ".join(parts)

    @api.model
    def _trigger_followup_job(self):
        """Start the follow-up job as soon as the transaction commits (the cron's id from
        the ORM cache of XML ids: no query to find it on the teacher's path)."""
        IrModelData = self.env["ir.model.data"]
        cron_id = IrModelData._xmlid_to_res_id("training_attendance.ir_cron_process_absences")
        self.env["ir.cron"].browse(cron_id)._trigger()

    def _run_validation_followups(self):
        """What follows a validation, for the follow-up job: the enrolments' hours and
        lateness counted, the guardians told of each unexcused absence, the absence calls
        and leave follow-ups, the make-ups (one to plan per absence, make-up seats done or
        missed), the escalation ladder, the first-lesson follow-ups; each as the campus
        policy says. Safe to run again."""
        sessions = self.sudo()
        lines = sessions.attendance_line_ids
        lines.enrollment_id._recount_attendance()
        lines._notify_guardians()
        lines._schedule_absence_followups()
        self.env["training.makeup"]._sync_lines(lines)
        lines.enrollment_id._check_escalations()
        sessions._schedule_first_lesson_followups()
        sessions.write({"followup_pending": False})

    def action_cancel(self):
        self._check_state(("planned", "open"), self.env._("Cancellation"))
        self._check_is_teacher(self.env._("Cancellation"))
        self._guarded_write({"state": "cancelled"})
        return True

    def action_reset_to_planned(self):
        self._check_state(("cancelled",), self.env._("Re-planning"))
        self._check_is_teacher(self.env._("Re-planning"))
        with_lines = self.filtered("attendance_line_ids")
        with_lines._guarded_write({"state": "open"})
        (self - with_lines)._guarded_write({"state": "planned"})
        return True
