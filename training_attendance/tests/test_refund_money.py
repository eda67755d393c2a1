from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .test_fees_refunds import RefundCase

GUARDED = "change only through its workflow buttons"


@tagged("post_install", "-at_install")
class TestRefundMoney(RefundCase):
    """Issue #9 (integrity on the server) and #10 (money) for refunds: every bypass
    reproduced through JSON-RPC is refused with a clear error and changes nothing, and the
    credit notes of an enrolment never exceed what was paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="rm_accountant",
            groups="base.group_user,account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    # ------------------------------------------------------------------ helpers
    def _done_request(self, amount=500.0):
        enrollment, invoice = self._paid_enrollment(hours=20)
        request = self._approved_by_director(self._request(enrollment))
        request.with_user(self.finance).amount_approved = amount
        request.with_user(self.finance).action_finance_approve()
        self.assertEqual(request.state, "done")
        return request, enrollment, invoice

    def _snapshot(self, request):
        request.invalidate_recordset()
        fnames = list(request._protected_fields) + ["amount_approved", "enrollment_id", "reason"]
        return request.sudo().read(fnames)[0]

    def _credit_notes(self, enrollment):
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "out_refund"),
                    ("state", "=", "posted"),
                    "|",
                    ("training_enrollment_id", "=", enrollment.id),
                    ("reversed_entry_id", "in", enrollment.invoice_ids.ids),
                ]
            )
        )

    def _assert_never_above_paid(self, enrollment):
        paid = enrollment._amounts()["paid"]
        refunded = sum(self._credit_notes(enrollment).mapped("amount_total_signed"))
        self.assertLessEqual(-refunded, paid + 0.001, "credit notes above what was paid")
        return -refunded

    def _invoicing_credit_note(self, invoice, amount):
        """What an accountant does in Invoicing: the invoice's Credit Note button (the
        reversal wizard), then the draft edited down to ``amount`` and posted."""
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Goodwill", "journal_id": invoice.journal_id.id})
        )
        wizard.refund_moves()
        credit_note = wizard.new_move_ids
        lines = credit_note.invoice_line_ids
        course_line = lines.filtered(lambda line: line.product_id == self.course.product_id)
        credit_note.write(
            {
                "invoice_line_ids": [Command.unlink(line.id) for line in lines - course_line]
                + [Command.update(course_line.id, {"quantity": 1, "price_unit": amount})]
            }
        )
        credit_note.action_post()
        return credit_note

    # ------------------------------------------------------------------ bypasses (issue #9)
    def test_counselor_cannot_write_an_approved_state(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        before = self._snapshot(request)
        with self.assertRaisesRegex(UserError, GUARDED):
            request.write({"state": "director_approved"})  # as the counselor, like RPC
        with self.assertRaisesRegex(UserError, GUARDED):
            request.write({"state": "done", "credit_note_id": _invoice.id})
        self.assertEqual(self._snapshot(request), before)
        Request = self.env["training.refund.request"].with_user(self.counselor)
        with self.assertRaisesRegex(UserError, GUARDED):
            Request.create(
                {"enrollment_id": enrollment.id, "reason": "x", "state": "director_approved"}
            )
        with self.assertRaisesRegex(UserError, GUARDED):
            Request.with_context(default_state="done").create(
                {"enrollment_id": enrollment.id, "reason": "x", "state": "done"}
            )
        self.assertEqual(enrollment.refund_request_ids, request)

    def test_finance_cannot_skip_the_chain(self):
        enrollment, _invoice = self._paid_enrollment()
        # a draft without the written application
        request = self._request(enrollment, application_attachment_ids=[Command.clear()])
        before = self._snapshot(request)
        as_finance = request.with_user(self.finance)
        with self.assertRaisesRegex(UserError, GUARDED):
            as_finance.write({"state": "director_approved"})
        with self.assertRaisesRegex(UserError, GUARDED):
            as_finance.write({"supervisor_id": self.supervisor.id, "director_id": self.director.id})
        with self.assertRaisesRegex(UserError, "not possible"):
            as_finance.action_finance_approve()
        self.assertEqual(self._snapshot(request), before)
        self.assertFalse(self._credit_notes(enrollment))

    def test_done_request_cannot_be_approved_again(self):
        request, enrollment, _invoice = self._done_request()
        before = self._snapshot(request)
        as_finance = request.with_user(self.finance)
        with self.assertRaisesRegex(UserError, GUARDED):
            as_finance.write({"state": "director_approved"})
        with self.assertRaisesRegex(UserError, GUARDED):
            as_finance.write({"credit_note_id": False})
        with self.assertRaisesRegex(UserError, "not possible"):
            as_finance.action_finance_approve()
        self.assertEqual(self._snapshot(request), before)
        self.assertEqual(len(self._credit_notes(enrollment)), 1, "no second credit note")

    def test_done_request_cannot_be_reset_nor_deleted(self):
        request, enrollment, _invoice = self._done_request()
        before = self._snapshot(request)
        as_counselor = request.with_user(self.counselor)
        with self.assertRaisesRegex(UserError, GUARDED):
            as_counselor.write({"state": "draft"})
        with self.assertRaisesRegex(UserError, "never submitted"):
            as_counselor.unlink()
        with self.assertRaisesRegex(UserError, "never submitted"):
            request.sudo().unlink()
        self.assertTrue(request.exists())
        self.assertEqual(self._snapshot(request), before)
        # the locked request keeps its application; the analysis stays open
        with self.assertRaisesRegex(UserError, "no longer change"):
            as_counselor.write({"reason": "Other reason"})
        as_counselor.write({"lessons_learned": "Call the family earlier."})
        self.assertEqual(request.lessons_learned, "Call the family earlier.")
        for user in (self.counselor, self.supervisor, self.director, self.finance):
            form = Form(request.with_user(user))
            self.assertEqual((form.state, form.credit_note_count), ("done", 1))

    def test_submitted_or_cancelled_request_is_kept(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        request.action_submit()
        with self.assertRaisesRegex(UserError, "no longer change"):
            request.write({"enrollment_id": enrollment.id, "reason": "Changed"})
        request.action_cancel()
        with self.assertRaisesRegex(UserError, "never submitted"):
            request.unlink()
        self.assertTrue(request.exists())
        self.assertEqual(request.reason, "Family moves to another city")
        # a draft never submitted can go
        draft = self._request(enrollment)
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_approvals_and_amount_cannot_be_set_at_create(self):
        enrollment, _invoice = self._paid_enrollment()
        Request = self.env["training.refund.request"].with_user(self.counselor)
        now = fields.Datetime.now()
        forged = [
            ({"supervisor_id": self.supervisor.id}, UserError, GUARDED),
            ({"director_id": self.director.id}, UserError, GUARDED),
            ({"supervisor_date": now, "director_date": now}, UserError, GUARDED),
            ({"submitted_by_id": self.counselor.id}, UserError, GUARDED),
            ({"finance_user_id": self.finance.id, "finance_date": now}, UserError, GUARDED),
            ({"amount_approved": 1000.0}, UserError, "set by finance"),
        ]
        for vals, exception, message in forged:
            with self.assertRaisesRegex(exception, message):
                Request.create({"enrollment_id": enrollment.id, "reason": "Moving", **vals})
        self.assertFalse(
            self.env["training.refund.request"].search([("enrollment_id", "=", enrollment.id)])
        )

    def test_amount_approved_only_by_finance_while_waiting_for_finance(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        request.action_submit()
        with self.assertRaisesRegex(UserError, "waits for finance"):
            request.with_user(self.finance).amount_approved = 100.0
        request.with_user(self.supervisor).action_supervisor_approve()
        request.with_user(self.director).action_director_approve()
        with self.assertRaisesRegex(AccessError, "Only finance"):
            request.with_user(self.director).amount_approved = 100.0
        request.with_user(self.finance).amount_approved = 500.0
        request.with_user(self.finance).action_finance_approve()
        credit_note = request.sudo().credit_note_id
        for user in (self.finance, self.accountant):
            with self.assertRaisesRegex(UserError, "waits for finance"):
                request.with_user(user).amount_approved = 1500.0
        request.invalidate_recordset()
        self.assertEqual(request.amount_approved, 500.0)
        self.assertEqual(credit_note.amount_total, 500.0)

    # ------------------------------------------------------------------ money (issue #10)
    def test_credit_notes_never_exceed_what_was_paid(self):
        enrollment, invoice = self._paid_enrollment(hours=20)
        self._consume(enrollment, sessions=1)
        # paid 2,150 = 20 h x 100 + textbook 150 (kept); consumed 2 h
        first = self._approved_by_director(self._request(enrollment))
        as_finance = first.with_user(self.finance)
        self.assertEqual(first.amount_refundable, 1800.0)
        self.assertEqual(first.amount_approved, 1800.0, "pre-filled at the director's approval")
        # the student attends two more lessons while the request goes through the chain
        self._consume(enrollment, sessions=2, first_week=1)
        with self.assertRaisesRegex(UserError, "now above the refundable amount"):
            as_finance.action_finance_approve()
        self.assertEqual(first.state, "director_approved")
        self.assertFalse(self._credit_notes(enrollment))
        with self.assertRaisesRegex(ValidationError, "above the refundable amount"):
            as_finance.amount_approved = 1400.01
        as_finance.amount_approved = 1200.0
        # reset attempts change nothing
        with self.assertRaisesRegex(UserError, GUARDED):
            as_finance.write({"state": "submitted"})
        # a credit note made in Invoicing with the invoice's Credit Note button
        manual = self._invoicing_credit_note(invoice, 300.0)
        self.assertEqual(manual.training_enrollment_id, enrollment)
        self.assertEqual(manual.reversed_entry_id, invoice)
        self.assertEqual(first.amount_refunded, 300.0)
        self.assertEqual(first.amount_refundable, 1100.0, "2,150 - 600 - 150 - 300")
        self._assert_never_above_paid(enrollment)
        with self.assertRaisesRegex(UserError, "now above the refundable amount"):
            as_finance.action_finance_approve()
        self.assertFalse(first.credit_note_ids)
        as_finance.amount_approved = 1100.0
        as_finance.action_finance_approve()
        self.assertEqual(first.state, "done")
        self.assertEqual(first.credit_note_id.amount_total, 1100.0)
        self.assertEqual(self._assert_never_above_paid(enrollment), 1400.0)
        # a credit note made in Invoicing without the enrolment's link still counts
        manual.sudo().training_enrollment_id = False
        self.student.active = True
        second = self._request(enrollment)
        self.assertEqual(second.amount_refunded, 1400.0)
        self.assertEqual(second.amount_refundable, 0.0)
        second.action_submit()
        second.with_user(self.supervisor)._refuse("Everything left was consumed")
        self.assertEqual(second.state, "refused")
        with self.assertRaisesRegex(UserError, GUARDED):
            second.with_user(self.finance).write({"state": "director_approved"})
        third = self._approved_by_director(self._request(enrollment))
        with self.assertRaisesRegex(ValidationError, "above the refundable amount"):
            third.with_user(self.finance).amount_approved = 0.01
        with self.assertRaisesRegex(UserError, "Set the approved amount"):
            third.with_user(self.finance).action_finance_approve()
        self.assertEqual(self._assert_never_above_paid(enrollment), 1400.0)

    def test_taxed_course_is_refunded_tax_included(self):
        tax = self.company_data["default_tax_sale"]
        self.assertEqual((tax.amount, tax.price_include), (15.0, False))
        self.course.product_id.taxes_id = tax
        enrollment, invoice = self._paid_enrollment(hours=20)
        self.assertEqual(invoice.amount_total, 2450.0, "2,000 + 15 % + textbook 150")
        self._consume(enrollment, sessions=1)
        request = self._request(enrollment)
        # one base throughout: tax included, what the family paid
        self.assertEqual(request.amount_paid, 2450.0)
        self.assertEqual(request.amount_consumed, 230.0, "2 h x 100 + 15 %")
        self.assertEqual(request.amount_non_refundable, 150.0)
        self.assertEqual(request.amount_refundable, 2070.0)
        request = self._approved_by_director(request)
        # 999.00 cannot be reached with 15 % on a rounded base (868.70 + 130.31 = 999.01):
        # the cent goes to the tax, as Odoo's own quick encoding does
        request.with_user(self.finance).amount_approved = 999.0
        request.with_user(self.finance).action_finance_approve()
        credit_note = request.credit_note_id
        self.assertEqual(credit_note.amount_total, 999.0, "tax included = approved")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        line = credit_note.invoice_line_ids
        self.assertEqual(len(line), 1)
        course_line = invoice.invoice_line_ids.filtered(
            lambda invoice_line: invoice_line.product_id == self.course.product_id
        )
        self.assertEqual(line.tax_ids, tax, "the invoice's taxes are kept")
        self.assertEqual(line.account_id, course_line.account_id)
        self.assertEqual(credit_note.amount_untaxed, 868.70)
        self.assertEqual(credit_note.amount_tax, 130.30)
        self.student.active = True
        self.assertEqual(self._request(enrollment).amount_refundable, 1071.0)

    def test_refund_across_paid_invoices(self):
        enrollment, invoice = self._paid_enrollment(hours=20)
        wizard = Form(
            self.env["training.enrollment.renewal"]
            .with_user(self.finance)
            .with_context(default_enrollment_id=enrollment.id)
        )
        wizard.hours = 5
        wizard.save().action_confirm()
        renewal = enrollment.invoice_ids.filtered("training_renewal_hours")
        renewal.action_post()
        self._pay(renewal)
        self._invoicing_credit_note(invoice, 100.0)
        request = self._approved_by_director(self._request(enrollment))
        # paid 2,150 + 500; textbook 150 kept; 100 already refunded
        self.assertEqual(request.amount_refundable, 2400.0)
        request.with_user(self.finance).amount_approved = 2400.0
        request.with_user(self.finance).action_finance_approve()
        notes = request.credit_note_ids
        self.assertEqual(len(notes), 2)
        self.assertEqual(request.credit_note_id.reversed_entry_id, invoice, "largest first")
        amounts = {note.reversed_entry_id: note.amount_total for note in notes}
        self.assertEqual(amounts, {invoice: 2050.0, renewal: 350.0})
        self.assertTrue(all(note.state == "posted" for note in notes))
        self.assertEqual(self._assert_never_above_paid(enrollment), 2500.0)
        action = request.with_user(self.finance).action_view_credit_note()
        self.assertEqual(action["domain"], [("id", "in", notes.ids)])

    def test_refusal_needs_a_reason(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        request.action_submit()
        Wizard = (
            self.env["training.refund.refuse"]
            .with_user(self.supervisor)
            .with_context(default_request_ids=request.ids)
        )
        for vals in ({}, {"reason": "   "}):
            wizard = Wizard.create(vals)
            with self.assertRaisesRegex(UserError, "reason of the refusal"):
                wizard.action_confirm()
        with self.assertRaisesRegex(UserError, "reason of the refusal"):
            request.with_user(self.supervisor)._refuse(False)
        self.assertEqual(request.state, "submitted")
        self.assertFalse(request.refused_by_id)
        self.assertTrue(request.activity_ids, "the supervisor's activity is still open")
