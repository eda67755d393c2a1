import base64
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase, enroll

# 7 October 2026 is a Wednesday: the class meets on Wednesdays at 16:00 (UTC).
MONDAY = date(2026, 10, 12)


@tagged("post_install", "-at_install")
class TestLeaveRequest(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.company.resource_calendar_id
        cls.calendar.tz = "UTC"
        cls.student = cls.students[0]
        # Monday 09:00, the first covered session of most tests
        cls.monday = cls._session(MONDAY, hour=9)
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.Leave = cls.env["training.leave.request"]

    def _leave(self, sessions, user=None, leave_type="personal", **vals):
        """A draft leave of ``student`` for ``sessions``, created in the form."""
        with Form(self.Leave.with_user(user or self.counselor)) as form:
            form.student_id = vals.pop("student", self.student)
            form.leave_type = leave_type
            form.reason = "Family trip"
            for session in sessions:
                form.session_ids.add(session)
        leave = form.record
        if vals:
            leave.write(vals)
        return leave

    def _certificate(self, user=None):
        return (
            self.env["ir.attachment"]
            .with_user(user or self.counselor)
            .create(
                {
                    "name": "certificate.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 certificate"),
                    "res_model": "training.leave.request",
                    "res_id": 0,
                }
            )
        )

    # ------------------------------------------------------------------ notice
    def test_notice_is_counted_in_working_days_across_a_weekend(self):
        on_friday = self._leave(self.monday)
        with freeze_time("2026-10-09 17:00:00"):  # Friday: one working day before
            on_friday.action_submit()
        self.assertEqual(on_friday.state, "submitted")
        self.assertFalse(on_friday.is_late)
        self.assertEqual(on_friday.submitted_at, datetime(2026, 10, 9, 17, 0))
        for when in ("2026-10-10 10:00:00", "2026-10-11 20:00:00"):  # Saturday, Sunday
            leave = self._leave(self.monday, student=self.students[1])
            with freeze_time(when):
                leave.action_submit()
            self.assertTrue(leave.is_late, f"{when}: no working day left, an emergency")
            leave.action_cancel()

    def test_working_days_skip_weekends_and_public_holidays(self):
        thursday = date(2026, 10, 8)
        self.assertEqual(self.policy._working_days_between(thursday, MONDAY), 2)
        self.assertEqual(self.policy._working_days_between(date(2026, 10, 10), MONDAY), 0)
        self.assertEqual(self.policy._working_days_between(MONDAY, thursday), 0)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 10, 9, 0, 0),
                "date_to": datetime(2026, 10, 9, 23, 59, 59),
            }
        )
        self.assertEqual(self.policy._working_days_between(thursday, MONDAY), 1)
        self.policy.leave_notice_days = 2
        leave = self._leave(self.monday)
        with freeze_time("2026-10-08 10:00:00"):
            leave.action_submit()
        self.assertTrue(leave.is_late, "Thursday + holiday Friday: 1 working day out of 2")

    def test_emergency_leave_inside_the_window_is_accepted_late(self):
        leave = self._leave(self.monday)
        with freeze_time("2026-10-12 10:30:00"):  # 1.5 hours after the start
            leave.action_submit()
        self.assertEqual(leave.state, "submitted")
        self.assertTrue(leave.is_late)

    def test_emergency_leave_outside_the_window_is_refused(self):
        leave = self._leave(self.monday)
        with (
            freeze_time("2026-10-12 11:30:00"),
            self.assertRaisesRegex(UserError, "Too late for .*up to 2.0 hour"),
        ):
            leave.action_submit()
        self.assertEqual(leave.state, "draft")
        self.assertFalse(leave.is_late)
        self.assertFalse(leave.submitted_at)
        self.assertFalse(leave.activity_ids)

    def test_two_campuses_have_their_own_notice(self):
        campus2 = self.env["res.company"].create({"name": "Campus 2"})
        campus2.resource_calendar_id.tz = "UTC"
        self.env["training.policy"]._get_for_company(campus2).leave_notice_days = 3
        course2 = self.env["training.course"].create(
            {"name": "Art", "company_id": campus2.id, "lesson_duration": 2}
        )
        class2 = self.env["training.class"].create(
            {"name": "Art Monday", "course_id": course2.id, "company_id": campus2.id}
        )
        enroll(self.Leave.with_company(campus2).env, self.student, class2, date(2026, 9, 1))
        monday2 = self._session(MONDAY, klass=class2, hour=9)
        leave1 = self.Leave.create(
            {"student_id": self.student.id, "reason": "Trip", "session_ids": self.monday.ids}
        )
        leave2 = self.Leave.create(
            {
                "student_id": self.student.id,
                "reason": "Trip",
                "company_id": campus2.id,
                "session_ids": monday2.ids,
            }
        )
        with freeze_time("2026-10-08 10:00:00"):  # Thursday: 2 working days before
            (leave1 | leave2).action_submit()
        self.assertFalse(leave1.is_late, "campus 1: 1 working day of notice")
        self.assertTrue(leave2.is_late, "campus 2: 3 working days of notice")

    # ------------------------------------------------------------------ bad input
    def test_sick_leave_needs_a_certificate(self):
        leave = self._leave(self.monday, leave_type="sick")
        with (
            freeze_time("2026-10-08 10:00:00"),
            self.assertRaisesRegex(UserError, "sick leave needs the medical certificate"),
        ):
            leave.action_submit()
        self.assertEqual(leave.state, "draft")
        self.assertFalse(leave.submitted_at)
        certificate = self._certificate()
        leave.attachment_ids = [Command.link(certificate.id)]
        self.assertEqual(
            (certificate.res_model, certificate.res_id), ("training.leave.request", leave.id)
        )
        with freeze_time("2026-10-08 10:00:00"):
            leave.action_submit()
        self.assertEqual(leave.state, "submitted")

    def test_leave_ending_before_it_starts_is_refused(self):
        mine = [("student_id", "=", self.student.id)]
        count = self.Leave.search_count(mine)
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self.Leave.with_user(self.counselor).create(
                {
                    "student_id": self.student.id,
                    "reason": "Trip",
                    "date_from": date(2026, 10, 14),
                    "date_to": date(2026, 10, 12),
                }
            )
        self.assertEqual(self.Leave.search_count(mine), count)
        leave = self._leave(self.monday)
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            leave.write({"date_from": date(2026, 10, 14), "date_to": date(2026, 10, 12)})
        self.assertFalse(leave.date_from)
        self.assertEqual(leave.session_ids, self.monday)

    def test_a_leave_without_session_cannot_be_submitted(self):
        leave = self._leave(self.env["training.session"])
        with self.assertRaisesRegex(UserError, "covers no session"):
            leave.action_submit()
        self.assertEqual(leave.state, "draft")

    # ------------------------------------------------------------------ approval
    def test_date_range_covers_the_students_sessions(self):
        other_class = self.klass.copy({"name": "Other class"})
        self._session(date(2026, 10, 13), klass=other_class)
        wednesday = self._session(date(2026, 10, 14))
        self._session(date(2026, 10, 21))
        with Form(self.Leave.with_user(self.counselor)) as form:
            form.student_id = self.student
            form.reason = "Family trip"
            form.date_from = MONDAY
            form.date_to = date(2026, 10, 16)
        self.assertEqual(form.record.session_ids, self.monday | wednesday)

    def test_approval_excuses_existing_and_future_lines(self):
        validated = self._session(date(2026, 10, 7))
        validated.action_open()
        validated.action_mark_rest_present()
        self._validate_and_follow(validated)
        self.monday.action_open()
        later = self._session(date(2026, 10, 14))
        leave = self.Leave.with_user(self.counselor).create(
            {
                "student_id": self.student.id,
                "reason": "Hospital",
                "date_from": date(2026, 10, 7),
                "date_to": date(2026, 10, 16),
            }
        )
        self.assertEqual(leave.session_ids, validated | self.monday | later)
        with freeze_time("2026-10-07 17:00:00"):  # one hour after the first session started
            leave.action_submit()
        self.assertTrue(leave.is_late)
        activity = leave.activity_ids
        self.assertEqual(activity.user_id, self.counselor)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("training_attendance.mail_activity_leave_approval"),
        )
        messages = len(validated.message_ids)
        with freeze_time("2026-10-08 09:00:00"):
            leave.with_user(self.counselor).action_approve()
        self.assertEqual(leave.state, "approved")
        self.assertEqual(leave.approved_by_id, self.counselor)
        self.assertEqual(leave.approved_at, datetime(2026, 10, 8, 9, 0))
        self.assertFalse(leave.activity_ids, "the approval closes the activity")

        def status(session, student=self.student):
            line = session.attendance_line_ids.filtered(lambda ln: ln.student_id == student)
            return line.status

        self.assertEqual(status(validated), "excused")
        self.assertEqual(status(validated, self.students[1]), "present")
        self.assertEqual(validated.attendance_line_ids[0].hours_consumed, 0.0)
        self.assertEqual(len(validated.message_ids), messages + 1)
        self.assertIn("corrected after validation", validated.message_ids[0].body)
        self.assertIn(self.student.name, validated.message_ids[0].body)
        self.assertEqual(status(self.monday), "excused", "a pending line of an open session")
        self.assertEqual(status(self.monday, self.students[1]), "pending")
        # sessions opened later, planned before or after the approval
        planned_after = self._session(date(2026, 10, 15))
        (later | planned_after).with_user(self.teacher).action_open()
        self.assertEqual(status(later), "excused")
        self.assertEqual(status(planned_after), "excused", "in the leave's date range")
        self.assertEqual(status(later, self.students[1]), "pending")
        after_leave = self._session(date(2026, 10, 21))
        after_leave.action_open()
        self.assertEqual(status(after_leave), "pending")

    def test_each_session_of_a_long_leave_gives_a_makeup_to_plan(self):
        """Two weeks off: every session the leave covers, once validated, leaves one
        make-up to plan for the student: a long leave's make-up plan is these make-ups
        (no separate plan model)."""
        sessions = (
            self.monday | self._session(date(2026, 10, 14)) | self._session(date(2026, 10, 19))
        )
        leave = self.Leave.with_user(self.counselor).create(
            {
                "student_id": self.student.id,
                "reason": "Hospital",
                "leave_type": "sick",
                "date_from": MONDAY,
                "date_to": date(2026, 10, 23),
                "attachment_ids": [Command.set(self._certificate().ids)],
            }
        )
        with freeze_time("2026-10-08 09:00:00"):
            leave.action_submit()
            leave.with_user(self.counselor).action_approve()
        sessions.action_open()
        sessions.action_mark_rest_present()
        self._validate_and_follow(sessions)
        makeups = self.env["training.makeup"].search([("student_id", "=", self.student.id)])
        self.assertEqual(makeups.missed_session_id, sessions)
        self.assertEqual(set(makeups.mapped("state")), {"to_plan"})
        self.assertEqual(set(makeups.mapped("missed_status")), {"excused"})
        others = self.env["training.makeup"].search(
            [("missed_session_id", "in", sessions.ids), ("student_id", "!=", self.student.id)]
        )
        self.assertFalse(others, "the classmates were present")

    def test_head_teacher_or_clerk_approves_others_are_refused(self):
        leave = self._leave(self.monday)
        with freeze_time("2026-10-08 10:00:00"):
            leave.action_submit()
        with self.assertRaises(AccessError):
            leave.with_user(self.teacher2).action_approve()
        with self.assertRaisesRegex(UserError, "approved by the student's counselor"):
            leave.with_user(self.teacher).action_approve()
        # a head teacher of another class of the student reads the leave, cannot approve it
        other_head = self._user("ta_head2", "training_attendance.group_counselor")
        other_class = self.klass.copy({"name": "Other class", "head_teacher_id": other_head.id})
        self._enroll(self.student, other_class, date(2026, 9, 1))
        with self.assertRaisesRegex(UserError, "approved by the student's counselor"):
            leave.with_user(other_head).action_approve()
        self.assertEqual(leave.state, "submitted")
        self.assertFalse(leave.approved_by_id)
        leave.with_user(self.clerk).action_approve()
        self.assertEqual(leave.approved_by_id, self.clerk)

    def test_approve_or_refuse_in_a_wrong_state_is_refused(self):
        leave = self._leave(self.monday)
        with self.assertRaisesRegex(UserError, "Approval is not possible: .* is Draft"):
            leave.with_user(self.counselor).action_approve()
        self.assertEqual(leave.state, "draft")
        with freeze_time("2026-10-08 10:00:00"):
            leave.action_submit()
        leave.with_user(self.counselor).action_approve()
        with self.assertRaisesRegex(UserError, "Refusal is not possible: .* is Approved"):
            leave.with_user(self.counselor).action_refuse()
        with self.assertRaisesRegex(UserError, "not possible"):
            leave.with_user(self.counselor).action_approve()
        self.assertEqual(leave.state, "approved")

    def test_refusal_needs_a_reason_and_changes_no_line(self):
        self.monday.action_open()
        leave = self._leave(self.monday)
        with freeze_time("2026-10-08 10:00:00"):
            leave.action_submit()
        leave = leave.with_user(self.counselor)
        with self.assertRaisesRegex(UserError, "Write the refusal reason"):
            leave.action_refuse()
        self.assertEqual(leave.state, "submitted")
        self.assertEqual(
            (leave.activity_ids.activity_type_id, leave.activity_ids.user_id),
            (self.env.ref("training_attendance.mail_activity_leave_approval"), self.counselor),
            "the counselor's approval activity stays open",
        )
        leave.refusal_reason = "No valid reason"
        leave.action_refuse()
        self.assertEqual(leave.state, "refused")
        self.assertFalse(leave.activity_ids)
        self.assertEqual(set(self.monday.attendance_line_ids.mapped("status")), {"pending"})

    # ------------------------------------------------------------------ access
    def test_access_of_teacher_counselor_and_clerk(self):
        leave = self._leave(self.monday, user=self.counselor)
        self.assertEqual(leave.create_uid, self.counselor)
        # data/sequences.xml: LEA/<year>/<five digits>
        self.assertRegex(leave.name, rf"^LEA/{leave.create_date.year}/\d{{5}}$")
        # the teacher of the class reads, cannot create or change
        self.assertEqual(leave.with_user(self.teacher).reason, "Family trip")
        with self.assertRaises(AccessError):
            self.Leave.with_user(self.teacher).create(
                {"student_id": self.student.id, "reason": "x", "session_ids": self.monday.ids}
            )
        with self.assertRaises(AccessError):
            leave.with_user(self.teacher).write({"reason": "changed"})
        # a teacher of another class and another counselor's student are out of sight
        self.assertFalse(self.Leave.with_user(self.teacher2).search([("id", "=", leave.id)]))
        other = self._user("ta_counselor2", "training_attendance.group_counselor")
        self.assertFalse(self.Leave.with_user(other).search([("id", "=", leave.id)]))
        # the clerk sees and manages every leave of the campus
        self.assertEqual(self.Leave.with_user(self.clerk).search([("id", "=", leave.id)]), leave)
        leave.with_user(self.clerk).write({"reason": "Corrected"})
        self.assertEqual(leave.reason, "Corrected")

    def test_policy_delays_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.policy.leave_notice_days = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.policy.emergency_leave_hours = -0.5
        self.assertEqual((self.policy.leave_notice_days, self.policy.emergency_leave_hours), (1, 2))
