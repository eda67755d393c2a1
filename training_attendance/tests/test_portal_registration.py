"""The public registration form and its review (#13, SPEC §2): server validation with
nothing created, honeypot and rate limit, the family completing through its link, a
known family merged, approval creating the student, guardians and enrolment."""

import re
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import TrainingCase

VALID = {
    "student_name": "Li Xiaoming",
    "gender": "male",
    "birthdate": "2018-03-01",
    "street": "1 Renmin Road",
    "city": "Shanghai",
    "guardian_name": "Li Hua",
    "guardian_relationship": "mother",
    "guardian_phone": "138 1234 5678",
    "guardian_email": "li.hua@example.com",
    "emergency_name": "Wang Fang",
    "emergency_phone": "13900001111",
    "health_notes": "Asthma",
}


@tagged("post_install", "-at_install")
class TestPortalRegistration(TrainingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.cn")
        cls.Registration = cls.env["training.registration"]
        cls.url = f"/training/register/{cls.company.id}"
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        # the rate limit counts every campus's attempts of the last hour: on a database
        # reused after manual posts from this machine, those would count too
        cls.env["training.registration.attempt"].search([]).unlink()

    def _registrations(self):
        return self.Registration.search([("company_id", "=", self.company.id)])

    def _post(self, url=None, files=None, **values):
        url = url or self.url
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(url, data={"csrf_token": token, **values}, files=files)

    def _submit(self, ip="10.0.0.1", **values):
        return self.Registration._submit_from_form(self.company, {**VALID, **values}, ip)

    # ------------------------------------------------------------------ public form
    def test_bad_input_shows_the_errors_and_creates_nothing(self):
        partners = self.env["res.partner"].search_count([])
        page = self._post(**{**VALID, "student_name": "", "guardian_phone": "12345"})
        self.assertIn("Student name is required.", page.text)
        self.assertIn("Enter a valid phone number for China.", page.text)
        self.assertIn('value="Li Hua"', page.text)  # what was typed is kept
        page = self._post(**{**VALID, "birthdate": "2030-01-01", "guardian_email": "li@"})
        self.assertIn("The birth date is in the future.", page.text)
        self.assertIn("Enter a valid e-mail address.", page.text)
        page = self._post(**{**VALID, "birthdate": "1980-01-01"})
        self.assertIn("The student must be between 3 and 18 years old.", page.text)
        self.assertFalse(self._registrations())
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_a_campus_of_the_group_has_its_own_form(self):
        """The public user belongs to the main company only: the form of any campus works."""
        campus = self.env["res.company"].create(
            {"name": "East campus", "country_id": self.env.ref("base.cn").id}
        )
        url = f"/training/register/{campus.id}"
        page = self._post(url, **{**VALID, "guardian_phone": "12345"})
        self.assertIn("Enter a valid phone number for China.", page.text)
        page = self._post(url, **VALID)
        self.assertIn("Your registration is received.", page.text)
        registration = self.Registration.search([("company_id", "=", campus.id)])
        self.assertEqual(registration.guardian_phone, "138 1234 5678")
        self.assertEqual(self.url_open("/training/register/999999").status_code, 404)

    def test_documents_are_limited_in_number_and_type(self):
        pdf = ("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
        page = self._post(
            files=[("documents", ("setup.pdf", b"MZ\x90\x00", "application/pdf"))], **VALID
        )
        self.assertIn("Upload a PDF or a photo (JPEG, PNG).", page.text)
        page = self._post(files=[("documents", pdf)] * 4, **VALID)
        self.assertIn("Attach at most 3 files.", page.text)
        self.assertFalse(self._registrations())
        self.assertFalse(
            self.env["ir.attachment"].search([("res_model", "=", "training.registration")])
        )
        page = self._post(files=[("documents", pdf)], **VALID)
        self.assertIn("Your registration is received.", page.text)
        registration = self._registrations()
        document = registration.sudo().attachment_ids
        self.assertEqual(document.mimetype, "application/pdf")
        self.assertEqual(
            (document.res_model, document.res_id), ("training.registration", registration.id)
        )

    def test_without_csrf_token_nothing_is_created(self):
        response = self.url_open(self.url, data=VALID)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._registrations())

    def test_submission_creates_a_registration_not_partners(self):
        self.policy.attendance_clerk_id = self.clerk
        partners = self.env["res.partner"].search_count([])
        page = self._post(**VALID)
        self.assertIn("Your registration is received.", page.text)
        registration = self._registrations()
        self.assertEqual(registration.state, "submitted")
        self.assertEqual(registration.student_name, "Li Xiaoming")
        self.assertEqual(registration.birthdate, date(2018, 3, 1))
        self.assertEqual(registration.ip_address, "127.0.0.1")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        mail = self.env["mail.mail"].search([("email_to", "=", "li.hua@example.com")])
        self.assertIn("We received the registration of Li Xiaoming", mail.subject)
        self.assertEqual(
            registration.activity_ids.user_id, self.clerk, "the clerk the campus policy names"
        )

    def test_honeypot_and_rate_limit_create_nothing(self):
        page = self._post(**VALID, website_url="http://spam.example.com")
        self.assertIn("Your registration is received.", page.text)  # the bot is told nothing
        self.assertFalse(self._registrations())
        self.policy.registration_rate_limit = 3
        for __ in range(3):
            registration, errors = self._submit(ip="10.0.0.9")
            self.assertFalse(errors)
        # a bot filling the form a thousand times: the rest is rejected and logged only
        for __ in range(50):
            registration, errors = self._submit(ip="10.0.0.9")
        self.assertFalse(registration)
        self.assertEqual(
            errors["form"], "Too many registrations from your network: try again later."
        )
        self.assertEqual(len(self._registrations()), 3)
        attempts = self.env["training.registration.attempt"].search(
            [("ip_address", "=", "10.0.0.9")]
        )
        self.assertEqual(attempts.mapped("result").count("rate_limit"), 50)
        # another address is not blocked
        self.assertFalse(self._submit(ip="10.0.0.10")[1])

    # ------------------------------------------------------------------ review
    def test_family_completes_through_the_link(self):
        registration, __ = self._submit(emergency_phone="13900001111", health_notes="")
        registration = registration.with_user(self.clerk)
        with self.assertRaisesRegex(UserError, "Write what is missing"):
            registration.action_request_info()
        registration.missing_info = "Health condition: write 'none' if none."
        registration.action_request_info()
        self.assertEqual(registration.state, "incomplete")
        mail = self.env["mail.mail"].search(
            [("model", "=", "training.registration"), ("res_id", "=", registration.id)],
            order="id desc",
            limit=1,
        )
        self.assertIn("Please complete the registration of Li Xiaoming", mail.subject)
        link = re.search(
            r'href="[^"]*(/training/registration/\d+\?access_token=[^"]+)"', mail.body_html
        )
        url = link.group(1).replace("&amp;", "&")
        self.assertEqual(self.url_open(url.split("?")[0]).status_code, 404)
        self.assertEqual(self.url_open(url[:-4] + "0000").status_code, 404)
        page = self.url_open(url)
        self.assertIn('value="Li Xiaoming"', page.text)
        self.assertIn("write &#39;none&#39; if none", page.text)
        page = self._post(url, **{**VALID, "health_notes": "None"})
        self.assertIn("Your registration is received.", page.text)
        self.assertEqual(registration.state, "submitted")
        self.assertEqual(registration.sudo().health_notes, "None")
        # the link is spent: a completed registration is not reopened by it
        self.assertEqual(self.url_open(url).status_code, 404)

    def test_approval_creates_the_family_and_the_enrolment(self):
        with freeze_time("2026-10-01 09:00:00"):
            registration, __ = self._submit(class_id=str(self.klass.id))
        registration = registration.with_user(self.clerk)
        with self.assertRaisesRegex(UserError, "Tick the review checklist"):
            registration.action_approve()
        with self.assertRaisesRegex(UserError, "workflow"):
            registration.write({"state": "approved"})
        registration.write({"check_complete": True, "check_contact": True, "check_health": True})
        registration.action_approve()
        self.assertEqual(registration.state, "approved")
        self.assertEqual(registration.reviewed_by_id, self.clerk)
        student = registration.student_id.sudo()
        self.assertTrue(student.student_code)
        self.assertEqual(student.birthdate, date(2018, 3, 1))
        self.assertEqual(student.health_notes, "Asthma")
        links = student.guardian_link_ids
        primary = links.filtered("is_primary")
        self.assertEqual(primary.guardian_id.name, "Li Hua")
        self.assertEqual(primary.guardian_id.phone, "+8613812345678")
        self.assertEqual(links.filtered("is_emergency_contact").guardian_id.name, "Wang Fang")
        enrollment = registration.enrollment_id
        self.assertEqual(enrollment.state, "review")
        self.assertEqual(enrollment.class_id, self.klass)
        self.assertEqual(enrollment.guardian_id, primary.guardian_id)

    def test_a_known_family_is_merged(self):
        sibling = self.env["res.partner"].create(
            {"name": "Li Xiaohong", "is_student": True, "birthdate": date(2016, 5, 5)}
        )
        mother = self.env["res.partner"].create({"name": "Li Hua", "phone": "+8613812345678"})
        self.env["training.guardian.link"].create(
            {"student_id": sibling.id, "guardian_id": mother.id, "is_primary": True}
        )
        known = self.env["res.partner"].create(
            {"name": "Li Xiaoming", "is_student": True, "birthdate": date(2018, 3, 1)}
        )
        registration, __ = self._submit()
        self.assertEqual(registration.duplicate_student_id, known)
        self.assertEqual(registration.duplicate_guardian_id, mother)
        registration.write({"check_complete": True, "check_contact": True, "check_health": True})
        partners = self.env["res.partner"].search_count([])
        registration.with_user(self.clerk).action_approve()
        self.assertEqual(registration.student_id, known)
        self.assertEqual(
            known.guardian_link_ids.guardian_id.mapped("name"), ["Li Hua", "Wang Fang"]
        )
        self.assertEqual(known.guardian_link_ids.filtered("is_primary").guardian_id, mother)
        # only the emergency contact was new
        self.assertEqual(self.env["res.partner"].search_count([]), partners + 1)
