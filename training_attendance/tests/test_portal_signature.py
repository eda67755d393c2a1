"""The guardian signs the enrolment in the portal (#13): only the paying guardian, only
under review, through the JSON route the signature widget calls; name, time and address
recorded, the contract attached."""

import json

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TrainingCase

# a 1x1 PNG, as the signature widget sends it (base64, no data: prefix)
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
    "AAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestPortalSignature(TrainingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.child = cls._students(1, prefix="Signing child")
        cls.payer = cls._portal_user("ta_payer", cls.child, primary=True)
        cls.other_guardian = cls._portal_user("ta_grandma", cls.child)
        cls.stranger = cls._portal_user("ta_stranger", cls.students[0])
        cls.enrollment = cls.env["training.enrollment"].create(
            {
                "student_id": cls.child.id,
                "class_id": cls.klass.id,
                "guardian_id": cls.payer.partner_id.id,
                "hours_purchased": 20,
            }
        )
        cls.enrollment.action_submit()
        cls.url = f"/my/children/{cls.child.id}/enrollment/{cls.enrollment.id}"

    @classmethod
    def _portal_user(cls, login, child, primary=False):
        user = new_test_user(cls.env, login=login, groups="base.group_portal", password=login)
        cls.env["training.guardian.link"].create(
            {"student_id": child.id, "guardian_id": user.partner_id.id, "is_primary": primary}
        )
        return user

    def _sign(self, user, url=None):
        self.authenticate(user.login, user.login)
        response = self.url_open(
            (url or self.url) + "/sign",
            data=json.dumps({"params": {"name": "Payer Name", "signature": PNG}}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()["result"]

    def test_only_the_paying_guardian_signs_under_review(self):
        answer = self._sign(self.stranger)
        self.assertEqual(answer, {"error": "This enrolment is not yours to sign."})
        self.assertEqual(self.url_open(self.url).status_code, 404)
        answer = self._sign(self.other_guardian)
        self.assertEqual(answer, {"error": "Only the paying guardian signs this enrolment."})
        self.assertEqual(self.enrollment.state, "review")
        self.assertFalse(self.enrollment.signed_on)

        self.authenticate("ta_payer", "ta_payer")
        page = self.url_open(self.url)
        self.assertIn("Sign and confirm", page.text)
        before = fields.Datetime.now()
        answer = self._sign(self.payer)
        self.assertEqual(answer["redirect_url"], self.url + "?message=sign_ok")
        enrollment = self.enrollment
        self.assertEqual(enrollment.state, "confirmed")
        self.assertEqual(enrollment.signed_by, "Payer Name")
        self.assertEqual(enrollment.signed_ip, "127.0.0.1")
        self.assertTrue(enrollment.signature)
        self.assertGreaterEqual(enrollment.signed_on, before.replace(microsecond=0))
        self.assertEqual(enrollment.guardian_confirmed_at, enrollment.signed_on)
        message = enrollment.message_ids.filtered(lambda m: "Signed online by" in m.body)
        self.assertEqual(message.author_id, self.payer.partner_id)
        self.assertEqual(
            message.attachment_ids.name, f"{enrollment.name.replace('/', '-')}-signed.pdf"
        )
        tracked = enrollment.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("signed_on", tracked)
        self.assertIn("state", tracked)
        # signed once: the route refuses a second signature
        answer = self._sign(self.payer)
        self.assertEqual(answer, {"error": "This enrolment is not waiting for your signature."})
        page = self.url_open(self.url + "?message=sign_ok")
        self.assertIn("Thank you: the enrolment is confirmed.", page.text)
        self.assertIn("Payer Name", page.text)
        # the signed contract: for the child's guardians, not for another family
        contract = self.url_open(self.url + "/contract")
        self.assertEqual(contract.status_code, 200)
        self.assertIn("Payer Name", contract.text)  # HTML in test mode, PDF otherwise
        self.authenticate("ta_grandma", "ta_grandma")
        self.assertEqual(self.url_open(self.url + "/contract").status_code, 200)
        self.authenticate("ta_stranger", "ta_stranger")
        self.assertEqual(self.url_open(self.url + "/contract").status_code, 404)

    def test_nobody_writes_a_signature_directly(self):
        for field, value in (
            ("signed_on", "2026-10-01 10:00:00"),
            ("signed_by", "Forged"),
            ("signed_ip", "1.2.3.4"),
        ):
            with self.assertRaisesRegex(UserError, "workflow"):
                self.enrollment.with_user(self.manager).write({field: value})
        self.assertFalse(self.enrollment.signed_on)
