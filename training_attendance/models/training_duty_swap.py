from odoo import api, fields, models
from odoo.exceptions import UserError


class TrainingDutySwap(models.Model):
    """A swap request (seed 003 §1): the person on duty proposes a colleague for one of
    their duties; the colleague accepts; a duty supervisor (or campus manager) approves,
    and the roster changes, tracked on the duty."""

    _name = "training.duty.swap"
    _description = "Duty swap request"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.state.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _protected_fields = ("state", "approved_by_id")
    _locked_states = ("approved", "refused", "cancelled")

    assignment_id = fields.Many2one(
        comodel_name="training.duty.assignment",
        string="Duty",
        required=True,
        ondelete="restrict",
        check_company=True,
        index=True,
    )
    company_id = fields.Many2one(
        related="assignment_id.company_id", store=True, string="Campus", index=True
    )
    proposer_id = fields.Many2one(
        comodel_name="res.users",
        string="Proposed by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    colleague_id = fields.Many2one(
        comodel_name="res.users",
        required=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    qualified_user_ids = fields.Many2many(
        comodel_name="res.users",
        compute="_compute_qualified_user_ids",
        compute_sudo=True,
        string="Qualified colleagues",
    )
    reason = fields.Text()
    state = fields.Selection(
        selection=[
            ("requested", "Requested"),
            ("accepted", "Accepted by the colleague"),
            ("approved", "Approved"),
            ("refused", "Refused"),
            ("cancelled", "Cancelled"),
        ],
        default="requested",
        required=True,
        tracking=True,
    )
    approved_by_id = fields.Many2one(comodel_name="res.users", string="Approved by", readonly=True)

    @api.depends("assignment_id")
    def _compute_qualified_user_ids(self):
        for swap in self:
            duty = swap.assignment_id
            swap.qualified_user_ids = duty.role_id.user_ids.filtered(
                lambda u, d=duty: d.company_id in u.company_ids and u != d.user_id
            )

    @api.depends("assignment_id", "colleague_id")
    def _compute_display_name(self):
        for swap in self:
            if not (swap.assignment_id and swap.colleague_id):
                swap.display_name = self.env._("New swap request")
                continue
            # the colleague reads the duty they are asked to take, not yet theirs
            swap.display_name = self.env._(
                "%(duty)s: %(user)s -> %(colleague)s",
                duty=swap.sudo().assignment_id.display_name,
                user=swap.proposer_id.name,
                colleague=swap.colleague_id.name,
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["proposer_id"] = self.env.user.id
        swaps = super().create(vals_list)
        for swap in swaps:
            if swap.assignment_id.user_id != self.env.user:
                raise UserError(self.env._("You can only propose a swap of your own duties."))
            if swap.colleague_id == self.env.user:
                raise UserError(self.env._("Propose the swap to a colleague."))
            if swap.assignment_id.state != "planned":
                raise UserError(self.env._("Only a planned duty can be swapped."))
            swap._check_colleague_qualified()
            swap.sudo().activity_schedule(
                "training_attendance.mail_activity_duty_swap",
                user_id=swap.colleague_id.id,
                date_deadline=swap.assignment_id.date,
                summary=self.env._("%(user)s asks you to take their duty", user=self.env.user.name),
            )
        return swaps

    def write(self, vals):
        if not self.env.su and {"assignment_id", "colleague_id", "proposer_id"} & set(vals):
            raise UserError(
                self.env._(
                    "The duty and the colleague of a swap request are kept: cancel it and "
                    "propose a new one."
                )
            )
        return super().write(vals)

    def _check_colleague_qualified(self):
        """The colleague works on the duty's campus and is among the qualified staff of its
        role (checked at the request and again at the approval: the role may have changed)."""
        for swap in self.sudo():
            duty, colleague = swap.assignment_id, swap.colleague_id
            if duty.company_id not in colleague.company_ids:
                raise UserError(
                    self.env._(
                        "%(colleague)s does not work on the campus %(campus)s: choose a "
                        "colleague of that campus.",
                        colleague=colleague.name,
                        campus=duty.company_id.name,
                    )
                )
            if colleague not in duty.role_id.user_ids:
                raise UserError(
                    self.env._(
                        "%(colleague)s is not qualified as %(role)s: choose one of %(qualified)s.",
                        colleague=colleague.name,
                        role=duty.role_id.name,
                        qualified=", ".join(swap.qualified_user_ids.mapped("name"))
                        or self.env._("nobody else"),
                    )
                )

    def action_accept(self):
        self._check_state(["requested"], self.env._("Accepting the swap"))
        for swap in self:
            if swap.colleague_id != self.env.user:
                raise UserError(self.env._("Only the colleague asked accepts the swap."))
        self._guarded_write({"state": "accepted"})
        self.sudo().activity_feedback(["training_attendance.mail_activity_duty_swap"])
        for swap in self:
            policy = self.env["training.policy"]._get_for_company(swap.company_id)
            supervisor = policy._role_user("duty_supervisor")
            swap.sudo().activity_schedule(
                "training_attendance.mail_activity_duty_swap",
                user_id=supervisor.id,
                date_deadline=swap.sudo().assignment_id.date,
                summary=self.env._("Approve the duty swap"),
            )
        return True

    def action_approve(self):
        """The duty supervisor approves: the duty goes to the colleague (the overlap check
        of the roster applies), both are told."""
        if not self.env.user.has_group("training_attendance.group_duty_supervisor"):
            raise UserError(
                self.env._("Only a duty supervisor or a campus manager approves a swap.")
            )
        self._check_state(["accepted"], self.env._("Approving the swap"))
        for swap in self:
            swap._check_colleague_qualified()
            swap.assignment_id.write({"user_id": swap.colleague_id.id})
            swap._guarded_write({"state": "approved", "approved_by_id": self.env.user.id})
            swap.sudo().activity_feedback(["training_attendance.mail_activity_duty_swap"])
            swap.message_post(
                body=self.env._(
                    "Swap approved: %(colleague)s takes %(duty)s.",
                    colleague=swap.colleague_id.name,
                    duty=swap.assignment_id.display_name,
                ),
                partner_ids=(swap.proposer_id | swap.colleague_id).partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_refuse(self):
        self._check_state(["requested", "accepted"], self.env._("Refusing the swap"))
        for swap in self:
            allowed = self.env.user == swap.colleague_id or self.env.user.has_group(
                "training_attendance.group_duty_supervisor"
            )
            if not allowed:
                raise UserError(self.env._("Only the colleague or a duty supervisor refuses."))
        self._guarded_write({"state": "refused"})
        self.sudo().activity_unlink(["training_attendance.mail_activity_duty_swap"])
        return True

    def action_cancel(self):
        self._check_state(["requested", "accepted"], self.env._("Cancelling the swap"))
        if self.filtered(lambda s: s.proposer_id != self.env.user):
            raise UserError(self.env._("Only who proposed the swap cancels it."))
        self._guarded_write({"state": "cancelled"})
        self.sudo().activity_unlink(["training_attendance.mail_activity_duty_swap"])
        return True
