from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestEnrollment(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.newcomer = cls._students(1, prefix="Newcomer")
        cls.mother = cls.env["res.partner"].create({"name": "Newcomer's mother"})
        cls.env["training.guardian.link"].create(
            {"student_id": cls.newcomer.id, "guardian_id": cls.mother.id, "is_primary": True}
        )
        cls.other_class = cls.env["training.class"].create(
            {"name": "Maths G5 Friday", "course_id": cls.course.id, "teacher_id": cls.teacher2.id}
        )

    def _new(self, state="draft", **vals):
        """A new enrolment of the counselor, brought to ``state`` by its buttons."""
        enrollment = (
            self.env["training.enrollment"]
            .with_user(self.counselor)
            .create(
                {
                    "student_id": self.newcomer.id,
                    "class_id": self.klass.id,
                    "hours_purchased": 30,
                    **vals,
                }
            )
        )
        if state == "confirmed":
            enrollment.action_submit()
            enrollment.action_guardian_confirm()
        return enrollment

    def _transition(self, enrollment, kind, day, reason="", **vals):
        action = getattr(enrollment, f"action_{kind}")()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.counselor)
            .with_context(**action["context"])
        )
        wizard.date = day
        wizard.reason = reason or f"{kind} for testing"
        for key, value in vals.items():
            setattr(wizard, key, value)
        wizard.save().action_confirm()

    def _commit_tracking(self):
        """Each click is its own transaction in the web client: write its tracking."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_lifecycle_is_recorded_with_date_and_reason(self):
        enrollment = self._new(date_start=date(2026, 9, 1))
        self._commit_tracking()
        self.assertEqual(enrollment.state, "draft")
        for action in (
            enrollment.action_submit,
            enrollment.action_guardian_confirm,
            enrollment.action_activate,
        ):
            with freeze_time("2026-08-28 10:30:00"):
                action()
            self._commit_tracking()
        self.assertEqual(enrollment.guardian_confirmed_at, datetime(2026, 8, 28, 10, 30))
        self.assertEqual(enrollment.state, "active")
        self.assertEqual(enrollment.date_start, date(2026, 9, 1))
        self._transition(enrollment, "suspend", date(2026, 10, 5), "Family trip")
        self._commit_tracking()
        self.assertEqual(enrollment.state, "suspended")
        self.assertEqual(enrollment.date_suspended, date(2026, 10, 5))
        self._transition(enrollment, "resume", date(2026, 10, 19))
        self._commit_tracking()
        self.assertEqual(enrollment.state, "active")
        self._transition(enrollment, "withdraw", date(2026, 11, 2), "Moved away")
        self._commit_tracking()
        self.assertEqual((enrollment.state, enrollment.date_end), ("withdrawn", date(2026, 11, 2)))
        kinds = enrollment.event_ids.sorted("id").mapped("kind")
        self.assertEqual(kinds, ["submit", "confirm", "activate", "suspend", "resume", "withdraw"])
        suspend = enrollment.event_ids.filtered(lambda e: e.kind == "suspend")
        self.assertEqual((suspend.date, suspend.reason), (date(2026, 10, 5), "Family trip"))
        self.assertEqual(suspend.user_id, self.counselor)
        # the chatter tracks each state change too
        tracked = enrollment.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(len(tracked), 6)

    def test_wrong_transition_is_refused_and_changes_nothing(self):
        enrollment = self._new()
        with self.assertRaisesRegex(UserError, "not possible"):
            enrollment.action_activate()
        self.assertEqual(enrollment.state, "draft")
        self.assertFalse(enrollment.event_ids)

    def test_guardian_confirmation_needs_a_paying_guardian(self):
        enrollment = self._new(guardian_id=False)
        enrollment.action_submit()
        with self.assertRaisesRegex(UserError, "no paying guardian"):
            enrollment.action_guardian_confirm()
        self.assertEqual(enrollment.state, "review")

    def test_second_open_enrolment_in_the_same_class_is_refused(self):
        first = self._new()
        with self.assertRaisesRegex(ValidationError, "already has an open enrolment"):
            self._new()
        self.assertEqual(
            self.env["training.enrollment"].search_count([("student_id", "=", self.newcomer.id)]),
            1,
        )
        # another class is fine, and so is re-enrolling once the first one ended
        self._new(class_id=self.other_class.id)
        first.action_submit()
        first.action_guardian_confirm()
        first.action_activate()
        first._complete(date(2026, 12, 1), "Course finished")
        self._new()

    def test_capacity_is_enforced_on_activation(self):
        self.klass.capacity = 3  # the 3 fixture students fill it
        enrollment = self._new(state="confirmed")
        with self.assertRaisesRegex(UserError, "is full"):
            enrollment.action_activate()
        self.assertEqual(enrollment.state, "confirmed")
        self.klass.capacity = 4
        enrollment.action_activate()
        self.assertEqual(enrollment.state, "active")

    def test_class_transfer_keeps_history_and_moves_attendance(self):
        enrollment = self.enrollments[0]
        student = enrollment.student_id
        old_before = self._session(date(2026, 10, 7))
        new_before = self._session(date(2026, 10, 9), klass=self.other_class)
        self._transition(
            enrollment,
            "transfer",
            date(2026, 10, 8),
            "Schedule clash",
            new_class_id=self.other_class,
        )
        self.assertEqual(enrollment.class_id, self.other_class)
        event = enrollment.event_ids.filtered(lambda e: e.kind == "transfer")
        self.assertEqual((event.from_class_id, event.to_class_id), (self.klass, self.other_class))
        old_after = self._session(date(2026, 10, 14))
        new_after = self._session(date(2026, 10, 16), klass=self.other_class)
        (old_before | old_after | new_after).action_open()
        new_before.with_user(self.teacher2).action_open()
        self.assertIn(student, old_before.attendance_line_ids.student_id)
        self.assertNotIn(student, old_after.attendance_line_ids.student_id)
        self.assertIn(student, new_after.attendance_line_ids.student_id)
        self.assertIn(
            student,
            new_before.attendance_line_ids.student_id,
            "transfer dated the 8th: the 9th session of the new class is theirs",
        )

    def test_transfer_needs_a_new_class(self):
        with self.assertRaisesRegex(UserError, "already in"):
            self.enrollments[0]._transfer(self.klass, date(2026, 10, 1), "same")
        self.assertNotIn("transfer", self.enrollments[0].event_ids.mapped("kind"))

    def test_history_cannot_be_deleted(self):
        enrollment = self.enrollments[0]
        with self.assertRaisesRegex(UserError, "Only draft"):
            enrollment.unlink()
        self.assertTrue(enrollment.exists())
        self._new().unlink()  # a draft with no attendance may go

    def test_negative_hours_refused(self):
        with self.assertRaisesRegex(ValidationError, "^Hours purchased"):
            self._new(hours_purchased=-5)
        self.assertFalse(
            self.env["training.enrollment"].search([("student_id", "=", self.newcomer.id)])
        )

    def test_teacher_cannot_change_enrolments(self):
        enrollment = self.enrollments[0].with_user(self.teacher)
        self.assertEqual(enrollment.state, "active")  # a teacher reads their class's enrolments
        with self.assertRaises(AccessError):
            enrollment.write({"hours_purchased": 1000})
        self.assertEqual(self.enrollments[0].hours_purchased, 40)
