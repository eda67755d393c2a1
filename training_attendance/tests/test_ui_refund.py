import base64
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import new_test_user, tagged

from .common import validate_and_follow


@tagged("post_install", "-at_install")
class TestUiRefund(AccountTestInvoicingHttpCommon):
    """The last step of a refund in the web client: finance approves the amount and
    follows the credit note into Invoicing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # the set-up is the back office's (superuser); the tour is finance's
        cls.env = cls.env(
            su=True, context=dict(cls.env.context, allowed_company_ids=cls.company.ids)
        )

        def user(login, group):
            return new_test_user(
                cls.env,
                login=login,
                groups=f"base.group_user,training_attendance.{group}",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
                tz="UTC",
            )

        cls.counselor = user("ta_rt_counselor", "group_counselor")
        cls.supervisor = user("ta_rt_supervisor", "group_counselor_supervisor")
        cls.director = user("ta_rt_director", "group_director")
        cls.finance = user("ta_rt_finance", "group_finance")

        cls.course = cls.env["training.course"].create(
            {
                "name": "Tour Refund Course",
                "price_per_hour": 100.0,
                "lesson_duration": 2.0,
                "company_id": cls.company.id,
            }
        )
        cls.course.product_id.taxes_id = False
        cls.klass = cls.env["training.class"].create(
            {
                "name": "Tour Refund Class",
                "course_id": cls.course.id,
                "company_id": cls.company.id,
            }
        )
        cls.student = cls.env["res.partner"].create(
            {"name": "Tour Refund Student", "is_student": True, "counselor_id": cls.counselor.id}
        )
        cls.guardian = cls.env["res.partner"].create(
            {"name": "Tour Guardian", "email": "tour.guardian@example.com"}
        )
        cls.env["training.guardian.link"].create(
            {"student_id": cls.student.id, "guardian_id": cls.guardian.id, "is_primary": True}
        )

        # enrolment: confirmed by the guardian, invoiced, posted and paid -> active
        today = fields.Date.context_today(cls.finance)
        cls.enrollment = cls.env["training.enrollment"].create(
            {
                "student_id": cls.student.id,
                "class_id": cls.klass.id,
                "hours_purchased": 20.0,
                "date_start": today - timedelta(days=30),
            }
        )
        cls.enrollment.action_submit()
        cls.enrollment.action_guardian_confirm()
        cls.enrollment.action_create_invoice()
        cls.invoice = cls.enrollment.invoice_ids
        cls.invoice.action_post()
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids
        ).create({}).action_create_payments()

        # one lesson of 2 hours taken
        start = datetime.combine(today - timedelta(days=7), datetime.min.time()) + timedelta(
            hours=10
        )
        session = cls.env["training.session"].create(
            {"class_id": cls.klass.id, "start": start, "stop": start + timedelta(hours=2)}
        )
        session.action_open()
        session.action_mark_rest_present()
        validate_and_follow(session)

        # the guardian's written application, through counselor, supervisor, director.
        # The scan is attached to the saved request: an attachment without res_id is
        # readable by its uploader only, and the approvers could not open the request.
        cls.request = (
            cls.env["training.refund.request"]
            .with_user(cls.counselor)
            .create(
                {"enrollment_id": cls.enrollment.id, "reason": "The family moves to another city"}
            )
        )
        attachment = (
            cls.env["ir.attachment"]
            .with_user(cls.counselor)
            .create(
                {
                    "name": "application.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 signed"),
                    "res_model": cls.request._name,
                    "res_id": cls.request.id,
                }
            )
        )
        cls.request.application_attachment_ids = [Command.set(attachment.ids)]
        cls.request.action_submit()
        cls.request.with_user(cls.supervisor).action_supervisor_approve()
        cls.request.with_user(cls.director).action_director_approve()
        cls.request = cls.request.sudo()

    def test_finance_refunds_in_the_web_client(self):
        self.assertEqual(self.invoice.amount_total, 2000.0)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.enrollment.state, "active")
        self.assertEqual(self.enrollment.hours_consumed, 2.0)
        self.assertEqual(self.request.state, "director_approved")
        self.assertEqual(self.request.amount_refundable, 1800.0)
        self.assertEqual(self.request.amount_approved, 1800.0, "pre-filled for finance")

        self.start_tour(
            "/odoo/action-training_attendance.training_refund_request_action",
            "training_attendance_refund",
            login=self.finance.login,
        )

        request = self.request
        self.assertEqual(request.state, "done")
        self.assertEqual(request.finance_user_id, self.finance)
        self.assertEqual(request.amount_approved, 1500.0)
        credit_note = request.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(credit_note.amount_total, 1500.0)
        self.assertEqual(credit_note.partner_id, self.guardian)
        self.assertEqual(credit_note.training_enrollment_id, self.enrollment)
        self.assertEqual(self.enrollment.state, "withdrawn")
        self.assertFalse(self.student.active)
