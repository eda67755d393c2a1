from datetime import date, datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestSessionGenerate(TrainingCase):
    def _generate(self, date_from, date_to, classes=None, user=None):
        form = Form(
            self.env["training.session.generate"]
            .with_user(user or self.clerk)
            .with_context(active_model="training.class", active_ids=(classes or self.klass).ids)
        )
        form.date_from = date_from
        form.date_to = date_to
        return form.save()

    def test_sessions_follow_the_weekly_timetable_in_campus_time(self):
        self.company.partner_id.tz = "Asia/Shanghai"
        wizard = self._generate(date(2026, 10, 1), date(2026, 10, 31))
        self.assertEqual(wizard.class_ids, self.klass)
        wizard.action_generate()
        sessions = self.klass.session_ids.sorted("start")
        # Wednesdays of October 2026, 16:00-18:00 Shanghai = 08:00-10:00 UTC
        self.assertEqual(
            sessions.mapped("start"),
            [datetime(2026, 10, d, 8, 0) for d in (7, 14, 21, 28)],
        )
        self.assertEqual(set(sessions.mapped("duration")), {2.0})
        self.assertEqual(sessions.teacher_id, self.teacher)
        self.assertEqual(set(sessions.mapped("state")), {"planned"})
        # running it again plans nothing twice
        self._generate(date(2026, 10, 1), date(2026, 11, 7)).action_generate()
        self.assertEqual(len(self.klass.session_ids), 5, "only 4 November was added")

    def test_public_holidays_of_the_campus_calendar_are_skipped(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.company.resource_calendar_id.id,
                "date_from": datetime(2026, 10, 14, 0, 0),
                "date_to": datetime(2026, 10, 14, 23, 59),
            }
        )
        self._generate(date(2026, 10, 1), date(2026, 10, 31)).action_generate()
        self.assertEqual([s.start.day for s in self.klass.session_ids.sorted("start")], [7, 21, 28])

    def test_bad_period_or_class_without_timetable(self):
        with self.assertRaisesRegex(ValidationError, "end after it starts"):
            self._generate(date(2026, 10, 31), date(2026, 10, 1))
        bare = self.env["training.class"].create({"name": "No slots", "course_id": self.course.id})
        with self.assertRaisesRegex(UserError, "no weekly timetable"):
            self._generate(date(2026, 10, 1), date(2026, 10, 31), classes=bare).action_generate()
        self.assertFalse(
            self.env["training.session"].search([("class_id", "in", (bare | self.klass).ids)])
        )
