from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import html2plaintext, is_html_empty

STAGE_ACTIVITY = "training_attendance.mail_activity_retention_stage"
ESCALATION_ACTIVITY = "training_attendance.mail_activity_retention_escalation"
SUPERVISOR_GROUP = "training_attendance.group_counselor_supervisor"
DIRECTOR_GROUP = "training_attendance.group_director"
ESCALATION_BATCH_SIZE = 200

STAGES = [
    ("signal", "Signal"),
    ("team", "Team retention"),
    ("management", "Report to management"),
    ("director_review", "Director's review"),
    ("retained", "Retained"),
    ("lost", "Lost"),
]
OPEN_STAGES = ("signal", "team", "management", "director_review")
NEXT_STAGE = {"signal": "team", "team": "management", "management": "director_review"}
# the work written before leaving a stage
STAGE_WORK = {
    "signal": "stabilisation_note",
    "team": "team_note",
    "management": "report",
}


class TrainingRetentionCase(models.Model):
    """A student at risk of leaving, from the signal to the outcome (SPEC §5, seed 002):
    the counselor's stabilising work, the team retention, the report to management and
    the director's responsibility analysis, one stage after the other, each with its
    leader and deadline; retained, or lost with its cause and a refund request."""

    _name = "training.retention.case"
    _description = "Retention Case"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "training.enrollment.document.mixin",
        "training.value.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    counselor_id = fields.Many2one(
        comodel_name="res.users",
        compute="_compute_counselor_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    origin = fields.Selection(
        selection=[
            ("risk", "Churn risk"),
            ("complaint", "Complaint"),
            ("refund_intent", "Refund intent"),
        ],
        required=True,
        default="risk",
        tracking=True,
        help="What raised the case. The team retention is led by the head teacher for a "
        "complaint, by the counselor supervisor for a refund intent, by the counselor "
        "otherwise.",
    )
    hard_case = fields.Boolean(
        string="Hard case",
        tracking=True,
        help="The team retention is led by the campus director.",
    )
    description = fields.Text(string="Signal", help="What happened: the risk, the complaint.")
    stage = fields.Selection(
        selection=STAGES,
        default="signal",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        group_expand="_group_expand_stage",
    )
    date_stage = fields.Date(string="Stage since", readonly=True, copy=False)
    stage_deadline = fields.Date(string="Stage deadline", tracking=True, copy=False)
    leader_id = fields.Many2one(
        comodel_name="res.users",
        string="Stage leader",
        tracking=True,
        index=True,
        domain=[("share", "=", False)],
    )
    escalated = fields.Boolean(
        readonly=True,
        copy=False,
        help="The current stage passed its deadline and went to the next responsible.",
    )
    escalated_to_id = fields.Many2one(
        comodel_name="res.users", string="Escalated to", readonly=True, copy=False, index=True
    )
    stabilisation_note = fields.Text(
        string="Stabilising work", help="The counselor's stabilising work with the family."
    )
    team_note = fields.Text(string="Team retention", help="What the team did to retain.")
    report = fields.Html(
        string="Retention / loss report",
        help="The report to the counselor supervisor and the campus director.",
    )
    responsibility_analysis = fields.Html(
        string="Responsibility analysis", help="The campus director's analysis."
    )
    accountable_user_id = fields.Many2one(
        comodel_name="res.users", string="Accountable person", tracking=True
    )
    loss_reason_id = fields.Many2one(
        comodel_name="training.loss.reason", string="Loss reason", tracking=True
    )
    refund_request_id = fields.Many2one(
        comodel_name="training.refund.request",
        string="Refund request",
        readonly=True,
        copy=False,
        groups="training_attendance.group_counselor",
    )
    date_closed = fields.Date(string="Closed on", readonly=True, copy=False)

    @api.model
    def _group_expand_stage(self, stages, domain):
        return [stage for stage, _label in STAGES]

    @api.depends("enrollment_id")
    def _compute_counselor_id(self):
        for case in self:
            enrollment = case.enrollment_id
            case.counselor_id = enrollment.counselor_id or enrollment.student_id.counselor_id

    @api.depends("student_id", "name")
    def _compute_display_name(self):
        for case in self:
            case.display_name = " - ".join(filter(None, [case.name, case.student_id.name]))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = sequence.next_by_code("training.retention.case") or "/"
            if vals.get("stage", "signal") != "signal":
                raise UserError(self.env._("A retention case starts at the signal."))
        cases = super().create(vals_list)
        today = {company: company._training_today() for company in cases.company_id}
        for case, vals in zip(cases, vals_list, strict=True):
            entry = case._stage_entry_vals("signal", today[case.company_id])
            missing = {key: value for key, value in entry.items() if value and not vals.get(key)}
            if missing:
                super(TrainingRetentionCase, case).write(missing)
        return cases

    def write(self, vals):
        new_stage = vals.get("stage")
        moving = self.filtered(lambda case: case.stage != new_stage) if new_stage else self.browse()
        if not moving:
            return super().write(vals)
        for case in moving:
            case._check_stage_move(new_stage, vals)
        moving._close_stage_activities(new_stage)
        if self - moving:
            super(TrainingRetentionCase, self - moving).write(vals)
        today = {company: company._training_today() for company in moving.company_id}
        for case in moving:
            stage_vals = dict(vals)
            for key, value in case._stage_entry_vals(new_stage, today[case.company_id]).items():
                stage_vals.setdefault(key, value)
            super(TrainingRetentionCase, case).write(stage_vals)
        if new_stage == "management":
            moving._subscribe_management()
        return True

    def unlink(self):
        if any(case.stage != "signal" for case in self):
            raise UserError(
                self.env._("Only a case still at the signal can be deleted; close the others.")
            )
        return super().unlink()

    # ------------------------------------------------------------------ stages
    def _check_stage_move(self, new_stage, vals):
        """One stage forward at a time; retained from any open stage with its report;
        lost only after the director's review, with its cause and analysis."""
        self.ensure_one()
        labels = dict(self._fields["stage"]._description_selection(self.env))
        if self.stage not in OPEN_STAGES:
            raise UserError(
                self.env._(
                    "%(case)s is closed (%(stage)s): its stage does not change any more.",
                    case=self.display_name,
                    stage=labels[self.stage],
                )
            )

        def value(fname):
            return vals[fname] if fname in vals else self[fname]

        def missing(fname):
            content = value(fname)
            if self._fields[fname].type == "html":
                return is_html_empty(content)
            return not (content or "").strip()

        if new_stage == "retained":
            if missing("report"):
                raise UserError(
                    self.env._(
                        "Write the retention report of %(case)s before closing it as retained.",
                        case=self.display_name,
                    )
                )
            return
        if new_stage == "lost":
            if self.stage != "director_review":
                raise UserError(
                    self.env._(
                        "%(case)s is at %(stage)s: a student is declared lost after the "
                        "director's review only.",
                        case=self.display_name,
                        stage=labels[self.stage],
                    )
                )
            if not value("loss_reason_id") or missing("responsibility_analysis"):
                raise UserError(
                    self.env._(
                        "Give the loss reason and the director's responsibility analysis of "
                        "%(case)s before declaring the student lost.",
                        case=self.display_name,
                    )
                )
            return
        if new_stage != NEXT_STAGE.get(self.stage):
            raise UserError(
                self.env._(
                    "%(case)s is at %(stage)s: it moves to %(next)s, one stage at a time, "
                    "not to %(target)s.",
                    case=self.display_name,
                    stage=labels[self.stage],
                    next=labels.get(NEXT_STAGE.get(self.stage), "-"),
                    target=labels.get(new_stage, new_stage),
                )
            )
        work = STAGE_WORK[self.stage]
        if missing(work):
            raise UserError(
                self.env._(
                    "%(case)s: write the %(work)s before moving to %(next)s.",
                    case=self.display_name,
                    work=self._fields[work]._description_string(self.env).lower(),
                    next=labels[new_stage],
                )
            )

    def _stage_entry_vals(self, stage, today):
        """Deadline and leader of ``stage`` entered ``today``; the escalation of the
        previous stage is forgotten."""
        self.ensure_one()
        vals = {"date_stage": today, "escalated": False, "escalated_to_id": False}
        if stage not in OPEN_STAGES:
            return dict(vals, stage_deadline=False, date_closed=today, leader_id=self.leader_id.id)
        return dict(
            vals,
            stage_deadline=self._stage_deadline(stage, today),
            leader_id=self._stage_leader(stage).id,
        )

    def _policy(self):
        self.ensure_one()
        return self.env["training.policy"]._get_for_company(self.company_id)

    def _stage_deadline(self, stage, start):
        """Signal: calendar days; the other stages: working days of the campus."""
        policy = self._policy()
        if stage == "signal":
            return start + timedelta(days=policy.retention_signal_days)
        days = {
            "team": policy.retention_team_days,
            "management": policy.retention_report_days,
            "director_review": policy.retention_review_days,
        }[stage]
        return policy._add_working_days(start, days)

    def _stage_leader(self, stage):
        """Signal and report: the counselor. Team: the head teacher for a complaint, the
        counselor supervisor for a refund intent, the director for a hard case, the
        counselor otherwise. Director's review: the campus director."""
        self.ensure_one()
        counselor = self.counselor_id
        if stage == "team":
            if self.hard_case:
                leader = self._director()
            elif self.origin == "complaint":
                leader = self.class_id.head_teacher_id
            elif self.origin == "refund_intent":
                leader = self._supervisor()
            else:
                leader = counselor
        elif stage == "director_review":
            leader = self._director()
        else:
            leader = counselor
        return leader or counselor or self.env.user

    def _subscribe_management(self):
        """The report goes to the counselor supervisor and the campus director: they
        follow the case from then on."""
        for case in self:
            users = case._supervisor() | case._director()
            case.sudo().message_subscribe(partner_ids=users.partner_id.ids)

    def _supervisor(self):
        return self._policy().counselor_supervisor_id or self._campus_user(SUPERVISOR_GROUP)

    def _director(self):
        return self._policy().campus_director_id or self._campus_user(DIRECTOR_GROUP)

    def _campus_user(self, group_xmlid):
        """The campus's holder of the role (``training.policy._role_user``), or nobody:
        the stage then falls to the counselor."""
        role = {SUPERVISOR_GROUP: "counselor_supervisor", DIRECTOR_GROUP: "campus_director"}
        try:
            return self._policy()._role_user(role[group_xmlid])
        except UserError:
            return self.env["res.users"]

    def _next_responsible(self):
        """Who an overdue stage goes to: above the counselor (or head teacher) the
        counselor supervisor, above the supervisor the campus director; nobody above the
        director."""
        self.ensure_one()
        director = self._director()
        if self.leader_id == director:
            return self.env["res.users"]
        supervisor = self._supervisor()
        if self.leader_id == supervisor or not supervisor:
            return director
        return supervisor

    # ------------------------------------------------------------------ actions
    def action_next_stage(self):
        labels = dict(self._fields["stage"]._description_selection(self.env))
        for case in self:
            if case.stage == "director_review":
                raise UserError(
                    self.env._(
                        "%(case)s is at %(stage)s: close it as retained or lost.",
                        case=case.display_name,
                        stage=labels[case.stage],
                    )
                )
            if case.stage not in NEXT_STAGE:
                case._check_stage_move(case.stage, {})  # closed: refused, with its message
            case.stage = NEXT_STAGE[case.stage]
        return True

    def action_retained(self):
        self._check_closing_rights()
        self.write({"stage": "retained"})
        return True

    def action_lost(self):
        """Lost: the enrolment's refund request, opened (a draft created if none)."""
        self._check_closing_rights()
        self.write({"stage": "lost"})
        for case in self:
            case.refund_request_id = case._open_refund_request()
        if len(self) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "training.refund.request",
                "view_mode": "form",
                "res_id": self.sudo().refund_request_id.id,
            }
        return True

    def _check_closing_rights(self):
        """After the director's review, the campus director decides."""
        if self.env.su or self.env.user.has_group(DIRECTOR_GROUP):
            return
        if any(case.stage == "director_review" for case in self):
            raise AccessError(
                self.env._("After the director's review, the campus director closes the case.")
            )

    def _open_refund_request(self):
        """The enrolment's refund request in progress, or a new draft carrying the cause
        and the responsibility analysis of the case."""
        self.ensure_one()
        Request = self.env["training.refund.request"].sudo()
        request = Request.search(
            [
                ("enrollment_id", "=", self.enrollment_id.id),
                ("state", "in", ("draft", "submitted", "supervisor_approved", "director_approved")),
            ],
            limit=1,
        )
        if request:
            return request
        if not self.enrollment_id.guardian_id:
            raise UserError(
                self.env._(
                    "%(ref)s has no paying guardian: give it one to prepare the refund.",
                    ref=self.enrollment_id.name,
                )
            )
        return Request.create(
            {
                "enrollment_id": self.enrollment_id.id,
                "reason": self.env._(
                    "Student lost (retention case %(case)s): %(reason)s",
                    case=self.name,
                    reason=self.loss_reason_id.name,
                ),
                "loss_reason_id": self.loss_reason_id.id,
                "accountable_user_id": self.accountable_user_id.id,
                "lessons_learned": html2plaintext(self.responsibility_analysis or ""),
            }
        )

    def action_view_refund_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.refund.request",
            "view_mode": "form",
            "res_id": self.refund_request_id.id,
        }

    # ------------------------------------------------------------------ activities
    def _sync_stage_activity(self):
        """The activity of the current stage for its leader, due at the stage deadline:
        created, or moved when the leader or the deadline changes. Called by the automation
        rule "Retention case: activity of the stage leader"."""
        activity_type = self.env.ref(STAGE_ACTIVITY)
        # in the leader's language, one env per language
        readers = self.env["res.users"]._training_reader_envs(self)
        for case in self.sudo().with_context(mail_activity_quick_update=True):
            if case.stage not in OPEN_STAGES or not case.leader_id:
                continue
            reader = readers(case.leader_id)
            labels = dict(self._fields["stage"]._description_selection(reader))
            current = case.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
            if current:
                current.write({"user_id": case.leader_id.id, "date_deadline": case.stage_deadline})
                continue
            case.activity_schedule(
                STAGE_ACTIVITY,
                date_deadline=case.stage_deadline,
                user_id=case.leader_id.id,
                summary=reader._(
                    "%(stage)s: %(student)s", stage=labels[case.stage], student=case.student_id.name
                ),
                note=case.with_env(reader)._stage_instructions(),
            )

    def _stage_instructions(self):
        self.ensure_one()
        return {
            "signal": self.env._(
                "Stabilise the family: call, listen, agree on what changes. Write the "
                "stabilising work in the case."
            ),
            "team": self.env._(
                "Lead the team retention with the counselor and the teachers; write what the "
                "team did in the case."
            ),
            "management": self.env._(
                "Report the case to the counselor supervisor and the campus director: write "
                "the retention or loss report."
            ),
            "director_review": self.env._(
                "Analyse responsibilities (accountable person, loss reason) and close the "
                "case as retained or lost."
            ),
        }[self.stage]

    def _close_stage_activities(self, new_stage):
        labels = dict(self._fields["stage"]._description_selection(self.env))
        self.sudo().activity_feedback(
            [STAGE_ACTIVITY, ESCALATION_ACTIVITY],
            feedback=self.env._("Moved to %(stage)s", stage=labels[new_stage]),
        )

    # ------------------------------------------------------------------ escalation
    def _escalate(self):
        """An overdue stage goes to the next responsible, once per stage."""
        labels = dict(self._fields["stage"]._description_selection(self.env))
        today = {company: company._training_today() for company in self.sudo().company_id}
        readers = self.env["res.users"]._training_reader_envs(self)
        for case in self.sudo().with_context(mail_activity_quick_update=True):
            user = case._next_responsible()
            if user:
                # in the language of the user it goes to
                reader = readers(user)
                stages = dict(self._fields["stage"]._description_selection(reader))
                case.activity_schedule(
                    ESCALATION_ACTIVITY,
                    date_deadline=today[case.company_id],
                    user_id=user.id,
                    summary=reader._(
                        "Overdue: %(stage)s of %(student)s",
                        stage=stages[case.stage],
                        student=case.student_id.name,
                    ),
                    note=reader._(
                        "%(leader)s was due to finish %(stage)s by %(deadline)s.",
                        leader=case.leader_id.name,
                        stage=stages[case.stage],
                        deadline=case.stage_deadline,
                    ),
                )
            case.message_post(
                body=self.env._(
                    "%(stage)s is overdue (deadline %(deadline)s): escalated to %(user)s.",
                    stage=labels[case.stage],
                    deadline=case.stage_deadline,
                    user=user.name or self.env._("nobody above the campus director"),
                ),
                subtype_xmlid="mail.mt_note",
            )
            case.write({"escalated": True, "escalated_to_id": user.id})

    @api.model
    def _overdue_domain(self):
        return [
            ("stage", "in", OPEN_STAGES),
            *expression.OR(
                [
                    [
                        ("company_id", "=", company.id),
                        ("stage_deadline", "<", company._training_today()),
                    ]
                    for company in self.env["res.company"].sudo().search([])
                ]
            ),
            ("escalated", "=", False),
        ]

    @api.model
    def _cron_escalate_overdue(self, batch_size=ESCALATION_BATCH_SIZE):
        """Daily job: overdue stages escalate, a batch per call, each once."""
        cases = self.sudo().search(self._overdue_domain(), order="id", limit=batch_size)
        cases._escalate()
        remaining = self.sudo().search_count(self._overdue_domain())
        self.env["ir.cron"]._notify_progress(done=len(cases), remaining=remaining)
        return len(cases)
