from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestCampusTimeZone(TrainingCase):
    """One source for "the day": the campus's time zone, whoever runs the code."""

    def test_the_day_of_a_session_is_the_campus_day_for_every_user(self):
        self.company.partner_id.tz = "Asia/Shanghai"
        # 17:30 UTC on 7 October is 01:30 on 8 October in Shanghai
        session = self.env["training.session"].create(
            {
                "class_id": self.klass.id,
                "start": datetime(2026, 10, 7, 17, 30),
                "stop": datetime(2026, 10, 7, 19, 0),
            }
        )
        for tz in ("UTC", "America/New_York", False):
            user = self._user(f"ta_tz_{tz}", "training_attendance.group_attendance_clerk")
            user.tz = tz
            self.assertEqual(session.with_user(user)._local_date(), date(2026, 10, 8), tz)
        self.assertEqual(self.company._training_tz().zone, "Asia/Shanghai")
        with freeze_time("2026-10-07 17:30:00"):
            self.assertEqual(self.company._training_today(), date(2026, 10, 8))

    def test_without_address_time_zone_the_working_calendar_gives_it(self):
        self.company.partner_id.tz = False
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        self.assertEqual(self.company._training_tz().zone, "Asia/Shanghai")
        self.company.resource_calendar_id = False
        self.assertEqual(self.company._training_tz().zone, "UTC")

    def test_a_tap_adds_the_policy_minutes(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        policy.tap_minutes = 10
        with freeze_time("2026-10-07 16:05:00"):
            session = self._session(date(2026, 10, 7))
            session.with_user(self.teacher).action_open()
            line = session.attendance_line_ids[0].with_user(self.teacher)
            line.action_add_late()
            line.action_add_late()
            line.action_add_left_early()
        self.assertEqual(
            (line.status, line.late_minutes, line.left_early_minutes), ("present", 20, 10)
        )
