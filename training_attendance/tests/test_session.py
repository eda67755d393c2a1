from datetime import date, datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestSession(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls._session(date(2026, 10, 7))

    def test_open_lists_only_students_enrolled_that_day(self):
        later = self._students(1, prefix="Later")
        self._enroll(later, self.klass, date(2026, 10, 8))
        left = self._students(1, prefix="Left")
        left_enr = self._enroll(left, self.klass, date(2026, 9, 1))
        left_enr.write({"state": "withdrawn", "date_end": date(2026, 10, 6)})
        paused = self._students(2, prefix="Paused")
        paused_enr = self._enroll(paused, self.klass, date(2026, 9, 1))
        paused_enr[0].write({"state": "suspended", "date_suspended": date(2026, 10, 1)})
        paused_enr[1].write({"state": "suspended", "date_suspended": date(2026, 10, 20)})
        draft = self._students(1, prefix="Draft")
        self.env["training.enrollment"].create(
            {"student_id": draft.id, "class_id": self.klass.id, "date_start": date(2026, 9, 1)}
        )
        self.session.with_user(self.teacher).action_open()
        self.assertEqual(self.session.state, "open")
        self.assertEqual(
            self.session.attendance_line_ids.student_id,
            self.students | paused[1],
            "enrolled later, left earlier, suspended before or not yet active: not listed",
        )
        self.assertEqual(set(self.session.attendance_line_ids.mapped("status")), {"pending"})
        self.assertEqual(self.session.count_pending, 4)
        # opening again adds nobody twice; a student enrolled since then is added
        late_joiner = self._students(1, prefix="Joiner")
        self._enroll(late_joiner, self.klass, date(2026, 10, 1))
        self.session.with_user(self.teacher).action_open()
        self.assertEqual(len(self.session.attendance_line_ids), 5)

    def test_mark_and_validate_records_the_signature(self):
        session = self.session.with_user(self.teacher)
        session.action_open()
        lines = session.attendance_line_ids.sorted("student_name")
        lines[0].action_set_absent()
        lines[1].action_add_late()
        lines[1].action_add_late()
        self.assertEqual((lines[1].status, lines[1].late_minutes), ("present", 10))
        with self.assertRaisesRegex(
            UserError, r"^1 student\(s\) are still unmarked.*: Student 002\.$"
        ):
            session.action_validate()
        self.assertEqual(session.state, "open")
        session.action_mark_rest_present()
        self.assertEqual(lines.mapped("status"), ["absent", "present", "present"])
        with freeze_time("2026-10-07 18:05:00"):
            session.action_validate()
        self.assertEqual(session.state, "done")
        self.assertEqual(session.validated_by_id, self.teacher)
        self.assertEqual(session.validated_at, datetime(2026, 10, 7, 18, 5))
        self.assertEqual(lines.mapped("is_locked"), [True] * 3)

    def test_only_the_teacher_or_a_clerk_validates(self):
        self.session.action_open()
        self.session.action_mark_rest_present()
        with self.assertRaisesRegex(UserError, "for its teacher or an attendance clerk"):
            self.session.with_user(self.counselor).action_validate()
        with self.assertRaises(AccessError):
            self.session.with_user(self.teacher2).action_validate()
        self.assertEqual(self.session.state, "open")
        self.assertFalse(self.session.validated_by_id)
        self.session.with_user(self.clerk).action_validate()
        self.assertEqual(self.session.validated_by_id, self.clerk)

    def _validated(self):
        self.session.action_open()
        self.session.action_mark_rest_present()
        self._validate_and_follow(self.session)
        return self.session.attendance_line_ids

    def test_locked_line_cannot_be_edited_by_the_teacher(self):
        line = self._validated()[0].with_user(self.teacher)
        with self.assertRaisesRegex(UserError, "validated and locked"):
            line.write({"status": "absent"})
        with self.assertRaisesRegex(UserError, "not possible"):
            line.action_set_absent()
        self.assertEqual(line.status, "present")

    def test_clerk_correction_is_tracked_on_the_session(self):
        line = self._validated()[0].with_user(self.clerk)
        messages = len(self.session.message_ids)
        line.write({"status": "absent"})
        self.assertEqual(line.status, "absent")
        self.assertEqual(len(self.session.message_ids), messages + 1)
        body = self.session.message_ids[0].body
        self.assertIn("corrected after validation", body)
        self.assertIn(line.student_id.name, body)
        self.assertIn("Present", body)
        self.assertIn("Absent", body)
        self.assertEqual(line.hours_consumed, 0.0, "the correction updates the hours")

    def test_session_must_end_after_it_starts(self):
        with self.assertRaisesRegex(ValidationError, "end after it starts"):
            self.session.write({"stop": datetime(2026, 10, 7, 15, 0)})
        self.assertEqual(self.session.stop, datetime(2026, 10, 7, 18, 0))

    def test_duplicate_student_in_a_session_is_refused(self):
        self.session.action_open()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["training.attendance.line"].create(
                {"session_id": self.session.id, "student_id": self.students[0].id}
            )
        self.assertEqual(len(self.session.attendance_line_ids), 3)

    def test_bad_minutes_are_refused(self):
        self.session.action_open()
        line = self.session.attendance_line_ids[0].with_user(self.teacher)
        for vals, message in (
            ({"late_minutes": -5}, "Minutes late must be between 0 and 1440"),
            ({"status": "present", "left_early_minutes": 500}, "exceed the session"),
        ):
            with self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
                line.write(vals)
            self.assertEqual((line.status, line.late_minutes), ("pending", 0))
        line.action_set_absent()
        with self.assertRaisesRegex(ValidationError, "not marked present"), self.cr.savepoint():
            line.write({"late_minutes": 10})
        self.assertEqual(line.status, "absent")

    def test_typing_late_minutes_marks_present_and_absence_clears_them(self):
        self.session.action_open()
        line = self.session.attendance_line_ids[0].with_user(self.teacher)
        line.write({"late_minutes": 12})
        self.assertEqual(line.status, "present")
        line.action_set_excused()
        self.assertEqual((line.status, line.late_minutes), ("excused", 0))

    def test_cancelled_session_consumes_nothing_and_recorded_sessions_stay(self):
        lines = self._validated()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.session.unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            lines.with_user(self.clerk).unlink()
        other = self._session(date(2026, 10, 14))
        other.action_open()
        other.action_mark_rest_present()
        other.with_user(self.teacher).action_cancel()
        self.assertEqual(other.state, "cancelled")
        self.assertEqual(sum(other.attendance_line_ids.mapped("hours_consumed")), 0)
        with self.assertRaisesRegex(UserError, "not possible"):
            self.session.action_cancel()
        self.assertEqual(self.session.state, "done")
