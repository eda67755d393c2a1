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
        string="Application date", default=fields.Date.context_today, required=True
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
    )
    def _compute_amounts(self):
        """SPEC §6: refundable = paid - consumed - non-refundable - already refunded,
        never below zero."""
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
            money = enrollment._amounts(exclude=request.credit_note_id)
            consumed = request.currency_id.round(enrollment.hours_consumed * enrollment.price_unit)
            request.amount_paid = money["paid"]
            request.amount_consumed = consumed
            request.amount_non_refundable = money["non_refundable"]
            request.amount_refunded = money["refunded"]
            request.amount_refundable = max(
                0.0, money["paid"] - consumed - money["non_refundable"] - money["refunded"]
            )

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
        open_states = ("draft", "submitted", "supervisor_approved", "director_approved")
        groups = self._read_group(
            [("enrollment_id", "in", self.enrollment_id.ids), ("state", "in", open_states)],
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
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("training.refund.request")
        return super().create(vals_list)

    def write(self, vals):
        if "amount_approved" in vals and not self._is_finance():
            raise AccessError(self.env._("Only finance sets the approved amount of a refund."))
        return super().write(vals)

    def _is_finance(self):
        user = self.env.user
        return self.env.su or user.has_group(FINANCE) or user.has_group(ACCOUNTANT)

    def unlink(self):
        if any(request.state != "draft" for request in self):
            raise UserError(self.env._("Only draft refund requests can be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ approval chain
    def _approver(self, group_xmlid):
        """Who gets the activity of a step: the campus policy's person, else the first
        user of the step's group on that campus."""
        self.ensure_one()
        policy = self.env["training.policy"]._get_for_company(self.company_id)
        field = {
            SUPERVISOR: "counselor_supervisor_id",
            DIRECTOR: "campus_director_id",
            FINANCE: "finance_officer_id",
        }[group_xmlid]
        user = policy[field]
        if not user:
            user = (
                self.env.ref(group_xmlid)
                .sudo()
                .users.filtered(lambda u: self.company_id in u.company_ids and not u.share)[:1]
            )
        return user

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
        self.write(
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
        self.write({who: self.env.user.id, when: fields.Datetime.now(), "state": next_state})

    def action_supervisor_approve(self):
        self._approve_step("submitted")
        self._schedule_step_activity()
        return True

    def action_director_approve(self):
        self._approve_step("supervisor_approved")
        self._schedule_step_activity()
        return True

    def action_finance_approve(self):
        """Finance's approval: the credit note for the approved amount, posted; the
        enrolment is withdrawn and the guardian told."""
        self._check_state(("director_approved",), self.env._("This approval"))
        for request in self:
            if request.currency_id.compare_amounts(request.amount_approved, 0) <= 0:
                raise UserError(self.env._("Set the approved amount before approving."))
        self._approve_step("director_approved")
        for request in self:
            request.credit_note_id = request._create_credit_note()
            request._withdraw_enrollment()
            request._notify_guardian()
        return True

    def action_refuse(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.refund.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_ids": self.ids},
        }

    def _refuse(self, reason):
        self._check_state(tuple(STEPS), self.env._("Refusal"))
        for request in self:
            request._check_step_rights(STEPS[request.state][0])
        self._close_step_activities(feedback=self.env._("Refused: %(reason)s", reason=reason))
        self.write(
            {"state": "refused", "refused_by_id": self.env.user.id, "refusal_reason": reason}
        )
        for request in self:
            request._notify_guardian()

    def action_cancel(self):
        self._check_state(("draft", "submitted"), self.env._("Cancellation"))
        self._close_step_activities()
        self.write({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------ accounting
    def _refunded_invoice(self):
        """The enrolment's last posted invoice with money paid on it."""
        self.ensure_one()
        invoices = self.enrollment_id.sudo().invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("paid", "in_payment", "partial")
            )
        )
        if not invoices:
            raise UserError(self.env._("%(ref)s has no paid invoice to refund.", ref=self.name))
        return invoices.sorted(lambda m: (m.invoice_date, m.id))[-1]

    def _prepare_credit_note_vals(self, invoice):
        self.ensure_one()
        product = self.course_id.product_id
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "journal_id": invoice.journal_id.id,
            "currency_id": invoice.currency_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.name,
            "ref": self.env._("Refund %(ref)s of %(invoice)s", ref=self.name, invoice=invoice.name),
            "training_enrollment_id": self.enrollment_id.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Refund of %(course)s (%(ref)s)",
                            course=self.course_id.name,
                            ref=self.name,
                        ),
                        "quantity": 1,
                        "price_unit": self.amount_approved,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _create_credit_note(self):
        self.ensure_one()
        invoice = self._refunded_invoice()
        credit_note = (
            self.env["account.move"]
            .sudo()
            .with_company(invoice.company_id)
            .create(self._prepare_credit_note_vals(invoice))
        )
        credit_note.action_post()
        return credit_note

    def _withdraw_enrollment(self):
        """The enrolment ends; the student is archived when nothing else is open."""
        enrollment = self.enrollment_id.sudo()
        if enrollment.state in ("confirmed", "active", "suspended"):
            enrollment._withdraw(
                fields.Date.context_today(self),
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
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        action.update(views=[(False, "form")], res_id=self.credit_note_id.id)
        return action
