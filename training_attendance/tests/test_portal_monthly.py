"""The monthly attendance reports in the guardian portal (#13, #14): listed on the child's
page with their PDF, for the child's own guardians only; and the query budgets of the
portal's two family pages."""

from datetime import date, datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TrainingCase


class PortalFamilyCase(TrainingCase, HttpCase):
    """Two guardians of a child, another family, three monthly reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.child, cls.other_child = cls.students[:2]
        cls.mother = cls._portal_user("ta_pm_mother", cls.child, primary=True)
        cls.father = cls._portal_user("ta_pm_father", cls.child)
        cls.stranger = cls._portal_user("ta_pm_stranger", cls.other_child, primary=True)
        cls.october = cls._report(cls.child, date(2026, 10, 1))
        cls.september = cls._report(cls.child, date(2026, 9, 1))
        cls.others = cls._report(cls.other_child, date(2026, 10, 1))
        cls.url = f"/my/children/{cls.child.id}"

    @classmethod
    def _portal_user(cls, login, child, primary=False):
        user = new_test_user(cls.env, login=login, groups="base.group_portal", password=login)
        cls.env["training.guardian.link"].create(
            {"student_id": child.id, "guardian_id": user.partner_id.id, "is_primary": primary}
        )
        return user

    @classmethod
    def _report(cls, student, month):
        """A report as the monthly job leaves it: the record and its PDF on the student."""
        attachment = cls.env["ir.attachment"].create(
            {
                "name": f"Attendance {month:%Y-%m} {student.name}.pdf",
                "raw": b"%PDF-1.4 report of " + student.name.encode() + b"\n%%EOF\n",
                "res_model": "res.partner",
                "res_id": student.id,
                "mimetype": "application/pdf",
            }
        )
        return cls.env["training.monthly.report"].create(
            {
                "student_id": student.id,
                "company_id": cls.company.id,
                "month": month,
                "sent_at": datetime.combine(month + timedelta(days=32), datetime.min.time()),
                "attachment_id": attachment.id,
            }
        )

    def _download(self, report, student=None):
        student = student or report.student_id
        return self.url_open(f"/my/children/{student.id}/monthly-report/{report.id}")


@tagged("post_install", "-at_install")
class TestPortalMonthlyReport(PortalFamilyCase):
    def test_the_guardians_read_and_download_their_childs_reports(self):
        for user in (self.mother, self.father):
            self.authenticate(user.login, user.login)
            page = self.url_open(self.url)
            self.assertEqual(page.status_code, 200)
            self.assertIn("Monthly attendance reports", page.text)
            october = page.text.index("October 2026")
            self.assertLess(october, page.text.index("September 2026"))  # newest first
            self.assertIn(
                f"/my/children/{self.child.id}/monthly-report/{self.october.id}", page.text
            )
            self.assertNotIn(f"/monthly-report/{self.others.id}", page.text)
            response = self._download(self.october)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, b"%PDF-1.4 report of Student 000\n%%EOF\n")
            self.assertEqual(response.headers["Content-Type"], "application/pdf")
            self.assertIn("attachment;", response.headers["Content-Disposition"])

    def test_the_month_is_written_in_the_guardians_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.mother.lang = "zh_CN"
        day = fields.Date.today() + timedelta(days=1)
        self._session(day)
        self.authenticate("ta_pm_mother", "ta_pm_mother")
        page = self.url_open(self.url).text
        self.assertIn("2026年10月", page)
        # the next lesson as Chinese writes a day: "12月1日周二 16:00", not "周二 1 12月"
        self.assertIn(f"{day.month}月{day.day}日周", page)

    def test_another_family_gets_404_by_url_guessing(self):
        self.authenticate("ta_pm_stranger", "ta_pm_stranger")
        # the other family's child: page and report
        self.assertEqual(self.url_open(self.url).status_code, 404)
        self.assertEqual(self._download(self.october).status_code, 404)
        # its own child's URL with the other child's report id
        self.assertEqual(self._download(self.october, student=self.other_child).status_code, 404)
        self.assertEqual(self._download(self.others).status_code, 200)
        # the PDF is not reachable through Odoo's generic attachment route either
        content = self.url_open(f"/web/content/{self.october.attachment_id.id}?download=true")
        self.assertNotEqual(content.status_code, 200)
        # the child's guardian: a report id of another child answers 404 too
        self.authenticate("ta_pm_mother", "ta_pm_mother")
        self.assertEqual(self._download(self.others, student=self.child).status_code, 404)
        self.assertEqual(self._download(self.october).status_code, 200)
        # a report whose PDF was deleted is listed no more and answers 404
        self.september.attachment_id.unlink()
        self.assertNotIn("September 2026", self.url_open(self.url).text)
        self.assertEqual(self._download(self.september).status_code, 404)

    def test_public_visitor_is_sent_to_the_login(self):
        response = self.url_open(
            f"/my/children/{self.child.id}/monthly-report/{self.october.id}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])


@tagged("post_install", "-at_install")
class TestPortalPagesQueryBudget(PortalFamilyCase):
    """The family pages are read by every parent, often from a phone: their queries do not
    grow with the child's history (no query per session, line, leave or report)."""

    def _warm(self, url):
        for __ in range(2):
            self.assertEqual(self.url_open(url).status_code, 200)

    def _history(self, weeks, first=0):
        today = fields.Date.today()
        for week in range(first, first + weeks):
            self._session(today + timedelta(days=7 * week + 1))
            self._report(self.child, date(2025, 1, 1) + timedelta(days=31 * week))

    def test_child_page_query_budget(self):
        self.authenticate("ta_pm_mother", "ta_pm_mother")
        self._warm(self.url)
        # measured 2026-11-30, hot request, test cursor: 19 queries (an enrolment, two
        # reports, no session yet)
        with self.assertQueryCount(19):
            self.url_open(self.url)
        # measured: 24 with upcoming sessions and more reports, and still 24 with four
        # times as many: nothing is read per session, line, leave or report
        self._history(2)
        self._warm(self.url)
        with self.assertQueryCount(24):
            self.url_open(self.url)
        self._history(6, first=2)
        self._warm(self.url)
        with self.assertQueryCount(24):
            self.url_open(self.url)

    def test_my_children_query_budget(self):
        self.authenticate("ta_pm_mother", "ta_pm_mother")
        self._warm("/my/children")
        # measured 2026-11-30: 9 queries for one child, 9 for two (one of them the
        # enrolments waiting for the guardian's signature, for all the children at once)
        with self.assertQueryCount(9):
            self.url_open("/my/children")
        self.env["training.guardian.link"].create(
            {"student_id": self.other_child.id, "guardian_id": self.mother.partner_id.id}
        )
        self._warm("/my/children")
        with self.assertQueryCount(9):
            self.url_open("/my/children")
