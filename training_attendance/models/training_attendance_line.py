from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .training_session import CLERK_GROUP

TRACKED_FIELDS = ("status", "late_minutes", "left_early_minutes", "note")


class TrainingAttendanceLine(models.Model):
    """One student in one session."""

    _name = "training.attendance.line"
    _description = "Attendance Line"
    _order = "session_start desc, student_name, id"
    _rec_name = "student_id"
    _inherit = ["training.value.mixin"]
    _value_bounds = {"late_minutes": (0, 1440), "left_early_minutes": (0, 1440)}
    # kept by the notice and follow-up jobs: a user who could set them would silence them
    _system_fields = (
        "notice_state",
        "guardian_notified_at",
        "followup_scheduled",
        "followup_activity_id",
    )

    session_id = fields.Many2one(
        comodel_name="training.session",
        required=True,
        index=True,
        ondelete="cascade",
    )
    student_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("is_student", "=", True)],
    )
    student_name = fields.Char(
        related="student_id.name", string="Student name", store=True, precompute=True
    )
    student_code = fields.Char(related="student_id.student_code")
    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        related="session_id.company_id", store=True, index=True, precompute=True
    )
    class_id = fields.Many2one(
        related="session_id.class_id", store=True, index=True, precompute=True
    )
    course_id = fields.Many2one(related="session_id.course_id", store=True, precompute=True)
    teacher_id = fields.Many2one(
        related="session_id.teacher_id", store=True, index=True, precompute=True
    )
    session_start = fields.Datetime(
        related="session_id.start", store=True, string="Session start", precompute=True
    )
    session_state = fields.Selection(related="session_id.state", string="Session status")
    counselor_id = fields.Many2one(related="student_id.counselor_id", string="Counselor")
    status = fields.Selection(
        selection=[
            ("pending", "Unmarked"),
            ("present", "Present"),
            ("absent", "Absent"),
            ("excused", "Excused"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    late_minutes = fields.Integer(string="Minutes late")
    left_early_minutes = fields.Integer(string="Minutes left early")
    absence_equivalent = fields.Integer(
        string="Absence equivalents",
        compute="_compute_absence_equivalent",
        store=True,
        precompute=True,
        aggregator="sum",
        help="Absences counted because this line's late and early-leave minutes took the "
        "enrolment's running total past the policy's lateness threshold.",
    )
    hours_consumed = fields.Float(
        string="Hours consumed",
        compute="_compute_hours_consumed",
        store=True,
        precompute=True,
        aggregator="sum",
    )
    note = fields.Char()
    is_locked = fields.Boolean(compute="_compute_is_locked")
    makeup_id = fields.Many2one(
        comodel_name="training.makeup",
        string="Make-up of",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="Set on a make-up seat: the make-up this line attends.",
    )

    _sql_constraints = [
        (
            "session_student_uniq",
            "unique(session_id, student_id)",
            "A student appears only once in a session.",
        ),
        (
            "minutes_positive",
            "CHECK(late_minutes >= 0 AND left_early_minutes >= 0)",
            "Late and early-leave minutes cannot be negative.",
        ),
    ]

    @api.depends("session_id.state")
    def _compute_is_locked(self):
        for line in self:
            line.is_locked = line.session_id.state in ("done", "cancelled")

    # Every stored computation of a line is precomputed: opening a sheet is one INSERT.
    # Hours and lateness are counted when the teacher validates the session, not at each
    # tap on an open sheet. The enrolment's balance and its other lines are counted again
    # by the follow-up job and by corrections (training.enrollment._recount_attendance).
    @api.depends("session_id.validated_at")
    def _compute_absence_equivalent(self):
        """SPEC §3: each time the running total of late and early-leave minutes of an
        enrolment passes ``late_threshold_percent`` of one lesson, one absence
        equivalent is counted, on the line that crossed it (validated sessions only)."""
        enrollments = self.filtered(lambda line: line.session_id.state == "done").enrollment_id
        result = {}
        if enrollments:
            policies = self.env["training.policy"]._get_for_companies(enrollments.company_id)
            lines = self.search_fetch(
                [("enrollment_id", "in", enrollments.ids), ("session_id.state", "=", "done")],
                ["enrollment_id", "session_start", "status", "late_minutes", "left_early_minutes"],
                order="session_start, id",
            )
            by_enrollment = defaultdict(list)
            for line in lines:
                by_enrollment[line.enrollment_id].append(line)
            for enrollment, its_lines in by_enrollment.items():
                percent = policies[enrollment.company_id.id].late_threshold_percent
                threshold = enrollment.course_id.lesson_duration * 60 * percent / 100
                total = 0
                for line in its_lines:
                    if line.status != "present" or threshold <= 0:
                        continue
                    before = total
                    total += line.late_minutes + line.left_early_minutes
                    result[line.id] = int(total // threshold) - int(before // threshold)
        for line in self:
            line.absence_equivalent = result.get(line.id, 0)

    @api.depends("session_id.state", "session_id.duration")
    def _compute_hours_consumed(self):
        """SPEC §3: present (late included) consumes the lesson; excused never; unexcused
        absence only if the campus policy says so. Counted once the session is validated."""
        policies = self.env["training.policy"]._get_for_companies(self.session_id.company_id)
        for line in self:
            session = line.session_id
            consumes = line.status == "present" or (
                line.status == "absent"
                and policies[session.company_id.id].unexcused_absence_consumes_hours
            )
            line.hours_consumed = session.duration if consumes and session.state == "done" else 0.0

    @api.constrains("late_minutes", "left_early_minutes", "status")
    def _check_minutes(self):
        for line in self:
            if line.late_minutes < 0 or line.left_early_minutes < 0:
                raise ValidationError(
                    self.env._("Late and early-leave minutes cannot be negative.")
                )
            if (line.late_minutes or line.left_early_minutes) and line.status != "present":
                raise ValidationError(
                    self.env._(
                        "%(student)s is not marked present: late or early-leave minutes "
                        "apply to a student who attended.",
                        student=line.student_id.name,
                    )
                )
            if line.late_minutes + line.left_early_minutes > line.session_id.duration * 60:
                raise ValidationError(
                    self.env._(
                        "%(student)s: late and early-leave minutes exceed the session's length.",
                        student=line.student_id.name,
                    )
                )

    @api.constrains("student_id", "enrollment_id", "session_id", "makeup_id")
    def _check_enrollment_student(self):
        """A line is a student of the class that day: the student holds an enrolment of
        the session's class (or of a class they were transferred from), or a make-up seat
        planned into the session."""
        for line in self.sudo():
            session, enrollment, makeup = line.session_id, line.enrollment_id, line.makeup_id
            if makeup:
                if makeup.student_id != line.student_id or makeup.session_id != session:
                    raise ValidationError(
                        self.env._(
                            "%(student)s has no make-up seat planned in %(session)s.",
                            student=line.student_id.display_name,
                            session=session.display_name,
                        )
                    )
                continue
            if not enrollment or enrollment.student_id != line.student_id:
                raise ValidationError(
                    self.env._(
                        "%(student)s: an attendance line needs the student's own enrolment.",
                        student=line.student_id.display_name,
                    )
                )
            enrolled = session.class_id == enrollment.class_id or (
                session.class_id in enrollment.event_ids.from_class_id  # transferred since
            )
            if not enrolled or enrollment.state in ("draft", "review"):
                raise ValidationError(
                    self.env._(
                        "%(student)s is not enrolled in %(klass)s.",
                        student=line.student_id.display_name,
                        klass=session.class_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    def _check_unlocked(self, sessions):
        locked = sessions.filtered(lambda s: s.state in ("done", "cancelled"))
        if locked and not (self.env.su or self.env.user.has_group(CLERK_GROUP)):
            raise UserError(
                self.env._(
                    "The attendance of %(name)s is validated and locked; only an attendance "
                    "clerk can correct it.",
                    name=locked[0].display_name,
                )
            )
        return locked

    @api.model_create_multi
    def create(self, vals_list):
        sessions = self.env["training.session"].browse({v.get("session_id") for v in vals_list})
        locked = self._check_unlocked(sessions)
        lines = super().create(vals_list)
        if locked:  # a clerk adding a student to validated attendance
            lines.filtered(lambda line: line.session_id in locked)._recount()
        return lines

    def write(self, vals):
        moved = {"session_id", "student_id", "enrollment_id", "makeup_id"} & set(vals)
        if moved and not self.env.su:
            raise UserError(
                self.env._(
                    "An attendance line stays in its session, for its student: "
                    "%(fields)s cannot change.",
                    fields=", ".join(self._fields[f]._description_string(self.env) for f in moved),
                )
            )
        locked = self._check_unlocked(self.session_id)
        if locked and vals.get("status") == "pending":
            raise UserError(
                self.env._(
                    "The attendance of %(name)s is validated: a student cannot become "
                    "unmarked again.",
                    name=locked[0].display_name,
                )
            )
        minutes = vals.get("late_minutes") or vals.get("left_early_minutes")
        if minutes and "status" not in vals:
            self.filtered(lambda line: line.status == "pending").write({"status": "present"})
        if vals.get("status") in ("absent", "excused"):
            vals = dict(vals, late_minutes=0, left_early_minutes=0)
        tracked = [f for f in TRACKED_FIELDS if f in vals]
        corrected = (
            self.filtered(lambda line: line.session_id in locked) if tracked else self.browse()
        )
        before = {line.id: {f: line[f] for f in tracked} for line in corrected}
        res = super().write(vals)
        if corrected:
            corrected._recount()
            corrected._post_corrections(before, tracked)
            # a correction of validated attendance can reach an escalation threshold
            corrected.enrollment_id._recheck_escalations()
        if corrected and "status" in vals:
            # a correction of validated attendance follows on the make-ups (SPEC §4)
            self.env["training.makeup"]._sync_lines(corrected)
        return res

    def unlink(self):
        if any(line.status != "pending" or line.session_id.state == "done" for line in self):
            raise UserError(self.env._("Recorded attendance cannot be deleted."))
        return super().unlink()

    def _recount(self):
        """A correction of validated attendance: its hours, and the lateness and balance
        of its enrolments, are counted again."""
        self.env.add_to_compute(self._fields["hours_consumed"], self)
        self.enrollment_id._recount_attendance()

    def _post_corrections(self, before, tracked):
        """Track a correction of validated attendance in the session's chatter."""
        by_session = defaultdict(list)
        for line in self:
            changes = []
            for fname in tracked:
                field = self._fields[fname]
                old, new = before[line.id][fname], line[fname]
                if old == new:
                    continue
                if field.type == "selection":
                    labels = dict(field._description_selection(self.env))
                    old, new = labels.get(old, old), labels.get(new, new)
                changes.append(
                    Markup("%s: %s &rarr; %s")
                    % (field._description_string(self.env), old or "", new or "")
                )
            if changes:
                by_session[line.session_id].append(
                    Markup("<li>%s — %s</li>") % (line.student_id.name, Markup("; ").join(changes))
                )
        for session, items in by_session.items():
            session.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    escape(self.env._("Attendance corrected after validation:")),
                    Markup("").join(items),
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------ one-tap marking
    def _mark(self, vals):
        self.session_id._check_state(("open",), self.env._("Marking attendance"))
        self.session_id._check_is_teacher(self.env._("Marking attendance"))
        self.write(vals)
        return True

    def action_set_present(self):
        return self._mark({"status": "present"})

    def action_set_absent(self):
        return self._mark({"status": "absent"})

    def action_set_excused(self):
        return self._mark({"status": "excused"})

    def _tap_minutes(self):
        """Minutes of one tap on Late / Left early: the campus policy's ``tap_minutes``."""
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        return {line.id: policies[line.company_id.id].tap_minutes for line in self}

    def action_add_late(self):
        """One tap = the policy's minutes more late (and present)."""
        taps = self._tap_minutes()
        for line in self:
            line._mark({"status": "present", "late_minutes": line.late_minutes + taps[line.id]})
        return True

    def action_add_left_early(self):
        taps = self._tap_minutes()
        for line in self:
            line._mark(
                {
                    "status": "present",
                    "left_early_minutes": line.left_early_minutes + taps[line.id],
                }
            )
        return True
