"""A family's way in, end to end in the browser (#13): a visitor registers on the public
form from a phone, the clerk approves it in the back office, the guardian signs the
enrolment in the portal and pays its invoice with Odoo's demo payment provider; the
enrolment is then active. Four tours chained in one test, with in between what other
people do (the counselor sets the hours, the campus grants the portal access, finance
posts the invoice).

Needs the ``payment_demo`` module in the database (skipped without it)."""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_portal_payment import DemoProviderCase

PHONE = "390x844"
DESKTOP = "1366x768"


@tagged("post_install", "-at_install")
class TestPortalFamilyTour(DemoProviderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.provider:
            return
        cls.company.country_id = cls.env.ref("base.cn")
        cls.clerk = new_test_user(
            cls.env,
            login="ta_tour_clerk",
            password="ta_tour_clerk",
            groups="base.group_user,training_attendance.group_attendance_clerk",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _tour(self, url, name, size, login=None):
        self.browser_size = size
        self.start_tour(url, name, login=login)

    def test_register_approve_sign_and_pay(self):
        Registration = self.env["training.registration"]
        # (a) a visitor, on a phone, not logged in
        self._tour(
            f"/training/register/{self.company.id}", "training_attendance_portal_register", PHONE
        )
        registration = Registration.search([("student_name", "=", "Tour Xiaoming")])
        self.assertEqual(registration.state, "submitted")
        self.assertEqual(registration.company_id, self.company)
        self.assertEqual(registration.class_id, self.klass)
        self.assertEqual(registration.guardian_phone, "13812345678")
        self.assertFalse(registration.student_id)  # nothing in the address book yet

        # (b) the clerk ticks the checklist and approves, in the back office
        self._tour(
            "/odoo/action-training_attendance.training_registration_action",
            "training_attendance_registration_approve",
            DESKTOP,
            login="ta_tour_clerk",
        )
        self.assertEqual(registration.state, "approved")
        self.assertEqual(registration.reviewed_by_id, self.clerk)
        enrollment = registration.enrollment_id
        guardian = enrollment.guardian_id
        self.assertEqual(enrollment.state, "review")
        self.assertEqual(enrollment.student_id.name, "Tour Xiaoming")
        self.assertEqual(guardian.name, "Tour Mother")
        self.assertEqual(guardian.phone, "+8613812345678")

        # the counselors' supervisor sets the hours bought; the campus grants the portal access
        enrollment.with_user(self.supervisor).write({"hours_purchased": 20})
        wizard = (
            self.env["portal.wizard"]
            .with_context(active_model="res.partner", active_ids=guardian.ids)
            .create({})
        )
        wizard.user_ids.action_grant_access()
        mother = wizard.user_ids.user_id
        self.assertEqual(mother.login, "tour.mother@example.com")
        self.assertTrue(mother._is_portal())
        mother.password = mother.login  # the tours log in with the login as password

        # (c) the guardian signs the enrolment in the portal, on a phone
        self._tour("/my", "training_attendance_portal_sign", PHONE, login=mother.login)
        self.assertEqual(enrollment.state, "confirmed")
        self.assertEqual(enrollment.signed_by, "Tour Mother")
        self.assertTrue(enrollment.signature)
        self.assertTrue(enrollment.signed_on)

        # finance invoices the enrolment; the guardian pays it online
        invoice = self._invoice(enrollment)
        self.assertEqual(invoice.partner_id, guardian)
        self.assertEqual(invoice.amount_total, 2150.0)  # 20 h x 100 + the textbook
        self._tour(
            f"/my/children/{enrollment.student_id.id}/enrollment/{enrollment.id}",
            "training_attendance_portal_pay",
            PHONE,
            login=mother.login,
        )
        transaction = invoice.transaction_ids
        self.assertEqual(transaction.provider_id, self.provider)
        self.assertEqual(transaction.state, "done")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(enrollment.state, "active")
