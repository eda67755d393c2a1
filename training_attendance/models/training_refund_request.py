from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

SUPERVISOR = "training_attendance.group_counselor_supervisor"
DIRECTOR = "training_attendance.group_director"
FINANCE = "training_attendance.group_finance"
ACCOUNTANT = "account.group_account_manager"

# state -> (group that acts, field of who acted, field of when, next state, label)
STEPS = {
    "submitted": (SUPERVISOR, "supervisor_id", "supervisor_date", "supervisor_approved"),
    "supervisor_approved": (DIRECTOR, "director_id", "director_date", "director_approved"),
    "director_approved": (FINANCE, "finance_user_id", "finance_date", "done"),
}
OPEN_STATES = ("draft", "submitted", "supervisor_approved", "director_approved")
# what the counselor files: fixed once the request is submitted, as the approvers saw it
APPLICATION_FIELDS = (
    "enrollment_id",
    "guardian_id",
    "reason",
    "application_date",
    "application_attachment_ids",
)


class TrainingRefundRequest(models.Model):
    """The guardian's written application for a refund, through its four-step approval
    (counselor, counselor supervisor, campus director, finance) into a credit note."""

    _name = "training.refund.request"
    _description = "Refund Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "training.state.mixin",
        "training.attachment.mixin",
        "training.enrollment.document.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _attachment_field = "application_attachment_ids"
    _protected_fields = (
        "state",
        "submitted_by_id",
        "submitted_date",
        "supervisor_id",
        "supervisor_date",
        "director_id",
        "director_date",
        "finance_user_id",
        "finance_date",
        "refused_by_id",
        "refusal_reason",
        "credit_note_id",
        "credit_note_ids",
    )
    _locked_states = ("done", "refused", "cancelled")
    # the responsibility analysis is written after the decision
    _locked_free_fields = ("accountable_user_id", "loss_reason_id", "lessons_learned")

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    currency_id = fields.Many2one(related="company_id.currency_id")
    guardian_id = fields.Many2one(
        comodel_name="res.partner",
        compute="_compute_guardian_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
    )
    course_id = fields.Many2one(related="enrollment_id.course_id", store=True)
    counselor_id = fields.Many2one(
        related="enrollment_id.counselor_id", store=True, index=True, string="Counselor"
    )
    reason = fields.Text(required=True, tracking=True)
    application_date = fields.Date(
        string="Application date",
        default=lambda self: self.env.company._training_today(),
        required=True,
    )
    application_attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        string="Written application",
        help="The guardian's signed application (scan or photo).",
    )
    state = fields.Selection(
        string="Status",
        selection=[
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("supervisor_approved", "Approved by supervisor"),
            ("director_approved", "Approved by director"),
            ("done", "Refunded"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    hours_consumed = fields.Float(related="enrollment_id.hours_consumed")
    price_unit = fields.Monetary(related="enrollment_id.price_unit")
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amounts")
    amount_consumed = fields.Monetary(string="Consumed", compute="_compute_amounts")
    amount_non_refundable = fields.Monetary(string="Non-refundable", compute="_compute_amounts")
    amount_refunded = fields.Monetary(string="Already refunded", compute="_compute_amounts")
    amount_refundable = fields.Monetary(string="Refundable", compute="_compute_amounts")
    amount_approved = fields.Monetary(
        string="Approved amount", tracking=True, copy=False, aggregator="sum"
    )
    submitted_by_id = fields.Many2one("res.users", string="Submitted by", readonly=True, copy=False)
    submitted_date = fields.Datetime(string="Submitted on", readonly=True, copy=False)
    supervisor_id = fields.Many2one("res.users", readonly=True, copy=False)
    supervisor_date = fields.Datetime(string="Supervisor approval", readonly=True, copy=False)
    director_id = fields.Many2one("res.users", readonly=True, copy=False)
    director_date = fields.Datetime(string="Director approval", readonly=True, copy=False)
    finance_user_id = fields.Many2one("res.users", string="Finance", readonly=True, copy=False)
    finance_date = fields.Datetime(string="Finance approval", readonly=True, copy=False)
    refused_by_id = fields.Many2one("res.users", string="Refused by", readonly=True, copy=False)
    refusal_reason = fields.Text(string="Refusal reason", readonly=True, copy=False, tracking=True)
    credit_note_id = fields.Many2one(
        comodel_name="account.move", string="Credit note", readonly=True, copy=False
    )
    credit_note_ids = fields.Many2many(
        comodel_name="account.move",
        relation="training_refund_request_credit_note_rel",
        column1="request_id",
        column2="move_id",
        string="Credit notes",
        readonly=True,
        copy=False,
        help="One credit note per refunded invoice, the largest paid invoice first.",
    )
    credit_note_count = fields.Integer(compute="_compute_credit_note_count", compute_sudo=True)
    # responsibility analysis
    accountable_user_id = fields.Many2one(
        comodel_name="res.users", string="Accountable person", tracking=True
    )
    loss_reason_id = fields.Many2one(
        comodel_name="training.loss.reason", string="Cause", tracking=True
    )
    lessons_learned = fields.Text(string="Lessons learned")

    @api.depends("enrollment_id")
    def _compute_guardian_id(self):
        for request in self:
            request.guardian_id = request.enrollment_id.guardian_id

    @api.depends(
        "enrollment_id.hours_consumed",
        "enrollment_id.price_unit",
        "enrollment_id.invoice_ids.amount_residual",
        "enrollment_id.invoice_ids.state",
        "credit_note_ids",
    )
    def _compute_amounts(self):
        """SPEC §6: refundable = paid - consumed - non-refundable - already refunded,
        never below zero, all tax included (see ``training.enrollment._amounts``)."""
        for request in self:
            enrollment = request.enrollment_id
            if not enrollment:
                request.update(
                    dict.fromkeys(
                        (
                            "amount_paid",
                            "amount_consumed",
                            "amount_non_refundable",
                            "amount_refunded",
                            "amount_refundable",
                        ),
                        0.0,
                    )
                )
                continue
            money = enrollment._amounts(exclude=request.credit_note_ids | request.credit_note_id)
            request.amount_paid = money["paid"]
            request.amount_consumed = money["consumed"]
            request.amount_non_refundable = money["non_refundable"]
            request.amount_refunded = money["refunded"]
            request.amount_refundable = money["refundable"]

    @api.depends("credit_note_ids", "credit_note_id")
    def _compute_credit_note_count(self):
        for request in self:
            request.credit_note_count = len(request.credit_note_ids | request.credit_note_id)

    @api.constrains("amount_approved")
    def _check_amount_approved(self):
        for request in self:
            if request.amount_approved < 0:
                raise ValidationError(self.env._("The approved amount cannot be negative."))
            if (
                request.state not in ("done", "refused", "cancelled")
                and request.currency_id.compare_amounts(
                    request.amount_approved, request.amount_refundable
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The approved amount %(approved)s is above the refundable amount "
                        "%(refundable)s.",
                        approved=request.amount_approved,
                        refundable=request.amount_refundable,
                    )
                )

    @api.constrains("enrollment_id", "state")
    def _check_one_open_request(self):
        groups = self.sudo()._read_group(
            [("enrollment_id", "in", self.enrollment_id.ids), ("state", "in", OPEN_STATES)],
            ["enrollment_id"],
            ["__count"],
            having=[("__count", ">", 1)],
        )
        if groups:
            raise ValidationError(
                self.env._(
                    "%(ref)s already has a refund request in progress.",
                    ref=groups[0][0].display_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_guarded_call() and any(
            vals.get("state", "draft") != "draft" for vals in vals_list
        ):
            # a request is born a draft, whatever ``default_state`` the caller sends
            raise self._guard_error(["state"])
        if not self._is_guarded_call() and any(vals.get("amount_approved") for vals in vals_list):
            raise UserError(
                self.env._(
                    "The approved amount is set by finance once the campus director has "
                    "approved the refund, not when the request is created."
                )
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("training.refund.request")
        return super().create(vals_list)

    def write(self, vals):
        if not self._is_guarded_call():
            if "amount_approved" in vals:
                self._check_amount_approved_write()
            if any(fname in vals for fname in APPLICATION_FIELDS):
                self._check_application_write()
        return super().write(vals)

    def _check_amount_approved_write(self):
        """Finance (or an accounting administrator) sets the approved amount, only while
        the request waits for finance's approval."""
        if not self._is_finance():
            raise AccessError(self.env._("Only finance sets the approved amount of a refund."))
        waiting = self.filtered(lambda request: request.state != "director_approved")
        if waiting:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "The approved amount of %(ref)s can only be set while it waits for "
                    "finance's approval; it is %(state)s.",
                    ref=waiting[0].name,
                    state=states[waiting[0].state],
                )
            )

    def _check_application_write(self):
        submitted = self.filtered(lambda request: request.state != "draft")
        if submitted:
            raise UserError(
                self.env._(
                    "%(ref)s is submitted: its enrolment, guardian, reason and written "
                    "application no longer change.",
                    ref=submitted[0].name,
                )
            )

    def _is_finance(self):
        user = self.env.user
        return self.env.su or user.has_group(FINANCE) or user.has_group(ACCOUNTANT)

    def unlink(self):
        """Nothing used is deleted (SPEC §9): only a draft that was never submitted."""
        used = self.filtered(
            lambda request: (
                request.state != "draft"
                or request.submitted_by_id
                or request.credit_note_id
                or request.credit_note_ids
            )
        )
        if used:
            raise UserError(
                self.env._(
                    "Only a draft refund request that was never submitted can be deleted: "
                    "%(ref)s is kept (cancel or refuse it instead).",
                    ref=used[0].name,
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ approval chain
    def _approver(self, group_xmlid):
        """Who gets the activity of a step: the campus's holder of the role
        (``training.policy._role_user``), a clear error when nobody holds it."""
        self.ensure_one()
        role = {
            SUPERVISOR: "counselor_supervisor",
            DIRECTOR: "campus_director",
            FINANCE: "finance_officer",
        }[group_xmlid]
        return self.env["training.policy"]._get_for_company(self.company_id)._role_user(role)

    def _schedule_step_activity(self):
        for request in self:
            step = STEPS.get(request.state)
            if not step:
                continue
            user = request._approver(step[0])
            if user:
                request.activity_schedule(
                    "training_attendance.mail_activity_refund_approval",
                    user_id=user.id,
                    summary=self.env._("Refund %(ref)s to approve", ref=request.name),
                )

    def _close_step_activities(self, feedback=None):
        activity_type = self.env.ref("training_attendance.mail_activity_refund_approval")
        activities = self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        if feedback:
            activities.action_feedback(feedback=feedback)
        else:
            activities.unlink()

    def _check_step_rights(self, group_xmlid):
        user = self.env.user
        allowed = self._is_finance() if group_xmlid == FINANCE else user.has_group(group_xmlid)
        if not allowed and not self.env.su:
            raise AccessError(
                self.env._(
                    "This approval step is for %(group)s.", group=self.env.ref(group_xmlid).name
                )
            )
        for request in self:
            acted = request.submitted_by_id | request.supervisor_id | request.director_id
            if user in acted:
                raise UserError(
                    self.env._(
                        "%(user)s already acted on %(ref)s: each step of a refund needs "
                        "another person.",
                        user=user.name,
                        ref=request.name,
                    )
                )

    def action_submit(self):
        self._check_state(("draft",), self.env._("Submitting the refund"))
        for request in self:
            if not request.application_attachment_ids:
                raise UserError(
                    self.env._("Attach the guardian's written application before submitting.")
                )
            if request.currency_id.is_zero(request.amount_paid):
                raise UserError(
                    self.env._(
                        "Nothing was paid for %(ref)s: there is nothing to refund.",
                        ref=request.enrollment_id.name,
                    )
                )
        self._guarded_write(
            {
                "state": "submitted",
                "submitted_by_id": self.env.user.id,
                "submitted_date": fields.Datetime.now(),
            }
        )
        self._schedule_step_activity()
        return True

    def _approve_step(self, state):
        group, who, when, next_state = STEPS[state]
        self._check_state((state,), self.env._("This approval"))
        self._check_step_rights(group)
        self._close_step_activities(feedback=self.env._("Approved"))
        self._guarded_write(
            {who: self.env.user.id, when: fields.Datetime.now(), "state": next_state}
        )

    def action_supervisor_approve(self):
        self._approve_step("submitted")
        self._schedule_step_activity()
        return True

    def action_director_approve(self):
        self._approve_step("supervisor_approved")
        self._prefill_amount_approved()
        self._schedule_step_activity()
        return True

    def _prefill_amount_approved(self):
        """Issue #17: the request reaches finance with the approved amount pre-filled with
        the refundable amount of that moment (unless one is set); finance may lower it, and
        ``_check_refundable_now`` checks it again when finance approves."""
        for request in self:
            if request.currency_id.is_zero(request.amount_approved):
                request._guarded_write({"amount_approved": request.amount_refundable})

    def action_use_refundable_amount(self):
        """Finance's one tap: the approved amount is the refundable amount (the write
        checks that finance sets it while the request waits for them)."""
        for request in self:
            request.amount_approved = request.amount_refundable
        return True

    def action_finance_approve(self):
        """Finance's approval: the credit note for the approved amount, posted; the
        enrolment is withdrawn and the guardian told."""
        self._check_state(("director_approved",), self.env._("This approval"))
        self._check_step_rights(FINANCE)
        self._check_refundable_now()
        self._approve_step("director_approved")
        for request in self:
            credit_notes = request._create_credit_notes()
            request._guarded_write(
                {
                    "credit_note_id": credit_notes[:1].id,
                    "credit_note_ids": [Command.set(credit_notes.ids)],
                }
            )
            request._withdraw_enrollment()
            request._notify_guardian()
        return True

    def _check_refundable_now(self):
        """The money invariant, at the moment the credit note is made: the approved amount
        is still within what is refundable now (more lessons may have been attended, or a
        credit note made in Invoicing, since finance set it)."""
        for request in self:
            currency = request.currency_id
            if currency.compare_amounts(request.amount_approved, 0) <= 0:
                raise UserError(self.env._("Set the approved amount before approving."))
            refundable = request.enrollment_id._amounts()["refundable"]
            if currency.compare_amounts(request.amount_approved, refundable) > 0:
                raise UserError(
                    self.env._(
                        "%(ref)s: the approved amount %(approved)s is now above the refundable "
                        "amount %(refundable)s (lessons attended or credit notes made since it "
                        "was set). Lower the approved amount.",
                        ref=request.name,
                        approved=request.amount_approved,
                        refundable=refundable,
                    )
                )

    def action_refuse(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.refund.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_ids": self.ids},
        }

    def _refuse(self, reason):
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason of the refusal: the guardian receives it."))
        self._check_state(tuple(STEPS), self.env._("Refusal"))
        for request in self:
            request._check_step_rights(STEPS[request.state][0])
        self._close_step_activities(feedback=self.env._("Refused: %(reason)s", reason=reason))
        self._guarded_write(
            {"state": "refused", "refused_by_id": self.env.user.id, "refusal_reason": reason}
        )
        for request in self:
            request._notify_guardian()

    def action_cancel(self):
        self._check_state(("draft", "submitted"), self.env._("Cancellation"))
        self._close_step_activities()
        self._guarded_write({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------ accounting
    def _refund_allocation(self):
        """``[(invoice, amount)]``: the approved amount spread over the enrolment's paid
        invoices, the largest paid invoice first, never more on an invoice than what was
        paid on it and not yet refunded."""
        self.ensure_one()
        currency = self.currency_id
        available = self.enrollment_id._amounts()["invoices"]
        remaining = self.amount_approved
        allocation = []
        for invoice in sorted(available, key=lambda m: (-available[m]["paid"], m.id)):
            if currency.compare_amounts(remaining, 0) <= 0:
                break
            amount = currency.round(min(remaining, available[invoice]["available"]))
            if currency.compare_amounts(amount, 0) > 0:
                allocation.append((invoice, amount))
                remaining -= amount
        if currency.compare_amounts(remaining, 0) > 0:
            raise UserError(
                self.env._("%(ref)s has no paid invoice left to refund.", ref=self.name)
            )
        return allocation

    def _create_credit_notes(self):
        """One posted credit note per refunded invoice: Odoo's own reversal of the invoice
        (its journal, accounts and taxes), brought down to the refunded amount."""
        self.ensure_one()
        credit_notes = self.env["account.move"]
        for invoice, amount in self._refund_allocation():
            credit_notes |= self._create_credit_note(invoice, amount)
        return credit_notes

    def _prepare_reversal_vals(self, invoice):
        self.ensure_one()
        return {
            "ref": self.env._("Refund %(ref)s of %(invoice)s", ref=self.name, invoice=invoice.name),
            "invoice_date": self.company_id._training_today(),
            "date": self.company_id._training_today(),
            "journal_id": invoice.journal_id.id,
            "invoice_origin": invoice.name,
            "training_enrollment_id": self.enrollment_id.id,
        }

    def _create_credit_note(self, invoice, amount):
        """Reverse ``invoice`` and keep one line, the course's (else the first), with its
        account and taxes, priced so that the credit note's total, tax included, is
        ``amount``."""
        self.ensure_one()
        invoice = invoice.sudo().with_company(invoice.company_id)
        credit_note = invoice._reverse_moves([self._prepare_reversal_vals(invoice)], cancel=False)
        lines = credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        kept = lines.filtered(lambda line: line.product_id == self.course_id.product_id)[:1]
        kept = kept or lines[:1]
        taxes = kept.tax_ids
        amount = invoice.company_currency_id._convert(
            amount, credit_note.currency_id, invoice.company_id, credit_note.date
        )
        price = amount
        if taxes:
            price = taxes.with_context(force_price_include=True).compute_all(
                amount, currency=credit_note.currency_id
            )["total_excluded"]
        credit_note.write(
            {
                "invoice_line_ids": [Command.unlink(line.id) for line in lines - kept]
                + [
                    Command.update(
                        kept.id,
                        {
                            "name": self.env._(
                                "Refund of %(course)s (%(ref)s)",
                                course=self.course_id.name,
                                ref=self.name,
                            ),
                            "quantity": 1.0,
                            "discount": 0.0,
                            "price_unit": price,
                        },
                    )
                ]
            }
        )
        self._adjust_tax_rounding(credit_note, amount)
        credit_note.action_post()
        return credit_note

    def _adjust_tax_rounding(self, credit_note, amount):
        """Some totals cannot be reached with a tax computed on a rounded base (15 % of a
        cent): the cent goes to the tax, as Odoo's quick encoding and an accountant in the
        tax totals do."""
        if not credit_note.currency_id.compare_amounts(credit_note.amount_total, amount):
            return
        credit_note._check_total_amount(amount)
        if credit_note.currency_id.compare_amounts(credit_note.amount_total, amount):
            raise UserError(
                self.env._(
                    "The credit note of %(ref)s would be %(total)s instead of %(amount)s.",
                    ref=self.name,
                    total=credit_note.amount_total,
                    amount=amount,
                )
            )

    def _withdraw_enrollment(self):
        """The enrolment ends; the student is archived when nothing else is open."""
        enrollment = self.enrollment_id.sudo()
        if enrollment.state in ("confirmed", "active", "suspended"):
            enrollment._withdraw(
                enrollment.company_id._training_today(),
                self.env._("Refunded (%(ref)s): %(reason)s", ref=self.name, reason=self.reason),
            )
        student = enrollment.student_id
        others = student.enrollment_ids.filtered(
            lambda e: e.state in ("draft", "review", "confirmed", "active", "suspended")
        )
        if not others:
            student.active = False

    def _notify_guardian(self):
        template = self.env.ref("training_attendance.mail_template_refund_decision")
        self.sudo().message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    def action_view_credit_note(self):
        self.ensure_one()
        credit_notes = self.credit_note_ids | self.credit_note_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        if len(credit_notes) == 1:
            action.update(views=[(False, "form")], res_id=credit_notes.id)
        else:
            action["domain"] = [("id", "in", credit_notes.ids)]
        return action
