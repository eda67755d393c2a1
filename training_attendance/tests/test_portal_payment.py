"""The guardian pays the enrolment's invoice online (#13): the invoice is in the portal's
/my/invoices, payable with the institution's provider (Odoo's demo provider here); the
payment activates the enrolment as a payment at the desk does.

Needs the ``payment_demo`` module in the database (skipped without it)."""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .test_fees_refunds import RefundCase


class DemoProviderCase(RefundCase, HttpCase):
    """The campus with Odoo's demo payment provider published (skipped without
    ``payment_demo``); subclasses add their users when ``cls.provider`` is set."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env.ref("payment.payment_provider_demo", raise_if_not_found=False)
        if not cls.provider or cls.provider.module_id.state != "installed":
            cls.provider = None
            return
        cls.provider = cls.provider.copy(
            {"company_id": cls.company.id, "state": "test", "is_published": True}
        )

    def setUp(self):
        super().setUp()
        if not self.provider:
            self.skipTest("payment_demo is not installed in this database")


@tagged("post_install", "-at_install")
class TestPortalPayment(DemoProviderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.provider:
            return
        cls.payer = new_test_user(
            cls.env,
            login="ta_portal_payer",
            password="ta_portal_payer",
            groups="base.group_portal",
            partner_id=cls.guardian.id,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.stranger = new_test_user(
            cls.env,
            login="ta_portal_stranger",
            password="ta_portal_stranger",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def test_demo_payment_activates_the_enrolment(self):
        enrollment = self._confirmed_enrollment()
        invoice = self._invoice(enrollment)
        self.assertEqual(invoice.partner_id, self.guardian)
        # the guardian sees it in /my/invoices and its page offers the payment
        self.authenticate("ta_portal_payer", "ta_portal_payer")
        self.assertIn(invoice.name, self.url_open("/my/invoices").text)
        page = self.url_open(f"/my/invoices/{invoice.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Pay Now", page.text)
        self.assertIn(f'data-provider-id="{self.provider.id}"', page.text)
        # another family cannot open it
        self.authenticate("ta_portal_stranger", "ta_portal_stranger")
        response = self.url_open(f"/my/invoices/{invoice.id}", allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        # the demo provider confirms the payment, as after the guardian's "Pay"
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": invoice.amount_residual,
                "currency_id": invoice.currency_id.id,
                "partner_id": self.guardian.id,
                "invoice_ids": [Command.set(invoice.ids)],
                "operation": "online_direct",
            }
        )
        transaction._handle_notification_data(
            "demo", {"reference": transaction.reference, "simulated_state": "done"}
        )
        transaction._post_process()
        self.assertEqual(transaction.state, "done")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(enrollment.state, "active")
        self.assertEqual(enrollment.invoice_state, "paid")
