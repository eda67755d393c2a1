from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

PLAN_KINDS = [
    ("learning_plan", "Learning management plan"),
    ("tutoring_plan", "Personalised tutoring plan"),
    ("stage_summary", "Stage summary"),
    ("growth_record", "Growth record"),
]


class TrainingStudentPlan(models.Model):
    """A document of the student's file delivered to the guardian (SPEC §5): learning
    management plan, personalised tutoring plan, stage summary, growth record. The
    document is attached; delivering it records the date and meets the deadline."""

    _name = "training.student.plan"
    _description = "Student Plan or Report"
    _inherit = [
        "mail.thread",
        "training.state.mixin",
        "training.attachment.mixin",
        "training.enrollment.document.mixin",
    ]
    _order = "id desc"
    _locked_states = ("delivered",)
    _check_company_auto = True

    kind = fields.Selection(selection=PLAN_KINDS, required=True, index=True, tracking=True)
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Counselor",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    note = fields.Html(string="Content")
    attachment_ids = fields.Many2many(
        comodel_name="ir.attachment",
        relation="training_student_plan_ir_attachment_rel",
        string="Documents",
        help="The plan or report as given to the guardian (PDF, scan, photo).",
    )
    delivered_on = fields.Date(
        string="Delivered to the guardian on",
        tracking=True,
        copy=False,
        help="Left empty, delivering sets today.",
    )
    state = fields.Selection(
        string="Status",
        selection=[("draft", "To deliver"), ("delivered", "Delivered")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )

    @api.depends("kind", "student_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for plan in self:
            plan.display_name = " - ".join(
                filter(None, [kinds.get(plan.kind), plan.student_id.name])
            )

    @api.constrains("delivered_on")
    def _check_delivered_on(self):
        today = {company: company._training_today() for company in self.company_id}
        if any(plan.delivered_on and plan.delivered_on > today[plan.company_id] for plan in self):
            raise ValidationError(self.env._("A plan cannot be delivered in the future."))

    def unlink(self):
        if any(plan.state != "draft" for plan in self):
            raise UserError(
                self.env._("A delivered plan is part of the student's file: it is kept.")
            )
        return super().unlink()

    def action_deliver(self):
        """The guardian received the document: record the date and close the deadline."""
        self._check_state(("draft",), self.env._("Delivery"))
        missing = self.filtered(lambda plan: not plan.attachment_ids)
        if missing:
            raise UserError(
                self.env._(
                    "Attach the document of %(name)s before marking it delivered.",
                    name=missing[0].display_name,
                )
            )
        today = {company: company._training_today() for company in self.company_id}
        for plan in self:
            delivered_on = plan.delivered_on or today[plan.company_id]
            plan._guarded_write({"state": "delivered", "delivered_on": delivered_on})
        self._close_deadlines()
        return True

    def action_reset(self):
        """A delivery recorded by mistake: campus managers only."""
        if not (self.env.su or self.env.user.has_group("training_attendance.group_manager")):
            raise AccessError(self.env._("Only a campus manager takes back a delivery."))
        self._check_state(("delivered",), self.env._("Back to delivery"))
        self._guarded_write({"state": "draft", "delivered_on": False})
        return True

    def _close_deadlines(self):
        """Mark done the open activities of the same kind on the enrolment."""
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "training.enrollment"),
                    ("res_id", "in", self.enrollment_id.ids),
                    ("activity_type_id.training_plan_kind", "in", self.mapped("kind")),
                ]
            )
        )
        for plan in self:
            done = activities.filtered(
                lambda a, p=plan: (
                    a.res_id == p.enrollment_id.id
                    and a.activity_type_id.training_plan_kind == p.kind
                )
            )
            if done:
                activities -= done
                done._action_done(
                    feedback=self.env._(
                        "%(name)s delivered to the guardian on %(date)s.",
                        name=plan.display_name,
                        date=format_date(self.env, plan.delivered_on),
                    )
                )
