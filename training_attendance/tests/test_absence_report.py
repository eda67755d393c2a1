from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestAbsenceReportJob(TrainingCase):
    """The daily absence report job posts each campus's report once a day."""

    def _absence(self, day):
        session = self._session(day)
        session.action_open()
        session.attendance_line_ids[0].action_set_absent()
        session.action_mark_rest_present()
        self._validate_and_follow(session)

    def _reports(self, policy):
        return policy.message_ids.filtered("attachment_ids")

    def test_the_job_run_twice_posts_and_notifies_once(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        Report = self.env["training.absence.report"]
        with freeze_time("2026-10-07 20:00:00"):
            self._absence(date(2026, 10, 7))
            Report._cron_daily_report()
            Report._cron_daily_report()
        posted = self._reports(policy)
        self.assertEqual(len(posted), 1, "the second run of the day posts nothing")
        self.assertEqual(policy.absence_report_date, date(2026, 10, 7))
        self.assertEqual(
            self.env["mail.notification"].search_count(
                [
                    ("mail_message_id", "in", posted.ids),
                    ("res_partner_id", "=", self.clerk.partner_id.id),
                ]
            ),
            1,
            "the clerk is notified once",
        )
        # the next day has its own report, once too
        with freeze_time("2026-10-14 20:00:00"):
            self._absence(date(2026, 10, 14))
            Report._cron_daily_report()
            Report._cron_daily_report()
        self.assertEqual(len(self._reports(policy)), 2)
        self.assertEqual(policy.absence_report_date, date(2026, 10, 14))

    def test_a_day_without_absences_posts_nothing_and_a_later_run_posts_them(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        Report = self.env["training.absence.report"]
        with freeze_time("2026-10-07 12:00:00"):
            Report._cron_daily_report()
            self.assertFalse(self._reports(policy))
            self.assertFalse(policy.absence_report_date, "nothing posted: not marked")
        # the 16:00 lesson is validated once it has started (issue #17)
        with freeze_time("2026-10-07 18:30:00"):
            self._absence(date(2026, 10, 7))
            Report._cron_daily_report()
        self.assertEqual(len(self._reports(policy)), 1)
