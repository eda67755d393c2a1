import io
from datetime import date, datetime
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.addons.base.models import ir_actions_report as base_report
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from ..models import ir_actions_report_monthly as monthly
from .common import TrainingCase

OCTOBER = date(2026, 10, 1)


@tagged("post_install", "-at_install")
class TestMonthlyReport(TrainingCase):
    """The monthly attendance report of October 2026 (Wednesdays 7, 14, 21 and 28)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Monthly = cls.env["training.monthly.report"]
        cls.s0, cls.s1, cls.s2 = cls.students
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        Partner = cls.env["res.partner"]
        cls.mother = Partner.create(
            {"name": "Mother 0", "email": "m0@example.com", "lang": "en_US"}
        )
        cls.father = Partner.create({"name": "Father 0", "email": "f0@example.com"})
        cls.grandma = Partner.create({"name": "Grandma 0", "email": "g0@example.com"})
        Link = cls.env["training.guardian.link"]
        Link.create(
            [
                {"student_id": cls.s0.id, "guardian_id": cls.mother.id, "is_primary": True},
                {"student_id": cls.s0.id, "guardian_id": cls.father.id},
                {
                    "student_id": cls.s0.id,
                    "guardian_id": cls.grandma.id,
                    "receives_notifications": False,
                },
                {
                    "student_id": cls.s1.id,
                    "guardian_id": Partner.create(
                        {"name": "Parent 1", "email": "p1@example.com"}
                    ).id,
                },
            ]
        )
        cls.counselor.partner_id.write({"phone": "+86 21 5555 0101", "email": "coach@example.com"})
        # October: s0 present, late 10 min, absent, excused; s1 present each time; s2 has
        # no lesson in October (enrolment starts in November) and is skipped by the job.
        cls.enrollments[2].date_start = date(2026, 11, 1)
        sessions = [cls._session(date(2026, 10, day)) for day in (7, 14, 21)]
        marks = [("present", 10), ("absent", 0), ("excused", 0)]
        with freeze_time("2026-10-22 09:00:00"):
            for session, (status, late) in zip(sessions, marks, strict=True):
                session.action_open()
                for line in session.attendance_line_ids:
                    if line.student_id == cls.s0:
                        line.write({"status": status, "late_minutes": late})
                session.action_mark_rest_present()
                cls._validate_and_follow(session)
        cls.env["training.monthly.comment"].with_user(cls.teacher).create(
            {
                "enrollment_id": cls.enrollments[0].id,
                "month": date(2026, 10, 17),
                "comment": "Works hard; fractions to review.",
                "score": 85,
            }
        )

    def _values(self, student):
        return self.Monthly._report_values(student, OCTOBER)[student.id]

    def test_figures_of_the_month(self):
        [values] = self._values(self.s0)
        self.assertEqual(
            {
                key: values[key]
                for key in (
                    "held",
                    "attended",
                    "excused",
                    "unexcused",
                    "late",
                    "late_minutes",
                    "early",
                    "hours_purchased",
                    "hours_consumed",
                    "hours_remaining",
                    "comment",
                    "score",
                    "counselor",
                    "counselor_phone",
                    "counselor_email",
                )
            },
            {
                "held": 3,
                "attended": 1,
                "excused": 1,
                "unexcused": 1,
                "late": 1,
                "late_minutes": 10,
                "early": 0,
                "hours_purchased": 40.0,
                "hours_consumed": 2.0,
                "hours_remaining": 38.0,
                "comment": "Works hard; fractions to review.",
                "score": 85,
                "counselor": self.counselor.name,
                "counselor_phone": "+86 21 5555 0101",
                "counselor_email": "coach@example.com",
            },
        )
        # two make-ups to plan (absent and excused), none planned or done in October
        self.assertEqual((values["makeups_planned"], values["makeups_done"]), (0, 0))
        [values] = self._values(self.s1)
        self.assertEqual((values["held"], values["attended"], values["comment"]), (3, 3, False))

    def test_comment_is_one_per_enrolment_and_month_and_scored_0_to_100(self):
        Comment = self.env["training.monthly.comment"].with_user(self.teacher)
        with self.assertRaisesRegex(ValidationError, "from 0 to 100"):
            Comment.create({"enrollment_id": self.enrollments[1].id, "score": 101})
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            Comment.create({"enrollment_id": self.enrollments[0].id, "month": date(2026, 10, 2)})
        # another teacher can neither read nor write the comments of this class
        comment = self.env["training.monthly.comment"].search(
            [("enrollment_id", "=", self.enrollments[0].id)]
        )
        with self.assertRaises(AccessError):
            comment.with_user(self.teacher2).write({"score": 10})
        self.assertEqual(comment.score, 85)

    def test_report_without_comment_says_so_and_prints_from_the_wizard(self):
        wizard = Form(
            self.env["training.monthly.report.wizard"]
            .with_user(self.teacher)
            .with_context(active_model="training.enrollment", active_ids=self.enrollments[1].ids)
        )
        wizard.month = date(2026, 10, 20)
        action = wizard.save().action_print()
        self.assertEqual(action["data"]["month"], "2026-10-01")
        self.assertEqual(action["data"]["enrollment_ids"], self.enrollments[1].ids)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.teacher)
            ._render_qweb_html(
                "training_attendance.action_report_monthly_attendance",
                self.s1.ids,
                data=action["data"],
            )[0]
            .decode()
        )
        self.assertIn("No comment this month.", html)
        self.assertIn("October 2026", html)
        self.assertIn(self.counselor.name, html)

    def test_batch_renders_each_student_on_own_pages_with_wkhtmltopdf_at_once(self):
        """The job's rendering, with Debian's wkhtmltopdf: documents rendered at once (two
        here), cut per student; a student on two pages (a long comment) is rendered again
        alone, the others keep one page each."""
        if base_report.wkhtmltopdf_state not in ("ok", "upgrade"):
            self.skipTest(f"wkhtmltopdf is {base_report.wkhtmltopdf_state} on this machine")
        self.env["training.monthly.comment"].search(
            [("enrollment_id", "=", self.enrollments[0].id)]
        ).comment = "Fractions to review. " * 600
        Report = type(self.env["ir.actions.report"])
        documents = []
        original = Report._training_wkhtmltopdf

        def counted(report_self, report, htmls, args):
            documents.append(len(htmls))
            return original(report_self, report, htmls, args)

        with (
            patch.object(monthly, "RENDER_PROCESSES", 2),
            patch.object(monthly, "MIN_PER_PROCESS", 1),
            patch.object(Report, "_training_wkhtmltopdf", counted),
        ):
            pdfs = self.Monthly.with_context(force_report_rendering=True)._render_pdfs(
                self.students, OCTOBER, self.company
            )
        # [s0, s1] and [s2] at once; s0 took two pages: s0 and s1 again, at once
        self.assertEqual(documents, [2, 2])
        texts = {}
        for student in self.students:
            content, name = pdfs[student.id]
            self.assertEqual(name, "Attendance report 2026-10.pdf")
            pages = PdfFileReader(io.BytesIO(content)).pages
            texts[student] = [" ".join(page.extract_text().split()) for page in pages]
        self.assertGreaterEqual(len(texts[self.s0]), 2)
        self.assertEqual((len(texts[self.s1]), len(texts[self.s2])), (1, 1))
        for student, pages in texts.items():
            self.assertIn(f"Ref. R{student.id:06d}", pages[0])
            self.assertIn(student.name, pages[0])
            for other in self.students - student:
                self.assertNotIn(f"Ref. R{other.id:06d}", " ".join(pages))
        self.assertIn("Fractions to review.", texts[self.s0][-1])

    @freeze_time("2026-11-01 00:30:00")
    def test_monthly_job_batches_resumes_and_never_sends_twice(self):
        self.policy.monthly_report_email = True
        other = self.env["training.policy"].search([("company_id", "!=", self.company.id)])
        other.write({"monthly_report_email": False})  # demo campuses, if any
        Mail = self.env["mail.mail"]
        # an interruption in the first batch: nothing of it is kept
        with (
            patch.object(type(self.Monthly), "_post_and_mail", side_effect=RuntimeError("killed")),
            self.assertRaises(RuntimeError),
            self.cr.savepoint(),
        ):
            self.Monthly._cron_send_monthly_reports(batch_size=1)
        self.assertFalse(self.Monthly.search([("student_id", "in", self.students.ids)]))
        # then batch after batch, as the scheduler runs it
        self.assertEqual(self.Monthly._cron_send_monthly_reports(batch_size=1), 1)
        self.assertEqual(self.Monthly._cron_send_monthly_reports(batch_size=1), 1)
        self.assertEqual(self.Monthly._cron_send_monthly_reports(batch_size=1), 0)
        self.assertEqual(self.Monthly._cron_send_monthly_reports(), 0)  # run again: nothing
        reports = self.Monthly.search([("student_id", "in", self.students.ids)])
        self.assertEqual(reports.student_id, self.s0 | self.s1)  # s2 had no lesson
        self.assertEqual(set(reports.mapped("month")), {OCTOBER})
        report = reports.filtered(lambda r: r.student_id == self.s0)
        # the guardians who receive notifications, never the grandmother
        self.assertEqual(report.guardian_ids, self.mother | self.father)
        self.assertEqual(report.lang, "en_US")
        [mail] = Mail.search(
            [
                ("mail_message_id.res_id", "=", self.s0.id),
                ("mail_message_id.model", "=", "res.partner"),
                ("attachment_ids", "!=", False),
            ]
        )
        self.assertEqual(mail.recipient_ids, self.mother | self.father)
        self.assertEqual(mail.attachment_ids, report.attachment_id)
        self.assertEqual(mail.subject, f"{self.s0.name}: attendance report 2026-10")
        # logged in the student's chatter with the report attached
        message = mail.mail_message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.s0.id))
        self.assertEqual(message.attachment_ids, report.attachment_id)
        self.assertEqual(report.attachment_id.res_id, self.s0.id)
        # the same month again the next day: still nobody twice
        with freeze_time("2026-11-02 08:00:00"):
            self.assertEqual(self.Monthly._cron_send_monthly_reports(), 0)
        self.assertEqual(len(self.Monthly.search([("student_id", "in", self.students.ids)])), 2)

    @freeze_time("2026-10-31 17:00:00")
    def test_the_month_is_the_campus_month(self):
        """31 October 17:00 UTC is 1 November 01:00 in Shanghai: the job reports October
        there, and nothing yet on a UTC campus."""
        self.company.partner_id.tz = "Asia/Shanghai"
        months = self.Monthly._due_months()
        self.assertEqual(months[self.company], OCTOBER)
        self.company.partner_id.tz = "UTC"
        self.assertEqual(self.Monthly._due_months()[self.company], date(2026, 9, 1))

    def test_counselor_sees_the_reports_of_their_students_only(self):
        with freeze_time("2026-11-01 08:00:00"):
            self.Monthly._send_reports(self.company, OCTOBER, self.s0 | self.s1)
        self.assertEqual(
            self.Monthly.with_user(self.counselor).search([]).student_id, self.s0 | self.s1
        )
        other = self._user("ta_counselor_other", "training_attendance.group_counselor")
        self.assertFalse(self.Monthly.with_user(other).search([]))
        with self.assertRaises(AccessError):
            self.Monthly.with_user(self.teacher).search([])
        self.assertEqual(
            self.Monthly.search([("student_id", "=", self.s0.id)]).sent_at,
            datetime(2026, 11, 1, 8, 0),
        )

    def test_figures_cost_the_same_queries_for_one_student_or_many(self):
        # measured: 11 queries for one student, 13 for the three (the benchmark: 149
        # queries per batch of 100 students, 98 per batch of 50, rendering included)
        self.env.invalidate_all()
        with self.assertQueryCount(11):
            self.Monthly._report_values(self.s0, OCTOBER)
        self.env.invalidate_all()
        with self.assertQueryCount(13):
            self.Monthly._report_values(self.students, OCTOBER)
