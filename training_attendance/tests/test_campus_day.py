from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TrainingCase

# 20:00 UTC on 7 October 2026: 04:00 on the 8th at the campus (Shanghai), 13:00 on the
# 7th for a user in Los Angeles
NOW = "2026-10-07 20:00:00"
CAMPUS_DAY = date(2026, 10, 8)
USER_DAY = date(2026, 10, 7)
USER_TZ = "America/Los_Angeles"


@tagged("post_install", "-at_install")
class TestCampusDay(TrainingCase):
    """ "Today" is the campus's day, whoever runs the code (a user in another time zone,
    a job): defaults, deadlines, activities and daily jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.traveller = cls._user("ta_traveller", "training_attendance.group_manager")
        cls.traveller.tz = USER_TZ
        cls.counselor.tz = USER_TZ

    def test_the_two_days_differ(self):
        with freeze_time(NOW):
            self.assertEqual(self.company._training_today(), CAMPUS_DAY)
            self.assertEqual(fields.Date.context_today(self.traveller), USER_DAY)
        self.assertEqual(self.company._training_date(datetime(2026, 10, 7, 20)), CAMPUS_DAY)
        self.assertEqual(self.company._training_date(datetime(2026, 10, 7, 15, 59)), USER_DAY)

    def test_default_dates_are_the_campus_day(self):
        defaults = {
            "training.absence.report": "date",
            "training.enrollment": "date_contract",
            "training.refund.request": "application_date",
            "training.score": "date",
            "training.enrollment.transition": "date",
            "training.reward.wizard": "date",
            "training.session.generate": "date_from",
        }
        with freeze_time(NOW):
            for model, field in defaults.items():
                values = self.env[model].with_user(self.traveller).default_get([field])
                self.assertEqual(values[field], CAMPUS_DAY, model)
            values = (
                self.env["training.session.generate"]
                .with_user(self.traveller)
                .default_get(["date_to"])
            )
        self.assertEqual(values["date_to"], CAMPUS_DAY + timedelta(days=27))

    def test_escalation_deadline_and_renewal_activity(self):
        Escalation = self.env["training.escalation"].with_context(tz=USER_TZ)
        with freeze_time(NOW):
            reminder = Escalation.create(
                {"enrollment_id": self.enrollments[0].id, "level": "reminder", "count": 1}
            )
            self.enrollments[1].with_context(tz=USER_TZ)._schedule_renewal_activity()
        days = self.policy.escalation_reminder_days
        self.assertEqual(reminder.date_deadline, CAMPUS_DAY + timedelta(days=days))
        renewal = self.env["mail.activity"].search(
            [
                ("res_model", "=", "training.enrollment"),
                ("res_id", "=", self.enrollments[1].id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("training_attendance.mail_activity_renewal").id,
                ),
            ]
        )
        self.assertEqual(renewal.date_deadline, CAMPUS_DAY)

    def test_delivery_and_birth_date_today_are_not_in_the_future(self):
        """Delivered "today" at the campus is not a future day for a user behind it."""
        with freeze_time(NOW):
            plan = (
                self.env["training.student.plan"]
                .with_user(self.counselor)
                .create(
                    {
                        "enrollment_id": self.enrollments[0].id,
                        "kind": "stage_summary",
                        "delivered_on": CAMPUS_DAY,
                    }
                )
            )
            self.assertEqual(plan.delivered_on, CAMPUS_DAY)
            with self.assertRaisesRegex(ValidationError, "in the future"):
                plan.delivered_on = CAMPUS_DAY + timedelta(days=1)
            student = self.students[0].with_user(self.traveller)
            student.birthdate = CAMPUS_DAY
            self.assertEqual(student.birthdate, CAMPUS_DAY)

    def test_retention_case_dates_and_overdue_job(self):
        Case = self.env["training.retention.case"]
        with freeze_time(NOW):
            case = Case.with_user(self.counselor).create(
                {
                    "enrollment_id": self.enrollments[0].id,
                    "origin": "risk",
                    "description": "He does not want to come any more.",
                }
            )
        self.assertEqual(case.date_stage, CAMPUS_DAY)
        deadline = CAMPUS_DAY + timedelta(days=self.policy.retention_signal_days)
        self.assertEqual(case.stage_deadline, deadline)
        Case = Case.with_context(tz=USER_TZ)
        # 12:00 UTC on the deadline day: still that day at the campus
        with freeze_time(datetime.combine(deadline, datetime.min.time()).replace(hour=12)):
            self.assertEqual(Case._cron_escalate_overdue(), 0)
        # 20:00 UTC: the next day at the campus, still the deadline day in Los Angeles
        with freeze_time(datetime.combine(deadline, datetime.min.time()).replace(hour=20)):
            self.assertEqual(Case._cron_escalate_overdue(), 1)
        self.assertTrue(case.escalated)

    def test_followup_cadence_job_on_the_campus_day(self):
        Enrollment = self.env["training.enrollment"]
        # the job leaves out the other enrolments of the database (demo data)
        (Enrollment.sudo().search([]) - self.enrollments).followup_checked_on = date(2099, 1, 1)
        enrollment = self.enrollments[0]
        # first lesson on Wednesday 2 September: the first routine follow-up is due 7 days
        # later, on the 9th
        self.enrollments.sudo().date_first_lesson = date(2026, 9, 2)
        self.policy.routine_first_days = 7
        with freeze_time("2026-09-08 20:00:00"):  # 04:00 on the 9th at the campus
            Enrollment.with_context(tz=USER_TZ)._cron_followup_cadence()
        self.assertEqual(enrollment.followup_checked_on, date(2026, 9, 9))
        routine = self.env["mail.activity"].search(
            [
                ("res_model", "=", "training.enrollment"),
                ("res_id", "=", enrollment.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("training_attendance.mail_activity_followup_routine").id,
                ),
            ]
        )
        self.assertEqual(routine.date_deadline, date(2026, 9, 9))
