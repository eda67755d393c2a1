from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestPhoneMinutes(TrainingCase):
    """Issue #17: the minutes late / left early typed on the teacher's phone card are saved
    through ``action_set_minutes``, checked on the server like every write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.session = cls._session(date(2026, 10, 7))  # 16:00-18:00, 120 minutes
        cls.session.with_user(cls.teacher).action_open()
        cls.lines = cls.session.attendance_line_ids.sorted("student_name")

    def _state(self, line):
        line.invalidate_recordset()
        return (line.status, line.late_minutes, line.left_early_minutes)

    def test_typed_minutes_are_saved_and_mark_present(self):
        line = self.lines[0].with_user(self.teacher)
        line.action_set_minutes("late_minutes", 15)
        self.assertEqual(self._state(line), ("present", 15, 0))
        line.action_set_minutes("late_minutes", "20")
        line.action_set_minutes("left_early_minutes", 10)
        self.assertEqual(self._state(line), ("present", 20, 10))
        line.action_set_minutes("late_minutes", 0)
        self.assertEqual(self._state(line), ("present", 0, 10))
        absent = self.lines[1].with_user(self.teacher)
        absent.action_set_absent()
        absent.action_set_minutes("late_minutes", 0)  # clearing changes nothing
        self.assertEqual(self._state(absent), ("absent", 0, 0))

    def test_bad_minutes_are_refused_and_change_nothing(self):
        line = self.lines[2].with_user(self.teacher)
        line.action_set_minutes("late_minutes", 5)
        cases = [
            (("late_minutes", -5), ValidationError, "^Minutes late must be between 0 and 1440\\.$"),
            (("late_minutes", 121), ValidationError, "exceed the session's length"),
            (("left_early_minutes", 116), ValidationError, "exceed the session's length"),
            (("late_minutes", "ten"), UserError, "^Type the minutes as a whole number\\.$"),
            (("status", 1), UserError, "^Only the minutes late or left early"),
        ]
        for args, error, message in cases:
            with self.subTest(args=args), self.assertRaisesRegex(error, message):
                line.action_set_minutes(*args)
            self.assertEqual(self._state(line), ("present", 5, 0))
        # another teacher's session is not even readable
        with self.assertRaisesRegex(AccessError, "doesn't have 'read' access"):
            self.lines[2].with_user(self.teacher2).action_set_minutes("late_minutes", 30)
        self.assertEqual(self._state(line), ("present", 5, 0))
