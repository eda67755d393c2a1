import base64
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import validate_and_follow


@tagged("post_install", "-at_install")
class RefundCase(AccountTestInvoicingCommon):
    """Fixtures of the fees and refunds tests: a campus with the generic chart of
    accounts, the refund approvers, a course with a non-refundable textbook."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env = cls.env(
            su=True, context=dict(cls.env.context, allowed_company_ids=cls.company.ids)
        )

        def user(login, *groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(("base.group_user",) + groups),
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.teacher = user("rf_teacher", "training_attendance.group_teacher")
        cls.counselor = user("rf_counselor", "training_attendance.group_counselor")
        cls.supervisor = user("rf_supervisor", "training_attendance.group_counselor_supervisor")
        cls.director = user("rf_director", "training_attendance.group_director")
        cls.finance = user("rf_finance", "training_attendance.group_finance")
        cls.director_finance = user(
            "rf_director_finance",
            "training_attendance.group_director",
            "training_attendance.group_finance",
        )
        material = cls.env["product.product"].create(
            {"name": "Textbook", "type": "consu", "lst_price": 150.0, "taxes_id": False}
        )
        cls.course = cls.env["training.course"].create(
            {
                "name": "Maths G5",
                "lesson_duration": 2.0,
                "price_per_hour": 100.0,
                "company_id": cls.company.id,
                "fee_ids": [Command.create({"product_id": material.id, "refundable": False})],
            }
        )
        cls.course.product_id.taxes_id = False
        cls.klass = cls.env["training.class"].create(
            {
                "name": "Maths G5 Wed",
                "course_id": cls.course.id,
                "teacher_id": cls.teacher.id,
                "company_id": cls.company.id,
            }
        )
        cls.env["training.policy"]._get_for_company(cls.company).write(
            {
                "counselor_supervisor_id": cls.supervisor.id,
                "campus_director_id": cls.director.id,
                "finance_officer_id": cls.finance.id,
            }
        )
        cls.student = cls.env["res.partner"].create(
            {"name": "Li Ming", "is_student": True, "counselor_id": cls.counselor.id}
        )
        cls.guardian = cls.env["res.partner"].create(
            {"name": "Li Hua", "email": "li.hua@example.com"}
        )
        cls.env["training.guardian.link"].create(
            {"student_id": cls.student.id, "guardian_id": cls.guardian.id, "is_primary": True}
        )

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def assertRaisesRegex(self, exception, regex):
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    def _confirmed_enrollment(self, hours=20.0, klass=None):
        enrollment = (
            self.env["training.enrollment"]
            .with_user(self.counselor)
            .create(
                {
                    "student_id": self.student.id,
                    "class_id": (klass or self.klass).id,
                    "hours_purchased": hours,
                    "date_start": date(2026, 9, 1),
                }
            )
        )
        enrollment.action_submit()
        enrollment.action_guardian_confirm()
        return enrollment.sudo()

    def _invoice(self, enrollment):
        enrollment.with_user(self.finance).action_create_invoice()
        invoice = enrollment.invoice_ids.filtered(lambda m: not m.training_renewal_hours)
        invoice.action_post()
        return invoice

    def _pay(self, invoice, amount=None):
        vals = {"amount": amount} if amount is not None else {}
        self.env["account.payment.register"].with_company(invoice.company_id).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(vals).action_create_payments()

    def _paid_enrollment(self, hours=20.0):
        enrollment = self._confirmed_enrollment(hours)
        invoice = self._invoice(enrollment)
        self._pay(invoice)
        return enrollment, invoice

    def _consume(self, enrollment, sessions=1, first_week=0):
        for week in range(first_week, first_week + sessions):
            start = datetime(2026, 9, 2, 8) + timedelta(weeks=week)
            session = self.env["training.session"].create(
                {
                    "class_id": enrollment.class_id.id,
                    "start": start,
                    "stop": start + timedelta(hours=2),
                }
            )
            session.action_open()
            session.action_mark_rest_present()
            validate_and_follow(session)

    def _request(self, enrollment, **vals):
        attachment = self.env["ir.attachment"].create(
            {"name": "application.pdf", "datas": base64.b64encode(b"%PDF-1.4 signed")}
        )
        return (
            self.env["training.refund.request"]
            .with_user(self.counselor)
            .with_company(enrollment.company_id)
            .create(
                {
                    "enrollment_id": enrollment.id,
                    "reason": "Family moves to another city",
                    "application_attachment_ids": [Command.set(attachment.ids)],
                    **vals,
                }
            )
        )

    def _approved_by_director(self, request):
        request.action_submit()
        request = request.with_company(request.company_id)
        request.with_user(self.supervisor).action_supervisor_approve()
        request.with_user(self.director).action_director_approve()
        return request


@tagged("post_install", "-at_install")
class TestFeesRefunds(RefundCase):
    """SPEC §6 and the payment steps of §2, on a real chart of accounts."""

    # ------------------------------------------------------------------ invoicing
    def test_enrolment_invoice(self):
        enrollment = self._confirmed_enrollment(hours=20)
        self.assertEqual(enrollment.invoice_state, "none")
        enrollment.with_user(self.finance).action_create_invoice()
        invoice = enrollment.invoice_ids
        self.assertEqual(invoice.partner_id, self.guardian, "the paying guardian is invoiced")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.training_enrollment_id, enrollment)
        lines = invoice.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("product_id.name"), ["Maths G5", "Textbook"])
        self.assertEqual(lines.mapped("quantity"), [20.0, 1.0])
        self.assertEqual(invoice.amount_untaxed, 2150.0)
        with self.assertRaisesRegex(UserError, "already invoiced"):
            enrollment.with_user(self.finance).action_create_invoice()
        self.assertEqual(len(enrollment.invoice_ids), 1)

    def test_full_payment_activates_and_notifies(self):
        enrollment = self._confirmed_enrollment()
        invoice = self._invoice(enrollment)
        self.assertEqual((enrollment.state, enrollment.invoice_state), ("confirmed", "not_paid"))
        self._pay(invoice, amount=1000.0)
        self.assertEqual((enrollment.state, enrollment.invoice_state), ("confirmed", "partial"))
        self._pay(invoice)
        self.assertEqual((enrollment.state, enrollment.invoice_state), ("active", "paid"))
        notice = enrollment.message_ids.filtered(lambda m: "is admitted to" in (m.subject or ""))
        self.assertEqual(len(notice), 1)
        self.assertIn(self.guardian, notice.partner_ids)

    def test_renewal_hours_added_once_paid(self):
        enrollment, _invoice = self._paid_enrollment(hours=20)
        wizard = Form(
            self.env["training.enrollment.renewal"]
            .with_user(self.finance)
            .with_context(default_enrollment_id=enrollment.id)
        )
        wizard.hours = 10
        wizard.save().action_confirm()
        renewal = enrollment.invoice_ids.filtered("training_renewal_hours")
        self.assertEqual(renewal.invoice_line_ids.quantity, 10.0)
        self.assertEqual(len(renewal.invoice_line_ids), 1, "fees are invoiced once")
        renewal.action_post()
        self.assertEqual(enrollment.hours_purchased, 20.0, "not before payment")
        self._pay(renewal)
        self.assertEqual(enrollment.hours_purchased, 30.0)
        renewal._invoice_paid_hook()  # a second notification adds nothing
        self.assertEqual(enrollment.hours_purchased, 30.0)

    # ------------------------------------------------------------------ refund amounts
    def test_refundable_amount_after_consumption(self):
        enrollment, _invoice = self._paid_enrollment(hours=20)
        self._consume(enrollment, sessions=2)
        request = self._request(enrollment)
        # paid 2,150 = 20 h x 100 + textbook 150; consumed 4 h x 100; textbook kept
        self.assertEqual(request.amount_paid, 2150.0)
        self.assertEqual(request.amount_consumed, 400.0)
        self.assertEqual(request.amount_non_refundable, 150.0)
        self.assertEqual(request.amount_refundable, 1600.0)

    # ------------------------------------------------------------------ approval chain
    def test_four_step_chain_makes_the_credit_note(self):
        enrollment, invoice = self._paid_enrollment(hours=20)
        self._consume(enrollment)
        request = self._request(enrollment)
        request.action_submit()
        self.assertEqual((request.state, request.submitted_by_id), ("submitted", self.counselor))
        step_activity = request.activity_ids
        self.assertEqual(step_activity.user_id, self.supervisor)
        with freeze_time("2026-12-01 09:30:00"):
            request.with_user(self.supervisor).action_supervisor_approve()
        self.assertEqual(request.supervisor_id, self.supervisor)
        self.assertEqual(request.supervisor_date, datetime(2026, 12, 1, 9, 30))
        self.assertFalse(step_activity.exists(), "the supervisor's activity is done")
        self.assertEqual(request.activity_ids.user_id, self.director)
        request.with_user(self.director).action_director_approve()
        self.assertEqual(request.activity_ids.user_id, self.finance)
        request.with_user(self.finance).amount_approved = 1500.0
        request.with_user(self.finance).action_finance_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.finance_user_id, self.finance)
        self.assertFalse(request.activity_ids)
        credit_note = request.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.partner_id, self.guardian)
        self.assertEqual(credit_note.journal_id, invoice.journal_id)
        self.assertEqual(credit_note.company_id, self.company)
        self.assertEqual(credit_note.amount_total, 1500.0)
        self.assertEqual(enrollment.state, "withdrawn")
        self.assertEqual(enrollment.event_ids[0].kind, "withdraw")
        self.assertFalse(self.student.active, "archived, not deleted")
        decision = request.message_ids.filtered(lambda m: self.guardian in m.partner_ids)
        self.assertEqual(len(decision), 1, "the guardian is told once")
        self.assertIn("is approved", str(decision.body))
        self.assertEqual(request.amount_refunded, 0.0, "its own credit note is not 'already'")

    def test_refusal_at_each_step(self):
        enrollment, _invoice = self._paid_enrollment()
        steps = [
            (self.supervisor, []),
            (self.director, ["action_supervisor_approve"]),
            (self.finance, ["action_supervisor_approve", "action_director_approve"]),
        ]
        approvers = {
            "action_supervisor_approve": self.supervisor,
            "action_director_approve": self.director,
        }
        for refuser, before in steps:
            request = self._request(enrollment)
            request.action_submit()
            for method in before:
                getattr(request.with_user(approvers[method]), method)()
            action = request.with_user(refuser).action_refuse()
            wizard = (
                self.env[action["res_model"]]
                .with_user(refuser)
                .with_context(**action["context"])
                .create({"reason": "Not in the contract's terms"})
            )
            wizard.action_confirm()
            self.assertEqual(request.state, "refused")
            self.assertEqual(request.refused_by_id, refuser)
            self.assertEqual(request.refusal_reason, "Not in the contract's terms")
            self.assertFalse(request.credit_note_id)
            self.assertFalse(request.activity_ids)
        self.assertEqual(enrollment.state, "active", "a refused refund changes nothing")

    def test_second_request_never_exceeds_what_is_left(self):
        enrollment, _invoice = self._paid_enrollment(hours=20)
        first = self._approved_by_director(self._request(enrollment))
        first.with_user(self.finance).amount_approved = 500.0
        first.with_user(self.finance).action_finance_approve()
        self.assertEqual(enrollment.state, "withdrawn")
        second = self._request(enrollment)
        self.assertEqual(second.amount_refunded, 500.0)
        self.assertEqual(second.amount_refundable, 1500.0, "2,150 - 150 textbook - 500")
        self._approved_by_director(second)
        with self.assertRaisesRegex(ValidationError, "above the refundable amount"):
            second.with_user(self.finance).amount_approved = 1500.01
        second.with_user(self.finance).amount_approved = 1500.0
        second.with_user(self.finance).action_finance_approve()
        self.assertEqual(self._request(enrollment).amount_refundable, 0.0)

    def test_two_campuses_use_their_own_journals(self):
        other = self.setup_other_company(name="Campus B")["company"]
        self.finance.company_ids |= other
        self.counselor.company_ids |= other
        self.supervisor.company_ids |= other
        self.director.company_ids |= other
        env = self.env(context=dict(self.env.context, allowed_company_ids=other.ids))
        course = env["training.course"].create(
            {"name": "Piano", "lesson_duration": 1, "price_per_hour": 80, "company_id": other.id}
        )
        course.product_id.taxes_id = False
        klass = env["training.class"].create(
            {"name": "Piano Mon", "course_id": course.id, "company_id": other.id}
        )
        enrollment = env["training.enrollment"].create(
            {
                "student_id": self.student.id,
                "class_id": klass.id,
                "company_id": other.id,
                "hours_purchased": 10,
                "state": "confirmed",
            }
        )
        enrollment.action_create_invoice()
        invoice = enrollment.invoice_ids
        self.assertEqual(invoice.company_id, other)
        self.assertEqual(invoice.journal_id.company_id, other)
        invoice.action_post()
        self._pay(invoice)
        self.assertEqual(enrollment.state, "active")
        request = self._approved_by_director(self._request(enrollment))
        request.with_user(self.finance).with_context(
            allowed_company_ids=other.ids
        ).amount_approved = 800.0
        request.with_user(self.finance).with_context(
            allowed_company_ids=other.ids
        ).action_finance_approve()
        self.assertEqual(request.credit_note_id.journal_id, invoice.journal_id)
        self.assertEqual(request.credit_note_id.company_id, other)

    # ------------------------------------------------------------------ access and bad input
    def test_every_role_opens_the_enrolment_form(self):
        enrollment, _invoice = self._paid_enrollment()
        self._request(enrollment)
        accountant = new_test_user(
            self.env,
            login="rf_accountant2",
            groups="base.group_user,account.group_account_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        for user in (self.teacher, self.counselor, self.supervisor, self.finance, accountant):
            form = Form(enrollment.with_user(user))
            self.assertEqual(form.state, "active")
        self.assertEqual(Form(enrollment.with_user(self.counselor)).invoice_state, "paid")
        self.assertEqual(Form(enrollment.with_user(self.finance)).invoice_count, 1)
        request = enrollment.refund_request_ids
        for user in (self.counselor, self.supervisor, self.director, self.finance, accountant):
            self.assertEqual(Form(request.with_user(user)).state, "draft")

    def test_teacher_cannot_see_refunds(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        with self.assertRaises(AccessError):
            request.with_user(self.teacher).read(["amount_refundable"])
        with self.assertRaises(AccessError):
            enrollment.with_user(self.teacher).read(["invoice_state"])

    def test_counselor_cannot_approve_and_finance_cannot_skip(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        request.action_submit()
        with self.assertRaises(AccessError):
            request.action_supervisor_approve()  # as the counselor
        with self.assertRaisesRegex(UserError, "not possible"):
            request.with_user(self.finance).action_finance_approve()
        with self.assertRaisesRegex(UserError, "not possible"):
            request.with_user(self.director).action_director_approve()
        self.assertEqual(request.state, "submitted")
        self.assertFalse(request.supervisor_id)

    def test_one_person_cannot_approve_two_steps(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        request.action_submit()
        request.with_user(self.supervisor).action_supervisor_approve()
        request.with_user(self.director_finance).action_director_approve()
        request.with_user(self.director_finance).amount_approved = 100.0
        with self.assertRaisesRegex(UserError, "already acted"):
            request.with_user(self.director_finance).action_finance_approve()
        self.assertEqual(request.state, "director_approved")
        self.assertFalse(request.credit_note_id)

    def test_approved_amount_is_prefilled_when_it_reaches_finance(self):
        """Issue #17: the director's approval pre-fills the approved amount with the
        refundable amount of that moment; finance may lower it, or take the refundable
        amount back in one tap."""
        enrollment, _invoice = self._paid_enrollment(hours=20)
        self._consume(enrollment)
        request = self._request(enrollment)
        request.action_submit()
        request.with_user(self.supervisor).action_supervisor_approve()
        self.assertEqual(request.amount_approved, 0.0, "not before it reaches finance")
        self.assertEqual(request.amount_refundable, 1800.0, "2,150 - 200 - 150 textbook")
        request.with_user(self.director).action_director_approve()
        self.assertEqual(request.amount_approved, 1800.0)
        self.assertEqual(request.activity_ids.user_id, self.finance)
        request.with_user(self.finance).amount_approved = 1000.0
        self.assertEqual(request.amount_approved, 1000.0)
        with self.assertRaisesRegex(AccessError, "Only finance"):
            request.with_user(self.supervisor).action_use_refundable_amount()
        self.assertEqual(request.amount_approved, 1000.0)
        request.with_user(self.finance).action_use_refundable_amount()
        self.assertEqual(request.amount_approved, 1800.0)
        request.with_user(self.finance).action_finance_approve()
        self.assertEqual(request.credit_note_id.amount_total, 1800.0)

    def test_prefill_keeps_an_amount_finance_set(self):
        """Finance's own amount is never overwritten by the pre-fill."""
        enrollment, _invoice = self._paid_enrollment()
        request = self._approved_by_director(self._request(enrollment))
        request.with_user(self.finance).amount_approved = 300.0
        request._prefill_amount_approved()
        self.assertEqual(request.amount_approved, 300.0)

    def test_bad_amounts_and_unpaid_enrolment(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._approved_by_director(self._request(enrollment))
        prefilled = request.amount_refundable
        self.assertEqual(request.amount_approved, prefilled)
        for bad, message in ((-10.0, "cannot be negative"), (999999.0, "above the refundable")):
            with self.assertRaisesRegex(ValidationError, message):
                request.with_user(self.finance).amount_approved = bad
            self.assertEqual(request.amount_approved, prefilled)
        request.with_user(self.finance).amount_approved = 0.0  # finance empties it
        with self.assertRaisesRegex(UserError, "Set the approved amount"):
            request.with_user(self.finance).action_finance_approve()
        self.assertEqual(request.state, "director_approved")
        # an enrolment invoiced but not paid has nothing to refund
        self.student.active = True
        other_class = self.klass.copy({"name": "Other"})
        unpaid = self._confirmed_enrollment(klass=other_class)
        self._invoice(unpaid)
        unpaid_request = self._request(unpaid)
        with self.assertRaisesRegex(UserError, "Nothing was paid"):
            unpaid_request.action_submit()
        self.assertEqual(unpaid_request.state, "draft")

    def test_every_approver_reads_the_application_and_only_finance_sets_the_amount(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)  # uploaded before the request existed
        self.assertEqual(request.application_attachment_ids.res_id, request.id)
        request.action_submit()
        for approver in (self.supervisor, self.director, self.finance):
            files = request.with_user(approver).application_attachment_ids
            self.assertEqual(files.read(["name"])[0]["name"], "application.pdf")
        request.with_user(self.supervisor).action_supervisor_approve()
        request.with_user(self.director).action_director_approve()
        for user in (self.counselor, self.director):
            with self.assertRaisesRegex(AccessError, "Only finance"):
                request.with_user(user).amount_approved = 10.0
        self.assertEqual(request.amount_approved, request.amount_refundable, "the pre-fill")

    def test_accounting_administrators_qualify_as_finance(self):
        accountant = new_test_user(
            self.env,
            login="rf_accountant",
            groups="base.group_user,account.group_account_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        enrollment, _invoice = self._paid_enrollment()
        request = self._approved_by_director(self._request(enrollment))
        request.with_user(accountant).amount_approved = 300.0
        request.with_user(accountant).action_finance_approve()
        self.assertEqual((request.state, request.finance_user_id), ("done", accountant))
        self.assertEqual(request.credit_note_id.amount_total, 300.0)

    def test_application_is_required_and_one_request_at_a_time(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment, application_attachment_ids=[Command.clear()])
        with self.assertRaisesRegex(UserError, "written application"):
            request.action_submit()
        self.assertEqual(request.state, "draft")
        with self.assertRaisesRegex(ValidationError, "already has a refund request"):
            self._request(enrollment)
