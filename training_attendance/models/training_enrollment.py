from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

OPEN_STATES = ("draft", "review", "confirmed", "active", "suspended")
MANAGER_GROUP = "training_attendance.group_manager"
FINANCE_READERS = "training_attendance.group_counselor,account.group_account_invoice"


class TrainingEnrollment(models.Model):
    """The training contract of one student in one class."""

    _name = "training.enrollment"
    _description = "Enrolment"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.state.mixin"]
    _order = "date_contract desc, id desc"
    _check_company_auto = True
    # written by the transitions only (each one logged in the history)
    _protected_fields = (
        "state",
        "guardian_confirmed_at",
        "date_suspended",
        "date_end",
        "date_class",
        "privileges_suspended_until",
    )
    # markers of the follow-up jobs: a user who could set them would silence them
    _system_fields = ("renewal_notified", "date_first_lesson", "followup_checked_on")
    _value_bounds = {"hours_purchased": (0, 10000), "price_unit": (0, 1000000)}

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    student_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain=[("is_student", "=", True)],
    )
    guardian_id = fields.Many2one(
        comodel_name="res.partner",
        string="Paying guardian",
        ondelete="restrict",
        tracking=True,
        compute="_compute_guardian_id",
        store=True,
        readonly=False,
        domain="[('student_link_ids.student_id', '=', student_id)]",
    )
    class_id = fields.Many2one(
        comodel_name="training.class",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    course_id = fields.Many2one(related="class_id.course_id", store=True, index=True)
    date_contract = fields.Date(
        string="Contract date",
        required=True,
        default=lambda self: self.env.company._training_today(),
        tracking=True,
    )
    date_start = fields.Date(
        string="Start date",
        tracking=True,
        help="First day the student attends; set when the enrolment becomes active.",
    )
    date_class = fields.Date(
        string="In this class since",
        tracking=True,
        help="Set by a class transfer: sessions of the class before this day are not "
        "the student's.",
    )
    date_suspended = fields.Date(string="Suspended since", tracking=True, copy=False)
    date_end = fields.Date(string="End date", tracking=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    hours_purchased = fields.Float(string="Hours purchased", tracking=True)
    price_unit = fields.Monetary(
        string="Price per hour",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        tracking=True,
        groups=FINANCE_READERS,
    )
    attendance_line_ids = fields.One2many(
        comodel_name="training.attendance.line",
        inverse_name="enrollment_id",
        string="Attendance",
    )
    hours_consumed = fields.Float(
        string="Hours consumed", compute="_compute_hours", store=True, aggregator="sum"
    )
    hours_remaining = fields.Float(
        string="Hours remaining", compute="_compute_hours", store=True, aggregator="sum"
    )
    counselor_id = fields.Many2one(
        comodel_name="res.users",
        index=True,
        tracking=True,
        compute="_compute_counselor_id",
        store=True,
        readonly=False,
        domain=[("share", "=", False)],
    )
    consultant_id = fields.Many2one(
        comodel_name="res.users",
        tracking=True,
        domain=[("share", "=", False)],
    )
    guardian_confirmed_at = fields.Datetime(string="Confirmed by guardian on", copy=False)
    state = fields.Selection(
        string="Status",
        selection=[
            ("draft", "Draft"),
            ("review", "Under review"),
            ("confirmed", "Confirmed by guardian"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("withdrawn", "Withdrawn"),
            ("completed", "Completed"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    event_ids = fields.One2many(
        comodel_name="training.enrollment.event",
        inverse_name="enrollment_id",
        string="History",
    )
    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="training_enrollment_id",
        string="Invoices",
        groups="account.group_account_invoice",
    )
    invoice_count = fields.Integer(
        compute="_compute_invoice_count", compute_sudo=True, groups=FINANCE_READERS
    )
    invoice_state = fields.Selection(
        selection=[
            ("none", "Not invoiced"),
            ("not_paid", "Not paid"),
            ("partial", "Partially paid"),
            ("paid", "Paid"),
        ],
        string="Payment",
        compute="_compute_invoice_state",
        store=True,
        groups=FINANCE_READERS,
    )
    refund_request_ids = fields.One2many(
        comodel_name="training.refund.request",
        inverse_name="enrollment_id",
        string="Refund requests",
        groups=FINANCE_READERS,
    )
    escalation_ids = fields.One2many(
        comodel_name="training.escalation",
        inverse_name="enrollment_id",
        string="Escalations",
        groups="training_attendance.group_teacher",
    )
    escalation_count = fields.Integer(
        compute="_compute_escalation_count", groups="training_attendance.group_teacher"
    )

    @api.depends("escalation_ids")
    def _compute_escalation_count(self):
        counts = dict(
            self.env["training.escalation"]._read_group(
                [("enrollment_id", "in", self.ids)], ["enrollment_id"], ["__count"]
            )
        )
        for enrollment in self:
            enrollment.escalation_count = counts.get(enrollment, 0)

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for enrollment in self:
            enrollment.invoice_count = len(enrollment.invoice_ids)

    @api.depends("invoice_ids.state", "invoice_ids.payment_state", "invoice_ids.move_type")
    def _compute_invoice_state(self):
        for enrollment in self:
            invoices = enrollment.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            states = set(invoices.mapped("payment_state"))
            if not invoices:
                enrollment.invoice_state = "none"
            elif states <= {"paid", "in_payment", "reversed"}:
                enrollment.invoice_state = "paid"
            elif states & {"paid", "in_payment", "partial"}:
                enrollment.invoice_state = "partial"
            else:
                enrollment.invoice_state = "not_paid"

    @api.depends("student_id")
    def _compute_guardian_id(self):
        for enrollment in self:
            links = enrollment.student_id.guardian_link_ids
            primary = links.filtered("is_primary")[:1] or links[:1]
            enrollment.guardian_id = primary.guardian_id

    @api.depends("class_id")
    def _compute_price_unit(self):
        for enrollment in self:
            enrollment.price_unit = enrollment.class_id.course_id.price_per_hour

    @api.depends("student_id")
    def _compute_counselor_id(self):
        for enrollment in self:
            enrollment.counselor_id = enrollment.student_id.counselor_id

    # Not on the attendance lines: a tap on an open sheet or a new line changes nothing
    # here; validation and corrections count again (_recount_attendance).
    @api.depends("hours_purchased")
    def _compute_hours(self):
        consumed = {}
        if self.ids:
            consumed = dict(
                self.env["training.attendance.line"]._read_group(
                    [("enrollment_id", "in", self.ids)],
                    ["enrollment_id"],
                    ["hours_consumed:sum"],
                )
            )
        for enrollment in self:
            enrollment.hours_consumed = consumed.get(enrollment, 0.0)
            enrollment.hours_remaining = enrollment.hours_purchased - enrollment.hours_consumed

    def _recount_attendance(self):
        """Attendance validated or corrected: the lateness of the enrolments (the running
        total that gives absence equivalents, SPEC §3) and their hours consumed and
        remaining are counted again, with what follows from them (kinds of absence,
        renewal, refundable amounts)."""
        Line = self.env["training.attendance.line"]
        lines = Line.sudo().search([("enrollment_id", "in", self.ids)])
        self.env.add_to_compute(Line._fields["absence_equivalent"], lines)
        lines.modified(["absence_equivalent"])
        for fname in ("hours_consumed", "hours_remaining"):
            self.env.add_to_compute(self._fields[fname], self)
        self.modified(["hours_consumed", "hours_remaining"])

    @api.constrains("hours_purchased", "price_unit")
    def _check_amounts(self):
        for enrollment in self:
            if enrollment.hours_purchased < 0 or enrollment.price_unit < 0:
                raise ValidationError(
                    self.env._("Hours purchased and the price per hour cannot be negative.")
                )

    @api.constrains("student_id", "class_id", "state")
    def _check_one_open_enrollment_per_class(self):
        open_ones = self.filtered(lambda e: e.state in OPEN_STATES)
        self._check_open_pairs([(e.student_id.id, e.class_id.id) for e in open_ones], open_ones.ids)

    @api.model
    def _check_open_pairs(self, pairs, exclude_ids=()):
        """One open enrolment per student and class, over the whole database (not under
        the user's record rules): read in SQL before the row reaches the unique index
        (``init``) that guarantees it against concurrent transactions."""
        seen, duplicate = set(), None
        for pair in pairs:
            if pair in seen:
                duplicate = pair
                break
            seen.add(pair)
        if not duplicate and pairs:
            # arrays, not a tuple of pairs: 20,000 enrolments at once stay one plain query
            students, classes = zip(*pairs, strict=True)
            self.env.cr.execute(
                """SELECT student_id, class_id FROM training_enrollment
                     JOIN unnest(%s::int[], %s::int[]) AS pair(student_id, class_id)
                    USING (student_id, class_id)
                    WHERE state IN %s AND id != ALL(%s::int[])
                    LIMIT 1""",
                [list(students), list(classes), OPEN_STATES, list(exclude_ids)],
            )
            duplicate = self.env.cr.fetchone()
        if duplicate:
            student = self.env["res.partner"].sudo().browse(duplicate[0])
            klass = self.env["training.class"].sudo().browse(duplicate[1])
            raise ValidationError(
                self.env._(
                    "%(student)s already has an open enrolment in %(klass)s.",
                    student=student.display_name,
                    klass=klass.display_name,
                )
            )

    @api.constrains("student_id")
    def _check_student(self):
        if not all(self.student_id.mapped("is_student")):
            raise ValidationError(self.env._("Only a student can be enrolled."))

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for enrollment in self:
            if (
                enrollment.date_start
                and enrollment.date_end
                and enrollment.date_end < enrollment.date_start
            ):
                raise ValidationError(self.env._("An enrolment cannot end before it starts."))

    def init(self):
        # one open enrolment per student and class, whoever writes it (SPEC §9)
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS training_enrollment_open_uniq
               ON training_enrollment (student_id, class_id)
               WHERE state IN %s""",
            [OPEN_STATES],
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.flush_model(["student_id", "class_id", "state"])
        self._check_open_pairs(
            [
                (vals.get("student_id"), vals.get("class_id"))
                for vals in vals_list
                if vals.get("state", "draft") in OPEN_STATES
                and vals.get("student_id")
                and vals.get("class_id")
            ]
        )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("training.enrollment") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self._is_guarded_call():
            self._check_contract_write(vals)
        return super().write(vals)

    def _check_contract_write(self, vals):
        """Money, hours and class are the contract: a counselor sets them while it is a
        draft or under review; then hours and price change only through invoicing and
        renewal (or a campus manager), the class only through a transfer."""
        signed = self.filtered(lambda e: e.state not in ("draft", "review"))
        if signed:
            self.check_access("write")
        if not signed:
            return
        money = {"hours_purchased", "price_unit"} & set(vals)
        if money and not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(
                self.env._(
                    "%(ref)s is signed: its hours and price change through invoicing and "
                    "renewal, or by a campus manager.",
                    ref=signed[0].name,
                )
            )
        moved = {"class_id", "student_id", "company_id"} & set(vals)
        if moved:
            raise UserError(
                self.env._(
                    "%(ref)s is signed: use Transfer to change its class (its student and "
                    "campus never change).",
                    ref=signed[0].name,
                )
            )
        if "date_start" in vals and signed.filtered(lambda e: e.state != "confirmed"):
            raise UserError(
                self.env._("%(ref)s has started: its start date is history.", ref=signed[0].name)
            )

    def unlink(self):
        if any(
            e.state != "draft" or e.sudo().attendance_line_ids or e.sudo().invoice_ids for e in self
        ):
            raise UserError(
                self.env._(
                    "Only draft enrolments without attendance can be deleted; withdraw or "
                    "complete the others so that their history is kept."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ transitions
    def _log_event(self, kind, date=None, reason=None, from_class=None):
        # the history is written by the addon only: users have no access to create it
        self.env["training.enrollment.event"].sudo().create(
            [
                {
                    "enrollment_id": enrollment.id,
                    "kind": kind,
                    "date": date or enrollment.company_id._training_today(),
                    "reason": reason,
                    "from_class_id": from_class.id if from_class else False,
                    "to_class_id": enrollment.class_id.id if from_class else False,
                }
                for enrollment in self
            ]
        )

    def action_submit(self):
        self._check_state(("draft",), self.env._("Submitting for review"))
        self._guarded_write({"state": "review"})
        self._log_event("submit")

    def action_guardian_confirm(self):
        self._guardian_confirm(fields.Datetime.now())

    def _guardian_confirm(self, confirmed_at):
        self._check_state(("review",), self.env._("Guardian confirmation"))
        missing = self.filtered(lambda e: not e.guardian_id)
        if missing:
            raise UserError(
                self.env._("%(ref)s has no paying guardian to confirm it.", ref=missing[0].name)
            )
        self._guarded_write({"state": "confirmed", "guardian_confirmed_at": confirmed_at})
        self._log_event("confirm")

    def action_activate(self):
        self._check_state(("confirmed",), self.env._("Activation"))
        self._check_capacity()
        today = {company: company._training_today() for company in self.company_id}
        for enrollment in self:
            date_start = enrollment.date_start or today[enrollment.company_id]
            enrollment._guarded_write({"state": "active", "date_start": date_start})
        self._log_event("activate")

    def action_back_to_draft(self):
        self._check_state(("review", "confirmed"), self.env._("Back to draft"))
        self._guarded_write({"state": "draft", "guardian_confirmed_at": False})
        self._log_event("draft")

    def _check_capacity(self):
        classes = self.class_id.filtered("capacity")
        if not classes:
            return
        active = dict(
            self._read_group(
                [("class_id", "in", classes.ids), ("state", "=", "active")],
                ["class_id"],
                ["__count"],
            )
        )
        for klass in classes:
            incoming = len(self.filtered(lambda e, k=klass: e.class_id == k))
            if active.get(klass, 0) + incoming > klass.capacity:
                raise UserError(
                    self.env._(
                        "%(klass)s is full: %(capacity)s places.",
                        klass=klass.display_name,
                        capacity=klass.capacity,
                    )
                )

    def _open_transition_wizard(self, kind):
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.enrollment.transition",
            "view_mode": "form",
            "target": "new",
            "context": {"default_kind": kind, "default_enrollment_ids": self.ids},
        }

    def action_suspend(self):
        return self._open_transition_wizard("suspend")

    def action_resume(self):
        return self._open_transition_wizard("resume")

    def action_withdraw(self):
        return self._open_transition_wizard("withdraw")

    def action_complete(self):
        return self._open_transition_wizard("complete")

    def action_transfer(self):
        return self._open_transition_wizard("transfer")

    def _suspend(self, date, reason):
        self._check_state(("active",), self.env._("Suspension"))
        self._guarded_write({"state": "suspended", "date_suspended": date})
        self._log_event("suspend", date, reason)

    def _resume(self, date, reason):
        self._check_state(("suspended",), self.env._("Resumption"))
        self._guarded_write({"state": "active", "date_suspended": False})
        self._log_event("resume", date, reason)

    def _withdraw(self, date, reason):
        self._check_state(("active", "suspended", "confirmed"), self.env._("Withdrawal"))
        self._guarded_write({"state": "withdrawn", "date_end": date})
        self._log_event("withdraw", date, reason)

    def _complete(self, date, reason):
        self._check_state(("active",), self.env._("Completion"))
        self._guarded_write({"state": "completed", "date_end": date})
        self._log_event("complete", date, reason)

    def _transfer(self, new_class, date, reason):
        self._check_state(("active", "suspended", "confirmed"), self.env._("Class transfer"))
        if any(e.class_id == new_class for e in self):
            raise UserError(
                self.env._("The student is already in %(klass)s.", klass=new_class.name)
            )
        if new_class.company_id != self.company_id:
            raise UserError(self.env._("A transfer stays within one campus."))
        for enrollment in self:
            old_class = enrollment.class_id
            enrollment._guarded_write({"class_id": new_class.id, "date_class": date})
            enrollment._log_event("transfer", date, reason, from_class=old_class)
        self._check_capacity()

    # ------------------------------------------------------------------ invoicing
    def _prepare_invoice_vals(self, hours, renewal=False):
        """Values of the customer invoice of ``hours`` lesson hours (plus the course's
        fees on the first invoice); subclasses extend them."""
        self.ensure_one()
        course = self.course_id
        lines = [
            Command.create(
                {
                    "product_id": course.product_id.id,
                    "name": self.env._(
                        "%(course)s: %(hours)s lesson hours (%(ref)s)",
                        course=course.name,
                        hours=hours,
                        ref=self.name,
                    ),
                    "quantity": hours,
                    "price_unit": self.price_unit,
                }
            )
        ]
        if not renewal:
            lines += [
                Command.create(
                    {"product_id": fee.product_id.id, "quantity": 1, "price_unit": fee.amount}
                )
                for fee in course.fee_ids
            ]
        return {
            "move_type": "out_invoice",
            "partner_id": self.guardian_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "training_enrollment_id": self.id,
            "training_renewal_hours": hours if renewal else 0.0,
            "invoice_line_ids": lines,
        }

    def _create_invoice(self, hours, renewal=False):
        self.ensure_one()
        if not self.guardian_id:
            raise UserError(self.env._("%(ref)s has no paying guardian to invoice.", ref=self.name))
        if hours <= 0:
            raise UserError(self.env._("Invoice a positive number of hours."))
        return (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(self._prepare_invoice_vals(hours, renewal))
        )

    def action_create_invoice(self):
        """The enrolment's invoice: hours purchased at the enrolment's price, plus fees."""
        self.ensure_one()
        self._check_state(("confirmed", "active", "suspended"), self.env._("Invoicing"))
        if self.invoice_ids.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state != "cancel"
                and not m.training_renewal_hours
            )
        ):
            raise UserError(
                self.env._(
                    "%(ref)s is already invoiced; use Renew hours to invoice more.", ref=self.name
                )
            )
        invoice = self._create_invoice(self.hours_purchased)
        return self._action_open_invoices(invoice)

    def action_renew(self):
        self.ensure_one()
        self._check_state(("active", "suspended"), self.env._("Renewal"))
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.enrollment.renewal",
            "view_mode": "form",
            "target": "new",
            "context": {"default_enrollment_id": self.id},
        }

    def action_view_invoices(self):
        self.ensure_one()
        return self._action_open_invoices(self.invoice_ids)

    def _action_open_invoices(self, invoices):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(invoices) == 1:
            action.update(views=[(False, "form")], res_id=invoices.id)
        else:
            action["domain"] = [("id", "in", invoices.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    def _activate_when_paid(self):
        """Paid enrolments that wait for payment become active, and the guardian is told."""
        template = self.env.ref("training_attendance.mail_template_admission")
        for enrollment in self.sudo().filtered(
            lambda e: e.state == "confirmed" and e.invoice_state == "paid"
        ):
            try:
                with self.env.cr.savepoint():
                    enrollment.action_activate()
            except UserError as error:
                enrollment.message_post(
                    body=self.env._("Paid, but not activated: %(error)s", error=error.args[0])
                )
                continue
            enrollment.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    def _amounts(self, exclude=None):
        """Money of the enrolment, in its company's currency, all tax included (what the
        family pays): paid on its posted invoices, consumed (hours consumed x price per
        hour, with the course's taxes as invoiced), non-refundable fees, already refunded
        by every posted credit note of the enrolment or reversing one of its invoices,
        however it was made (but ``exclude``), refundable, and per paid invoice
        (``invoices``) what was paid on it and what is left to refund."""
        self.ensure_one()
        enrollment = self.sudo()
        invoices = enrollment.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )
        refunds = enrollment._refund_moves(invoices) - (exclude or self.env["account.move"]).sudo()
        paid = sum(invoices.mapped(lambda m: m.amount_total_signed - m.amount_residual_signed))
        kept = self.course_id.fee_ids.filtered(lambda fee: not fee.refundable).product_id
        non_refundable = sum(
            invoices.invoice_line_ids.filtered(lambda line: line.product_id in kept).mapped(
                "price_total"
            )
        )
        refunded = -sum(refunds.mapped("amount_total_signed"))
        consumed = enrollment._consumed_amount(invoices)
        per_invoice = {}
        for invoice in invoices:
            invoice_paid = invoice.amount_total_signed - invoice.amount_residual_signed
            invoice_refunded = -sum(
                refunds.filtered(lambda m, invoice=invoice: m.reversed_entry_id == invoice).mapped(
                    "amount_total_signed"
                )
            )
            if invoice_paid > 0:
                per_invoice[invoice] = {
                    "paid": invoice_paid,
                    "available": max(0.0, invoice_paid - invoice_refunded),
                }
        return {
            "paid": paid,
            "consumed": consumed,
            "non_refundable": non_refundable,
            "refunded": refunded,
            "refundable": max(0.0, paid - consumed - non_refundable - refunded),
            "invoices": per_invoice,
        }

    def _refund_moves(self, invoices):
        """Posted customer credit notes of the enrolment: its own, and any reversing one
        of ``invoices`` (the Credit Note button of Invoicing included)."""
        self.ensure_one()
        domain = [("move_type", "=", "out_refund"), ("state", "=", "posted")]
        links = [("training_enrollment_id", "=", self.id)]
        if invoices:
            links = ["|", *links, ("reversed_entry_id", "in", invoices.ids)]
        return self.env["account.move"].sudo().search(domain + links)

    def _consumed_amount(self, invoices):
        """Hours consumed x price per hour, tax included with the taxes of the course's
        line on the enrolment's invoices (else the product's, through the guardian's
        fiscal position), as the family paid them."""
        self.ensure_one()
        currency = self.company_id.currency_id
        product = self.course_id.product_id
        amount = self.hours_consumed * self.price_unit
        lines = invoices.invoice_line_ids.filtered(lambda line: line.product_id == product)
        if lines:
            taxes = lines.sorted(lambda line: (line.move_id.invoice_date, line.id))[-1].tax_ids
        else:
            taxes = product.taxes_id.filtered(
                lambda tax: tax.company_id in self.company_id.parent_ids
            )
            if self.guardian_id:
                position = (
                    self.env["account.fiscal.position"]
                    .with_company(self.company_id)
                    ._get_fiscal_position(self.guardian_id)
                )
                taxes = position.map_tax(taxes)
        if not taxes or not self.hours_consumed:
            return currency.round(amount)
        return taxes.compute_all(
            self.price_unit,
            currency=currency,
            quantity=self.hours_consumed,
            product=product,
            partner=self.guardian_id,
        )["total_included"]

    # ------------------------------------------------------------------ escalation
    def _unexcused_absence_counts(self):
        """``{enrollment id: count}``: unexcused absences plus absence equivalents of the
        validated sessions, for all of ``self`` in one grouped query."""
        counts = dict.fromkeys(self.ids, 0)
        if not self.ids:
            return counts
        groups = (
            self.env["training.attendance.line"]
            .sudo()
            ._read_group(
                [
                    ("enrollment_id", "in", self.ids),
                    ("session_id.state", "=", "done"),
                    "|",
                    ("status", "=", "absent"),
                    ("absence_equivalent", ">", 0),
                ],
                ["enrollment_id", "status"],
                ["__count", "absence_equivalent:sum"],
            )
        )
        for enrollment, status, count, equivalents in groups:
            counts[enrollment.id] += (count if status == "absent" else 0) + equivalents
        return counts

    def _check_escalations(self):
        """SPEC §4: create, in one go, the escalation steps whose threshold the count of
        each open enrolment reached and that did not fire yet (several if it jumped), on
        the campuses whose policy runs the escalation ladder."""
        companies = self.env["training.policy"]._companies_with("escalation_ladder")
        enrollments = self.sudo().filtered(
            lambda e: e.state in ("active", "suspended") and e.company_id in companies
        )
        if not enrollments:
            return self.env["training.escalation"]
        Escalation = self.env["training.escalation"].sudo()
        counts = enrollments._unexcused_absence_counts()
        policies = self.env["training.policy"]._get_for_companies(enrollments.company_id)
        fired = {
            (escalation.enrollment_id.id, escalation.level)
            for escalation in Escalation.search_fetch(
                [("enrollment_id", "in", enrollments.ids), ("voided", "=", False)],
                ["enrollment_id", "level"],
            )
        }
        vals_list = [
            {"enrollment_id": enrollment.id, "level": level, "count": counts[enrollment.id]}
            for enrollment in enrollments
            for level in Escalation._levels_reached(
                policies[enrollment.company_id.id], counts[enrollment.id]
            )
            if (enrollment.id, level) not in fired
        ]
        if not vals_list:
            return Escalation
        # no "created" note, no follower for the system, no "you have been assigned" e-mail
        # per step: the activity tells the responsible
        return Escalation.with_context(
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_auto_subscribe_no_notify=True,
        ).create(vals_list)

    def action_view_escalations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_escalation_action"
        )
        action["domain"] = [("enrollment_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ attendance
    def _attends(self, klass, day):
        """Whether the student belongs in a session of ``klass`` on ``day``.

        Not before the start, not after the end, not while suspended; in the current
        class from the transfer on, in a former class until the transfer.
        """
        self.ensure_one()
        if not self.date_start or self.date_start > day:
            return False
        if self.date_end and self.date_end < day:
            return False
        if self.state == "suspended" and not (self.date_suspended and self.date_suspended > day):
            return False
        if self.state not in ("active", "suspended", "withdrawn", "completed"):
            return False
        if klass == self.class_id:
            return not self.date_class or self.date_class <= day
        return any(
            event.kind == "transfer" and event.from_class_id == klass and day < event.date
            for event in self.event_ids
        )


class TrainingEnrollmentEvent(models.Model):
    """One recorded transition of an enrolment: never edited, never deleted."""

    _name = "training.enrollment.event"
    _description = "Enrolment History Event"
    _order = "date desc, id desc"

    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="enrollment_id.company_id", store=True, index=True)
    student_id = fields.Many2one(related="enrollment_id.student_id", store=True)
    kind = fields.Selection(
        selection=[
            ("submit", "Submitted for review"),
            ("confirm", "Confirmed by guardian"),
            ("activate", "Activated"),
            ("draft", "Back to draft"),
            ("suspend", "Suspended"),
            ("resume", "Resumed"),
            ("transfer", "Class transfer"),
            ("withdraw", "Withdrawn"),
            ("complete", "Completed"),
        ],
        required=True,
    )
    date = fields.Date(required=True)
    reason = fields.Text()
    from_class_id = fields.Many2one(comodel_name="training.class", string="From class")
    to_class_id = fields.Many2one(comodel_name="training.class", string="To class")
    user_id = fields.Many2one(
        comodel_name="res.users", string="Recorded by", default=lambda self: self.env.user
    )
