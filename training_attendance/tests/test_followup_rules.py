from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase
from .test_followup import FollowupCase

CALL = "training_attendance.mail_activity_absence_call"
LEAVE_FOLLOWUP = "training_attendance.mail_activity_leave_followup"
ESCALATION = "training_attendance.mail_activity_escalation"
# the class meets on Wednesdays at 16:00 (UTC)
WEDNESDAYS = [date(2026, 9, 2) + timedelta(weeks=week) for week in range(8)]


@tagged("post_install", "-at_install")
class TestAbsenceFollowupRules(TrainingCase):
    """Issue #10, SPEC §4 (seed 000): follow-ups follow the kind of absence, the ladder's
    responsible persons come from the policy, the warning is a partial suspension, and
    the end-of-day job obeys the automated rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head = cls._user("ta_head", "training_attendance.group_counselor")
        cls.director = cls._user("ta_director", "training_attendance.group_director")
        cls.klass.head_teacher_id = cls.head
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.student = cls.students[0]
        cls.enrollment = cls.enrollments[0]
        cls.guardian = cls.env["res.partner"].create(
            {"name": "Guardian Li", "email": "li@example.com"}
        )
        cls.env["training.guardian.link"].create(
            {"student_id": cls.student.id, "guardian_id": cls.guardian.id, "is_primary": True}
        )
        cls.Escalation = cls.env["training.escalation"]

    def _run(self, week, marks=None):
        """The teacher validates the session of ``week`` at 18:30, ``marks``: student
        index -> vals, the others present."""
        day = WEDNESDAYS[week]
        session = self._session(day).with_user(self.teacher)
        with freeze_time(datetime.combine(day, time(18, 30))):
            session.action_open()
            lines = {line.student_id: line for line in session.attendance_line_ids}
            for index, vals in (marks or {}).items():
                lines[self.students[index]].write(vals)
            session.action_mark_rest_present()
            self._validate_and_follow(session)
        return lines

    def _absent(self, week):
        return self._run(week, {0: {"status": "absent"}})[self.student]

    def _open_activities(self, xmlid, res_model="training.enrollment"):
        """Open activities of that type on the test class's enrolments or their
        escalation steps (not on demo data)."""
        enrollments = self.env["training.enrollment"].search([("class_id", "=", self.klass.id)])
        records = (
            enrollments
            if res_model == "training.enrollment"
            else self.env[res_model].search([("enrollment_id", "in", enrollments.ids)])
        )
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", res_model),
                ("res_id", "in", records.ids),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def _steps(self):
        return self.Escalation.search([("enrollment_id", "=", self.enrollment.id)], order="id")

    # ------------------------------------------------------------------ kind changes
    def test_leave_refused_after_validation_tells_the_guardians(self):
        """The family reported a leave, so the absence was not notified; the leave is
        refused the next day: the absence stays unexcused and the guardians are told then."""
        session = self._session(date(2026, 10, 7), hour=9)
        with freeze_time("2026-10-07 08:00:00"):
            leave = self.env["training.leave.request"].create(
                {
                    "student_id": self.student.id,
                    "leave_type": "personal",
                    "reason": "Trip",
                    "session_ids": [(6, 0, session.ids)],
                }
            )
            leave.action_submit()
        with freeze_time("2026-10-07 11:05:00"):
            session.with_user(self.teacher).action_open()
            line = session.attendance_line_ids.filtered(lambda ln: ln.student_id == self.student)
            line.with_user(self.teacher).action_set_absent()
            session.with_user(self.teacher).action_mark_rest_present()
            self._validate_and_follow(session.with_user(self.teacher))
        self.assertEqual(line.notice_state, "leave")
        notices = self.student.message_ids.filtered(lambda m: "was absent" in (m.subject or ""))
        self.assertFalse(notices)
        with freeze_time("2026-10-08 10:00:00"):
            leave.refusal_reason = "Not a reason the school accepts"
            leave.with_user(self.counselor).action_refuse()
        self.assertEqual(line.status, "absent")
        self.assertEqual(line.notice_state, "sent")
        self.assertEqual(line.guardian_notified_at, datetime(2026, 10, 8, 10, 0))
        notice = self.student.message_ids.filtered(lambda m: "was absent" in (m.subject or ""))
        self.assertEqual(len(notice), 1)
        self.assertIn(self.guardian, notice.partner_ids)
        # refused again or run again: told once
        self.env["training.attendance.line"]._cron_process_absences()
        self.assertEqual(
            len(self.student.message_ids.filtered(lambda m: "was absent" in (m.subject or ""))),
            1,
        )

    def test_emergency_leave_approved_after_validation(self):
        """Seed 000: the family reports an emergency leave at 10:00 for the 09:00 lesson,
        the teacher validates the child absent, the counselor approves at 14:00."""
        session = self._session(date(2026, 10, 7), hour=9)
        with freeze_time("2026-10-07 10:00:00"):
            with Form(self.env["training.leave.request"].with_user(self.counselor)) as form:
                form.student_id = self.student
                form.leave_type = "personal"
                form.reason = "Grandfather in hospital"
                form.session_ids.add(session)
            leave = form.record
            leave.action_submit()
        self.assertTrue(leave.is_late, "inside the emergency window, flagged late")
        with freeze_time("2026-10-07 11:05:00"):
            teacher_session = session.with_user(self.teacher)
            teacher_session.action_open()
            line = teacher_session.attendance_line_ids.filtered(
                lambda ln: ln.student_id == self.student
            )
            line.action_set_absent()
            teacher_session.action_mark_rest_present()
            self._validate_and_follow(teacher_session)
        self.assertEqual(line.notice_state, "leave", "the family reported it: not told")
        call = self._open_activities(CALL)
        self.assertEqual(call.user_id, self.counselor)
        reminder = self._steps()
        self.assertEqual((reminder.level, reminder.state), ("reminder", "open"))
        self.assertEqual(reminder.user_id, self.clerk)
        with freeze_time("2026-10-07 14:00:00"):
            leave.with_user(self.counselor).action_approve()
        self.assertEqual(line.status, "excused")
        # the counselor's call is closed, with a note saying why
        self.assertFalse(call.exists() and call.active)
        self.assertFalse(self._open_activities(CALL))
        notes = self.enrollment.message_ids.mapped("body")
        self.assertTrue(any("No longer needed" in body for body in notes))
        # the teacher's leave follow-up, due that day
        followup = self._open_activities(LEAVE_FOLLOWUP)
        self.assertEqual(followup.user_id, self.teacher)
        self.assertEqual(followup.date_deadline, date(2026, 10, 7))
        self.assertEqual(line.followup_activity_id, followup)
        # the reminder, not acted on, is withdrawn; nothing counts any more
        self.assertEqual(reminder.state, "withdrawn")
        self.assertTrue(reminder.voided)
        self.assertIn("Voided by a correction", reminder.void_reason)
        self.assertFalse(self._open_activities(ESCALATION, "training.escalation"))
        self.assertEqual(self.enrollment._unexcused_absence_counts(), {self.enrollment.id: 0})
        self.assertFalse(self.guardian.message_ids.filtered(lambda m: "absent" in (m.body or "")))

    def test_clerk_correction_voids_the_steps_and_the_ladder_starts_again(self):
        first, second = self._absent(0), self._absent(1)
        reminder, commitment = self._steps()
        self.assertEqual(commitment.level, "commitment")
        reminder.with_user(self.clerk).write({"outcome": "Mother reminded"})
        reminder.with_user(self.clerk).action_done()
        with freeze_time("2026-09-10 09:00:00"):
            second.with_user(self.clerk).write({"status": "present"})
        # the commitment, not acted on, is withdrawn: its activity is closed
        self.assertEqual(commitment.state, "withdrawn")
        self.assertTrue(commitment.voided)
        self.assertFalse(commitment.activity_ids)
        self.assertEqual(reminder.state, "done")
        self.assertFalse(reminder.voided, "one absence is left: the reminder still holds")
        # the counselor's call of the corrected line is closed
        self.assertEqual(len(self._open_activities(CALL)), 1)
        self.assertEqual(self._open_activities(CALL), first.followup_activity_id)
        with freeze_time("2026-09-10 09:05:00"):
            first.with_user(self.clerk).write({"status": "excused"})
        # acted on: stays in the file, done, marked voided by the correction
        self.assertEqual(reminder.state, "done")
        self.assertTrue(reminder.voided)
        self.assertFalse(self._open_activities(CALL))
        self.assertEqual(self._open_activities(LEAVE_FOLLOWUP).user_id, self.teacher)
        # a new absence climbs the ladder again from the first step
        self._absent(2)
        steps = self._steps()
        self.assertEqual(len(steps), 3)
        new = steps[-1]
        self.assertEqual(
            (new.level, new.state, new.voided, new.count), ("reminder", "open", False, 1)
        )

    # ------------------------------------------------------------------ responsible persons
    def test_the_campus_user_of_each_role(self):
        policy = self.policy
        self.assertEqual(policy._role_user("attendance_clerk"), self.clerk, "not the manager")
        self.assertEqual(policy._role_user("campus_manager"), self.manager, "not the director")
        self.assertEqual(policy._role_user("campus_director"), self.director)
        self.assertEqual(policy._role_user("head_teacher", self.enrollment), self.head)
        self.assertEqual(policy._role_user("counselor", self.enrollment), self.counselor)
        other = self._user("ta_clerk2", "training_attendance.group_attendance_clerk")
        policy.attendance_clerk_id = other
        self.assertEqual(policy._role_user("attendance_clerk"), other, "the policy's first")
        self.klass.head_teacher_id = False
        with self.assertRaisesRegex(UserError, "Nobody is Head teacher"):
            policy._role_user("head_teacher", self.enrollment)
        # a campus where only the Administrator is a manager: nobody, never the admin
        campus2 = self.env["res.company"].create({"name": "Campus without staff"})
        self.env.ref("base.user_admin").company_ids |= campus2
        policy2 = self.env["training.policy"]._get_for_company(campus2)
        for role in ("attendance_clerk", "campus_manager", "counselor_supervisor"):
            with self.assertRaisesRegex(UserError, "Nobody holds the role .* Campus without"):
                policy2._role_user(role)

    def test_escalation_responsible_and_delays_are_policy_settings(self):
        self.assertEqual(
            (
                self.policy.escalation_reminder_role,
                self.policy.escalation_commitment_role,
                self.policy.escalation_warning_role,
                self.policy.escalation_cancellation_role,
            ),
            ("attendance_clerk", "head_teacher", "campus_manager", "campus_manager"),
            "seed 000",
        )
        self.policy.with_user(self.manager).write(
            {"escalation_reminder_role": "counselor", "escalation_reminder_days": 4}
        )
        self._absent(0)
        reminder = self._steps()
        self.assertEqual(reminder.user_id, self.counselor)
        self.assertEqual(reminder.date_deadline, WEDNESDAYS[0] + timedelta(days=4))
        activity = reminder.activity_ids
        self.assertEqual(
            (activity.user_id, activity.date_deadline),
            (self.counselor, WEDNESDAYS[0] + timedelta(days=4)),
        )

    def test_escalation_delays_are_bounded(self):
        for fname in ("escalation_reminder_days", "privileges_suspension_days"):
            for bad in (-1, 366):
                with self.assertRaisesRegex(ValidationError, "must be between 0 and 365"):
                    self.policy.with_user(self.manager).write({fname: bad})
        self.assertEqual(
            (self.policy.escalation_reminder_days, self.policy.privileges_suspension_days),
            (2, 30),
        )

    def test_the_campus_role_is_asked_once_for_many_students(self):
        """Several students reaching the reminder in one validation: the clerk is found
        once for the campus, and every step is the clerk's."""
        Policy = type(self.policy)
        calls = []
        original = Policy._role_user

        def counting(policy, role, enrollment=None):
            calls.append(role)
            return original(policy, role, enrollment)

        with patch.object(Policy, "_role_user", counting):
            self._run(0, {i: {"status": "absent"} for i in range(len(self.students))})
        reminders = self.Escalation.search(
            [("enrollment_id", "in", self.enrollments.ids), ("level", "=", "reminder")]
        )
        self.assertEqual(len(reminders), len(self.students))
        self.assertEqual(reminders.user_id, self.clerk)
        self.assertEqual(calls, ["attendance_clerk"])

    def test_nobody_in_the_role_is_a_clear_error(self):
        """Nobody holding the role must not block the teacher's validation: the step is
        recorded without responsible (never an arbitrary user) and says why."""
        self.klass.head_teacher_id = False
        self._absent(0)
        self._absent(1)
        commitment = self._steps().filtered(lambda s: s.level == "commitment")
        self.assertFalse(commitment.user_id)
        self.assertFalse(commitment.activity_ids)
        self.assertIn("Nobody is Head teacher", commitment.message_ids[:1].body)
        with self.assertRaisesRegex(UserError, "Nobody is Head teacher"):
            self.policy._role_user("head_teacher", commitment.enrollment_id)

    # ------------------------------------------------------------------ the whole ladder
    def test_one_student_from_the_first_absence_to_the_cancellation(self):
        lines = [self._absent(0), self._absent(1)]
        self.assertEqual(self._steps().mapped("user_id"), self.clerk | self.head)
        lines.append(self._absent(2))
        warning = self._steps()[-1]
        self.assertEqual((warning.level, warning.user_id), ("warning", self.manager))
        # partial suspension: still active, still attending, no make-up
        self.assertEqual(self.enrollment.state, "active")
        self.assertEqual(self.enrollment.privileges_suspended_until, date(2026, 10, 16))
        makeup = self.env["training.makeup"].search([("line_id", "=", lines[2].id)])
        with (
            freeze_time("2026-09-17 10:00:00"),
            self.assertRaisesRegex(UserError, "partially suspended until"),
        ):
            makeup.with_user(self.clerk).action_plan()
        lines.append(self._absent(3))
        self.assertTrue(lines[3], "a partially suspended student still has attendance")
        self.assertEqual(len(self._steps()), 3)
        lines.append(self._absent(4))
        cancellation = self._steps()[-1]
        self.assertEqual(cancellation.level, "cancellation")
        self.assertEqual(cancellation.count, 5)
        self.assertEqual(cancellation.user_id, self.manager)
        self.assertEqual(cancellation.activity_ids.user_id, self.manager)
        with self.assertRaises(AccessError):
            cancellation.with_user(self.clerk).action_accept()
        with freeze_time("2026-10-01 10:00:00"):
            cancellation.with_user(self.manager).action_accept()
        self.assertEqual(cancellation.state, "accepted")
        self.assertEqual(cancellation.decided_by_id, self.manager)
        self.assertEqual(self.enrollment.state, "withdrawn")

    # ------------------------------------------------------------------ one switch
    def test_notices_switched_off_stop_the_job_too(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        policy.write({"absence_notice_email": False, "absence_notice_sms": False})
        line = self._absent(0)
        self.assertEqual(line.notice_state, "disabled")
        with freeze_time("2026-09-03 20:00:00"):
            self.env["training.attendance.line"]._cron_process_absences()
        self.assertEqual(line.notice_state, "disabled", "the next day neither")
        self.assertFalse(
            self.student.message_ids.filtered(lambda m: "was absent" in (m.subject or ""))
        )
        self.assertTrue(self._open_activities(CALL), "the other rules still run")
        self.assertEqual(self._steps().level, "reminder")


@tagged("post_install", "-at_install")
class TestCounselorFollowupRules(FollowupCase):
    """Issue #10, SPEC §5 (seed 002): deadlines follow the sessions and the counselor,
    follow-ups on the student count, scores need their analysis."""

    def test_first_lesson_moved_earlier_moves_the_notice(self):
        with freeze_time("2026-10-01 09:00"):
            session = self._session(date(2026, 10, 14))  # Wednesday 16:00
            enrollment = self._sign()
            enrollment.action_activate()
        notice = self._activities(enrollment, "pre_lesson_notice")
        self.assertEqual(notice.date_deadline, date(2026, 10, 13))
        with freeze_time("2026-10-02 09:00"):
            session.with_user(self.clerk).write(
                {"start": datetime(2026, 10, 7, 16), "stop": datetime(2026, 10, 7, 18)}
            )
        self.assertEqual(notice.date_deadline, date(2026, 10, 6), "moved with the lesson")
        with freeze_time("2026-10-02 09:00"):
            monday = self._session(date(2026, 10, 5))
        self.assertEqual(notice.date_deadline, date(2026, 10, 2), "an earlier lesson: Friday")
        with freeze_time("2026-10-02 10:00"):
            monday.with_user(self.clerk).action_cancel()
        self.assertEqual(notice.date_deadline, date(2026, 10, 6), "cancelled: back to Tuesday")
        self.assertEqual(self._activities(enrollment, "pre_lesson_notice"), notice, "one")

    def test_twentieth_lesson_planned_after_the_first_lesson(self):
        daily = self.klass.copy({"name": "After-school care, every day"})
        monday = date(2026, 10, 5)
        days = [monday + timedelta(days=d) for d in range(35) if d % 7 < 5]

        def plan(some_days):
            return self.env["training.session"].create(
                [
                    {
                        "class_id": daily.id,
                        "start": datetime.combine(day, time(16)),
                        "stop": datetime.combine(day, time(18)),
                    }
                    for day in some_days
                ]
            )

        with freeze_time("2026-10-01 09:00"):
            enrollment = self._sign(daily)
            enrollment.action_activate()
            first_week = plan(days[:5])
        self._activities(enrollment).unlink()  # handover and notice: not the point here
        self._validate(first_week.sorted("start")[0])
        deadlines = self._deadlines(enrollment)
        self.assertEqual(deadlines["tutoring_plan"], date(2026, 11, 2), "4 weeks")
        # the stage summary is delivered early; the rest of the term is planned
        stage = self._activities(enrollment, "stage_summary")
        stage.action_done()
        with freeze_time("2026-10-06 09:00"):
            plan(days[5:])
        deadlines = self._deadlines(enrollment)
        self.assertEqual(deadlines["tutoring_plan"], date(2026, 10, 30), "the 20th lesson first")
        self.assertNotIn("stage_summary", deadlines, "done stays done")
        self.assertEqual(deadlines["learning_plan"], date(2026, 10, 26), "not session-bound")

    def test_counselor_named_after_the_contract_gets_the_file(self):
        self.student.counselor_id = False
        with freeze_time("2026-10-02 10:00"):  # Friday
            enrollment = self.Enrollment.with_user(self.clerk).create(
                {
                    "student_id": self.student.id,
                    "class_id": self.klass.id,
                    "date_contract": date(2026, 10, 2),
                    "hours_purchased": 40,
                }
            )
            enrollment.action_submit()
            enrollment.action_guardian_confirm()
        self.assertFalse(self._activities(enrollment), "nobody to give it to")
        with freeze_time("2026-10-05 09:00"):  # Monday
            self.student.with_user(self.clerk).counselor_id = self.counselor
        self.assertEqual(enrollment.counselor_id, self.counselor)
        handover = self._activities(enrollment, "handover")
        self.assertEqual(handover.user_id, self.counselor)
        self.assertEqual(handover.date_deadline, date(2026, 10, 6), "from the contract date")
        # another counselor takes the student over: the open deadlines follow
        other = self._user("ta_counselor2", "training_attendance.group_counselor")
        with freeze_time("2026-10-05 11:00"):
            self.student.with_user(self.clerk).counselor_id = other
        self.assertEqual(enrollment.counselor_id, other)
        self.assertEqual(self._activities(enrollment, "handover"), handover, "moved, not doubled")
        self.assertEqual(handover.user_id, other)

    def test_followup_on_the_student_counts_for_the_enrolment(self):
        with freeze_time("2026-10-02 10:00"):
            enrollment = self._sign()
        with freeze_time("2026-10-02 15:00"), Form(self.Followup.with_user(self.counselor)) as form:
            form.student_id = self.student
            form.kind = "handover"
            form.summary = "File received from the consultant"
        followup = form.record
        self.assertEqual(followup.enrollment_id, enrollment, "the only open enrolment")
        self.assertFalse(self._activities(enrollment, "handover"))
        self.assertTrue(self._activities(enrollment, "first_call"))

    def test_followup_on_a_student_with_several_enrolments_counts_for_each(self):
        other = self.klass.copy({"name": "Maths G5 Friday"})
        with freeze_time("2026-10-02 10:00"):
            first, second = self._sign(), self._sign(other)
        with freeze_time("2026-10-02 15:00"):
            followup = self.Followup.with_user(self.counselor).create(
                {"student_id": self.student.id, "kind": "handover", "summary": "File received"}
            )
        self.assertFalse(followup.enrollment_id)
        for enrollment in (first, second):
            self.assertFalse(self._activities(enrollment, "handover"))
            self.assertEqual(
                self._activities(enrollment, "first_call").date_deadline, date(2026, 10, 5)
            )


@tagged("post_install", "-at_install")
class TestScoreRules(TrainingCase):
    """SPEC §5: a score is entered within a week with its analysis; the counselor
    supervisor reads the scores of the campus."""

    @freeze_time("2026-10-01 09:00:00")
    def test_reminder_closes_with_the_analysis_only(self):
        score = self.env["training.score"].create(
            {
                "student_id": self.students[0].id,
                "subject": "Maths",
                "date": date(2026, 10, 5),
                "state": "planned",
            }
        )
        entry = self.env.ref("training_attendance.mail_activity_score_entry")
        self.assertEqual(score.activity_ids.activity_type_id, entry)
        score.with_user(self.counselor).write({"score": 71})
        self.assertEqual(score.state, "recorded")
        self.assertEqual(score.activity_ids.activity_type_id, entry, "no analysis yet")
        score.with_user(self.counselor).analysis = "Geometry improved; fractions to review."
        self.assertFalse(score.activity_ids)

    def test_supervisor_reads_the_scores_of_the_campus(self):
        supervisor = self._user("ta_supervisor", "training_attendance.group_counselor_supervisor")
        score = self.env["training.score"].create(
            {"student_id": self.students[0].id, "subject": "Maths", "score": 48}
        )
        self.assertEqual(
            self.env["training.score"].with_user(supervisor).search([]), score, "not theirs"
        )
        self.assertEqual(score.with_user(supervisor).score, 48)
        with self.assertRaises(AccessError):
            score.with_user(supervisor).write({"score": 90})
