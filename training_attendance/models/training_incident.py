import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

CATEGORIES = [
    ("question", "Question"),
    ("complaint", "Complaint"),
    ("unwell", "Student unwell"),
    ("disorder", "Classroom disorder"),
    ("equipment", "Equipment failure"),
    ("other", "Other"),
]
EMERGENCY_CATEGORIES = ("unwell", "disorder", "equipment")

# the satisfaction a student or guardian gives at the call-back (seed 003 §4)
CALLBACK_SCORES = [
    ("1", "Very unsatisfied"),
    ("2", "Unsatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very satisfied"),
]


class TrainingIncidentDepartment(models.Model):
    """Where a ticket that cannot be handled on the spot goes (seed 003 §4), with the user
    who answers for it."""

    _name = "training.incident.department"
    _description = "Incident department"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        required=True,
        domain=[("share", "=", False)],
    )


class TrainingIncidentStep(models.Model):
    """A step of an emergency playbook, ticked by whoever did it."""

    _name = "training.incident.step"
    _description = "Incident playbook step"
    _order = "incident_id, sequence, id"

    incident_id = fields.Many2one(
        comodel_name="training.incident", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="incident_id.company_id", store=True, string="Campus")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Step", required=True, readonly=True)
    done = fields.Boolean()
    done_by_id = fields.Many2one(comodel_name="res.users", string="Done by", readonly=True)
    done_at = fields.Datetime(string="Done on", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("The playbook steps come with the ticket's category."))
        return super().create(vals_list)

    def write(self, vals):
        if self.env.su:
            return super().write(vals)
        if set(vals) - {"done"}:
            raise UserError(self.env._("A playbook step can only be ticked or unticked."))
        self.incident_id.check_access("write")
        closed = self.incident_id.filtered(lambda i: i.state in ("resolved", "closed"))
        if closed:
            raise UserError(
                self.env._(
                    "The playbook of %(ticket)s is final once it is resolved.",
                    ticket=closed[0].display_name,
                )
            )
        stamp = {
            "done_by_id": self.env.user.id if vals["done"] else False,
            "done_at": fields.Datetime.now() if vals["done"] else False,
        }
        res = super().write(vals)
        self.sudo().write(stamp)
        for step in self:
            step.incident_id.sudo()._register_first_action()
            step.incident_id.message_post(
                body=(
                    self.env._("Playbook: %(step)s done.", step=step.name)
                    if vals["done"]
                    else self.env._("Playbook: %(step)s unticked.", step=step.name)
                ),
                subtype_xmlid="mail.mt_note",
            )
        return res

    def unlink(self):
        if not self.env.su:
            raise UserError(self.env._("The playbook steps come with the ticket's category."))
        return super().unlink()


class TrainingIncident(models.Model):
    """An incident ticket (seed 003 §3-§4): a student's question or complaint, or an
    emergency with its playbook; handled on the spot or escalated; response and resolution
    times in working hours of the campus; closed after the satisfaction call-back."""

    _name = "training.incident"
    _description = "Incident ticket"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.state.mixin"]
    _order = "reported_at desc, id desc"
    _check_company_auto = True
    _protected_fields = (
        "state",
        "first_action_at",
        "resolved_at",
        "closed_at",
        "guardian_notified_at",
        "callback_score",
        "response_hours",
        "resolution_hours",
    )
    _locked_states = ("closed",)
    _locked_free_fields = ()

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    category = fields.Selection(
        selection=CATEGORIES, required=True, default="question", tracking=True
    )
    is_emergency = fields.Boolean(compute="_compute_is_emergency", store=True)
    student_id = fields.Many2one(
        comodel_name="res.partner",
        domain=[("is_student", "=", True)],
        index=True,
        tracking=True,
    )
    guardian_id = fields.Many2one(
        comodel_name="res.partner",
        domain=[("is_guardian", "=", True)],
        tracking=True,
    )
    reported_at = fields.Datetime(
        string="Reported on", required=True, default=fields.Datetime.now, tracking=True
    )
    reported_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Reported by",
        required=True,
        default=lambda self: self.env.user,
        readonly=True,
    )
    handler_id = fields.Many2one(
        comodel_name="res.users",
        string="Handled by",
        default=lambda self: self.env.user,
        tracking=True,
        domain=[("share", "=", False)],
    )
    description = fields.Html()
    handling = fields.Selection(
        selection=[
            ("spot", "On the spot"),
            ("supervisor", "Escalated to the duty supervisor"),
            ("department", "Escalated to a department"),
        ],
        default="spot",
        required=True,
        tracking=True,
    )
    department_id = fields.Many2one(
        comodel_name="training.incident.department",
        check_company=True,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("reported", "Reported"),
            ("in_progress", "In progress"),
            ("resolved", "Resolved"),
            ("closed", "Closed"),
        ],
        default="reported",
        required=True,
        tracking=True,
        index=True,
    )
    step_ids = fields.One2many(
        comodel_name="training.incident.step", inverse_name="incident_id", string="Playbook"
    )
    resolution = fields.Html(string="How it was resolved")
    first_action_at = fields.Datetime(string="First action on", readonly=True, copy=False)
    resolved_at = fields.Datetime(string="Resolved on", readonly=True, copy=False)
    closed_at = fields.Datetime(string="Closed on", readonly=True, copy=False)
    guardian_notified_at = fields.Datetime(
        string="Guardian notified on", readonly=True, copy=False, tracking=True
    )
    response_hours = fields.Float(
        string="Response time (working hours)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="From the report to the first action, in working hours of the campus calendar.",
    )
    resolution_hours = fields.Float(
        string="Resolution time (working hours)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="From the report to the resolution, in working hours of the campus calendar.",
    )
    response_late = fields.Boolean(
        string="Response over target", compute="_compute_late", store=True
    )
    resolution_late = fields.Boolean(
        string="Resolution over target", compute="_compute_late", store=True
    )
    callback_score = fields.Selection(
        selection=CALLBACK_SCORES,
        string="Satisfaction",
        readonly=True,
        copy=False,
        tracking=True,
    )
    satisfaction = fields.Integer(
        compute="_compute_satisfaction", store=True, aggregator="avg", string="Satisfaction score"
    )
    late_response_count = fields.Integer(
        string="Responses over target",
        compute="_compute_late",
        store=True,
        aggregator="sum",
    )
    ticket_count = fields.Integer(string="Tickets", default=1, readonly=True, aggregator="sum")

    @api.depends("category")
    def _compute_is_emergency(self):
        for ticket in self:
            ticket.is_emergency = ticket.category in EMERGENCY_CATEGORIES

    @api.depends("response_hours", "resolution_hours", "first_action_at", "resolved_at")
    def _compute_late(self):
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        for ticket in self:
            policy = policies.get(ticket.company_id.id)
            ticket.response_late = bool(
                policy
                and ticket.first_action_at
                and ticket.response_hours > policy.incident_response_target_hours
            )
            ticket.resolution_late = bool(
                policy
                and ticket.resolved_at
                and ticket.resolution_hours > policy.incident_resolution_target_hours
            )
            ticket.late_response_count = int(ticket.response_late)

    @api.depends("callback_score")
    def _compute_satisfaction(self):
        for ticket in self:
            ticket.satisfaction = int(ticket.callback_score or 0)

    @api.constrains("handling", "department_id")
    def _check_department(self):
        if any(t.handling == "department" and not t.department_id for t in self):
            raise ValidationError(self.env._("Choose the department the ticket is escalated to."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                # the reporter is whoever opens the ticket, for a guardian or a student too
                vals["reported_by_id"] = self.env.user.id
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("training.incident") or "/"
        tickets = super().create(vals_list)
        tickets.sudo()._sync_playbook()
        tickets.filtered(lambda t: t.is_emergency and t.guardian_id)._notify_guardian()
        return tickets

    def write(self, vals):
        if not self.env.su:
            if "reported_by_id" in vals or "name" in vals:
                raise UserError(self.env._("The reference and the reporter of a ticket are kept."))
            if "reported_at" in vals and self.filtered("first_action_at"):
                raise UserError(
                    self.env._(
                        "The time reported cannot change once the ticket was answered: it "
                        "measures the response time."
                    )
                )
        if "category" in vals and self.filtered(lambda t: t.state != "reported"):
            raise UserError(self.env._("The category of a ticket changes only while reported."))
        res = super().write(vals)
        if "category" in vals:
            self.sudo()._sync_playbook()
        return res

    def unlink(self):
        if self.filtered(lambda t: t.state != "reported" or t.step_ids.filtered("done")):
            raise UserError(self.env._("A ticket that was handled is kept: it cannot be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ playbook
    def _playbook(self):
        _ = self.env._
        return {
            "unwell": [
                _("First aid given by the safety officer"),
                _("Guardian notified by phone"),
                _("Hospital contacted if needed"),
            ],
            "disorder": [_("Head teacher stepped in"), _("Guardian informed")],
            "equipment": [_("Technical support called")],
        }

    def _sync_playbook(self):
        """The steps of the category's playbook, set again while the ticket is reported."""
        playbook = self._playbook()
        todo = self.filtered(lambda t: t.state == "reported")
        todo.step_ids.unlink()
        self.env["training.incident.step"].create(
            [
                {"incident_id": ticket.id, "sequence": index, "name": step}
                for ticket in todo
                for index, step in enumerate(playbook.get(ticket.category, []))
            ]
        )

    # ------------------------------------------------------------------ times
    def _working_hours(self, start, stop):
        """Working hours of the campus calendar between two naive UTC datetimes (public
        holidays and closing days excluded); without a calendar, elapsed hours."""
        self.ensure_one()
        if not start or not stop or stop <= start:
            return 0.0
        calendar = self.company_id.resource_calendar_id
        if not calendar:
            return (stop - start).total_seconds() / 3600
        tz = self.company_id._training_tz()
        intervals = calendar._work_intervals_batch(
            pytz.utc.localize(start),
            pytz.utc.localize(stop),
            domain=[("time_type", "=", "leave"), ("company_id", "in", [False, self.company_id.id])],
            tz=tz,
        )[False]
        return round(sum((e - s).total_seconds() for s, e, _m in intervals) / 3600, 2)

    def _register_first_action(self, when=None):
        when = when or fields.Datetime.now()
        for ticket in self.filtered(lambda t: not t.first_action_at):
            ticket._guarded_write(
                {
                    "first_action_at": when,
                    "response_hours": ticket._working_hours(ticket.reported_at, when),
                }
            )

    # ------------------------------------------------------------------ workflow
    def action_start(self):
        """Reported -> in progress: the handler takes the ticket (the first action)."""
        self._check_state(["reported"], self.env._("Starting"))
        self.check_access("write")
        self._register_first_action()
        self._guarded_write({"state": "in_progress"})
        for ticket in self.filtered(lambda t: not t.handler_id):
            ticket.handler_id = self.env.user
        return True

    def action_escalate(self):
        """Hand the ticket to the duty supervisor or the department's responsible user,
        with an activity in their inbox."""
        self._check_state(["reported", "in_progress"], self.env._("Escalating"))
        self.check_access("write")
        activity_type = self.env.ref("training_attendance.mail_activity_incident")
        for ticket in self:
            if ticket.handling == "spot":
                raise UserError(
                    self.env._("Choose where %(ticket)s is escalated to.", ticket=ticket.name)
                )
            if ticket.handling == "department":
                user = ticket.department_id.user_id
            else:
                policy = self.env["training.policy"]._get_for_company(ticket.company_id)
                user = policy._role_user("duty_supervisor")
            ticket._register_first_action()
            ticket._guarded_write({"state": "in_progress", "handler_id": user.id})
            ticket.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                user_id=user.id,
                date_deadline=ticket.company_id._training_today(),
                summary=self.env._("Escalated ticket %(ticket)s", ticket=ticket.name),
            )
        return True

    def action_resolve(self):
        self._check_state(["reported", "in_progress"], self.env._("Resolving"))
        self.check_access("write")
        for ticket in self:
            missing = ticket.step_ids.filtered(lambda s: not s.done)
            if missing:
                raise UserError(
                    self.env._(
                        "Tick every step of the playbook before resolving %(ticket)s: %(steps)s.",
                        ticket=ticket.name,
                        steps=", ".join(missing.mapped("name")),
                    )
                )
        now = fields.Datetime.now()
        self._register_first_action(now)
        for ticket in self:
            ticket._guarded_write(
                {
                    "state": "resolved",
                    "resolved_at": now,
                    "resolution_hours": ticket._working_hours(ticket.reported_at, now),
                }
            )
        self.sudo().activity_feedback(["training_attendance.mail_activity_incident"])
        return True

    def action_open_callback(self):
        self.ensure_one()
        self._check_state(["resolved"], self.env._("The satisfaction call-back"))
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.incident.callback",
            "view_mode": "form",
            "target": "new",
            "context": {"default_incident_id": self.id},
        }

    def action_close_callback(self, score, note=""):
        """Log the satisfaction call-back and close (a duty supervisor or campus manager)."""
        self.ensure_one()
        if not self.env.user.has_group("training_attendance.group_duty_supervisor"):
            raise UserError(
                self.env._("Only a duty supervisor or a campus manager closes a ticket.")
            )
        self._check_state(["resolved"], self.env._("Closing"))
        if score not in dict(self._fields["callback_score"].selection):
            raise UserError(self.env._("Give the satisfaction score of the call-back (1 to 5)."))
        labels = dict(self._fields["callback_score"]._description_selection(self.env))
        self.message_post(
            body=self.env._(
                "Satisfaction call-back: %(score)s (%(label)s). %(note)s",
                score=score,
                label=labels[score],
                note=note or "",
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self._guarded_write(
            {"state": "closed", "closed_at": fields.Datetime.now(), "callback_score": score}
        )
        return True

    def action_notify_guardian(self):
        self.check_access("write")
        if self.filtered(lambda t: not t.guardian_id):
            raise UserError(self.env._("Choose the guardian to notify first."))
        missed = self.filtered(lambda t: not t._notify_guardian())
        if missed:
            raise UserError(
                self.env._(
                    "%(guardian)s cannot be notified: the campus policy has no notice channel "
                    "on that reaches them (e-mail address, mobile number). Call them.",
                    guardian=missed[0].guardian_id.name,
                )
            )
        return True

    def _notify_guardian(self):
        """The guardian is told through the campus's notice channels (the policy's
        ``absence_notice_email`` / ``absence_notice_sms``), posted in the student's file
        (the guardian's without a student) with ``message_post`` and ``_message_sms``: the
        e-mail goes through mail's queue and the SMS through the SMS queue, so the message
        shows its delivery status. The ticket logs which channels went out. Returns the
        tickets whose guardian was reached."""
        email_template = self.env.ref("training_attendance.mail_template_incident_guardian")
        sms_template = self.env.ref("training_attendance.sms_template_incident_guardian")
        tickets = self.sudo()
        policies = self.env["training.policy"]._get_for_companies(tickets.company_id)
        numbers = {
            partner_id: info["sanitized"]
            for partner_id, info in tickets.guardian_id._sms_get_recipients_info().items()
        }
        ids = tickets.ids
        subjects = email_template._render_field("subject", ids, compute_lang=True)
        bodies = email_template._render_field("body_html", ids, compute_lang=True)
        senders = email_template._render_field("email_from", ids)
        texts = sms_template._render_field("body", ids, compute_lang=True)
        reached = []
        for ticket in tickets:
            guardian = ticket.guardian_id
            wanted = policies[ticket.company_id.id]._absence_notice_channels()
            by_email = "email" in wanted and bool(guardian.email)
            number = "sms" in wanted and numbers.get(guardian.id)
            file = ticket.student_id or guardian
            file._training_post_family_notice(
                subjects[ticket.id],
                senders[ticket.id],
                body=bodies[ticket.id],
                email_partners=guardian if by_email else None,
                text=texts[ticket.id],
                sms_numbers={guardian.id: number} if number else None,
            )
            channels = [
                label
                for label, used in (
                    (self.env._("e-mail"), by_email),
                    (self.env._("SMS"), bool(number)),
                )
                if used
            ]
            if channels:
                reached.append(ticket.id)
                ticket._guarded_write({"guardian_notified_at": fields.Datetime.now()})
                body = self.env._(
                    "%(guardian)s notified by %(channels)s (in the file of %(file)s).",
                    guardian=guardian.name,
                    channels=self.env._(" and ").join(channels),
                    file=file.name,
                )
            else:
                body = self.env._(
                    "%(guardian)s was not notified: no notice channel of the campus policy "
                    "reaches them (e-mail address, mobile number). Call them.",
                    guardian=guardian.name,
                )
            ticket.message_post(body=body, subtype_xmlid="mail.mt_note")
        if reached:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()
        return self.browse(reached)
