from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

MAKEUP_FOR = ("absent", "excused")
NOLOG = {"mail_create_nolog": True, "mail_create_nosubscribe": True, "mail_notrack": True}


class TrainingMakeup(models.Model):
    """The make-up of one missed lesson (SPEC §4): planned into a make-up session, into a
    seat of another class's regular session, or as an online replay; done when the
    student attends it.

    Completion rate = done / due, where the *due* make-ups are those done or missed and
    those still to plan ``makeup_due_days`` (campus policy) after the missed lesson
    (``is_due``, searchable, follows the policy at once). The
    stored ``completion`` (100 done, 0 otherwise) averaged over due make-ups is that rate,
    in the pivot view and in :meth:`_completion_rates`.
    """

    _name = "training.makeup"
    _description = "Make-up Lesson"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.state.mixin"]
    _order = "missed_start desc, id desc"
    _check_company_auto = True
    _protected_fields = ("state", "date_done")
    _locked_states = ("done",)
    _locked_free_fields = ("assessment", "satisfaction")

    line_id = fields.Many2one(
        comodel_name="training.attendance.line",
        string="Missed attendance",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    student_id = fields.Many2one(related="line_id.student_id", store=True, index=True)
    counselor_id = fields.Many2one(
        related="student_id.counselor_id", store=True, index=True, string="Counselor"
    )
    enrollment_id = fields.Many2one(related="line_id.enrollment_id", store=True, index=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True, index=True)
    missed_session_id = fields.Many2one(
        related="line_id.session_id", store=True, index=True, string="Missed session"
    )
    missed_class_id = fields.Many2one(
        related="line_id.class_id", store=True, index=True, string="Missed class"
    )
    course_id = fields.Many2one(related="line_id.course_id", store=True)
    missed_start = fields.Datetime(related="line_id.session_start", store=True, string="Missed on")
    missed_status = fields.Selection(related="line_id.status", string="Absence")
    mode = fields.Selection(
        selection=[
            ("one_to_one", "One-to-one"),
            ("group", "Small group"),
            ("online_replay", "Online replay"),
        ],
        default="group",
        required=True,
        tracking=True,
    )
    session_id = fields.Many2one(
        comodel_name="training.session",
        string="Make-up session",
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('state', 'in', ('planned', 'open')), '|', ('kind', '=', 'makeup'), "
        "'&', ('kind', '=', 'regular'), ('class_id', '!=', missed_class_id)]",
        help="A session of kind make-up, or a regular session of another class where the "
        "student takes a make-up seat.",
    )
    replay_url = fields.Char(string="Replay link", tracking=True)
    teacher_id = fields.Many2one(
        comodel_name="res.users",
        compute="_compute_teacher_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
    )
    date_planned = fields.Datetime(
        string="Planned on",
        compute="_compute_date_planned",
        store=True,
        readonly=False,
        tracking=True,
    )
    date_done = fields.Datetime(string="Done on", readonly=True, copy=False)
    date_due = fields.Date(
        string="Due by",
        compute="_compute_date_due",
        help="Day of the missed lesson plus the campus policy's make-up delay.",
    )
    state = fields.Selection(
        string="Status",
        selection=[
            ("to_plan", "To plan"),
            ("planned", "Planned"),
            ("done", "Done"),
            ("missed", "Missed"),
            ("cancelled", "Cancelled"),
        ],
        default="to_plan",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    assessment = fields.Text(tracking=True)
    satisfaction = fields.Selection(
        selection=[
            ("1", "Very poor"),
            ("2", "Poor"),
            ("3", "Fair"),
            ("4", "Good"),
            ("5", "Excellent"),
        ],
        tracking=True,
    )
    is_due = fields.Boolean(
        string="Due",
        compute="_compute_is_due",
        search="_search_is_due",
        help="Counted in the completion rate: done, missed, or still to plan after its due date.",
    )
    completion = fields.Float(
        string="Completion rate (%)",
        compute="_compute_completion",
        store=True,
        aggregator="avg",
        help="100 when done, 0 otherwise: its average over due make-ups is the completion rate.",
    )

    _sql_constraints = [
        ("line_uniq", "unique(line_id)", "An absence has one make-up."),
    ]

    @api.depends("student_id", "missed_session_id")
    def _compute_display_name(self):
        for makeup in self:
            makeup.display_name = self.env._(
                "Make-up: %(student)s, %(session)s",
                student=makeup.student_id.name or "",
                session=makeup.missed_session_id.display_name or "",
            )

    @api.depends("session_id.teacher_id", "line_id.teacher_id")
    def _compute_teacher_id(self):
        for makeup in self:
            makeup.teacher_id = makeup.session_id.teacher_id or makeup.line_id.teacher_id

    @api.depends("session_id.start")
    def _compute_date_planned(self):
        for makeup in self:
            makeup.date_planned = makeup.session_id.start or makeup.date_planned

    @api.depends("missed_start", "company_id")
    def _compute_date_due(self):
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        for makeup in self:
            session = makeup.line_id.session_id
            days = policies[makeup.company_id.id].makeup_due_days if makeup.company_id else 0
            makeup.date_due = session.start and session._local_date() + timedelta(days=days)

    @api.depends("state", "missed_start", "company_id")
    def _compute_is_due(self):
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        now = fields.Datetime.now()
        for makeup in self:
            policy = policies.get(makeup.company_id.id)
            makeup.is_due = makeup.state in ("done", "missed") or (
                makeup.state == "to_plan"
                and bool(policy and makeup.missed_start)
                and makeup.missed_start < now - timedelta(days=policy.makeup_due_days)
            )

    def _search_is_due(self, operator, value):
        """Done or missed, or still to plan ``makeup_due_days`` (policy of each campus)
        after the missed lesson."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the due make-ups."))
        now = fields.Datetime.now()
        overdue = expression.OR(
            [
                [
                    ("company_id", "=", policy.company_id.id),
                    ("missed_start", "<", now - timedelta(days=policy.makeup_due_days)),
                ]
                for policy in self.env["training.policy"].sudo().search([])
            ]
        )
        domain = expression.OR(
            [
                [("state", "in", ("done", "missed"))],
                expression.AND([[("state", "=", "to_plan")], overdue]),
            ]
        )
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("state")
    def _compute_completion(self):
        for makeup in self:
            makeup.completion = 100.0 if makeup.state == "done" else 0.0

    @api.constrains("state", "session_id", "replay_url", "mode")
    def _check_planning(self):
        for makeup in self.filtered(lambda m: m.state == "planned"):
            makeup._check_plannable()

    def unlink(self):
        if any(makeup.state not in ("to_plan", "cancelled") for makeup in self):
            raise UserError(
                self.env._(
                    "A planned, done or missed make-up is part of the student's absence "
                    "file: cancel it instead."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ actions
    def action_plan(self):
        """Plan into the chosen session (or online replay): the student gets a seat."""
        self._check_state(("to_plan",), self.env._("Planning"))
        for makeup in self:
            makeup._check_plannable()
        self._guarded_write({"state": "planned"})
        self._add_seat_lines()
        return True

    def action_done(self):
        """Close a make-up by hand (an online replay watched, a one-to-one without a
        session); a make-up in a session is closed by validating that session."""
        self._check_state(("planned",), self.env._("Marking done"))
        self._guarded_write({"state": "done", "date_done": fields.Datetime.now()})
        return True

    def action_missed(self):
        self._check_state(("planned",), self.env._("Marking missed"))
        self._guarded_write({"state": "missed"})
        return True

    def action_cancel(self):
        self._check_state(("to_plan", "planned"), self.env._("Cancellation"))
        self._check_no_seat_taken()
        self._guarded_write({"state": "cancelled"})
        return True

    def action_reset_to_plan(self):
        """Plan again (another session): the pending seat of the former one is freed."""
        self._check_state(("planned", "missed", "cancelled"), self.env._("Re-planning"))
        self._check_no_seat_taken()
        self.env["training.attendance.line"].sudo().search(
            [("makeup_id", "in", self.ids), ("status", "=", "pending")]
        ).unlink()
        self._guarded_write({"state": "to_plan", "session_id": False, "date_done": False})
        return True

    # ------------------------------------------------------------------ rules
    def _check_plannable(self):
        """SPEC §4: a session (make-up kind or another class's regular one) still to come,
        or a replay link for an online replay; none while the enrolment is partially
        suspended after an academic warning (seed 000)."""
        self.ensure_one()
        self.enrollment_id._check_privileges(
            self.company_id._training_today(), self.env._("make-up lesson")
        )
        if self.mode == "online_replay":
            if not (self.replay_url or "").strip():
                raise ValidationError(
                    self.env._(
                        "%(name)s is an online replay: give the replay link to plan it.",
                        name=self.display_name,
                    )
                )
            return
        session = self.sudo().session_id
        if not session:
            raise ValidationError(
                self.env._(
                    "Choose the make-up session of %(name)s to plan it.", name=self.display_name
                )
            )
        if session.kind != "makeup" and (
            session.kind != "regular" or session.class_id == self.sudo().missed_class_id
        ):
            raise ValidationError(
                self.env._(
                    "%(session)s cannot host the make-up: choose a make-up session or a "
                    "regular session of another class.",
                    session=session.display_name,
                )
            )
        if session.state not in ("planned", "open") or session.start <= fields.Datetime.now():
            raise ValidationError(
                self.env._(
                    "%(session)s is in the past or closed: a planned make-up needs a "
                    "session still to come.",
                    session=session.display_name,
                )
            )

    def _check_no_seat_taken(self):
        taken = (
            self.env["training.attendance.line"]
            .sudo()
            .search([("makeup_id", "in", self.ids), ("status", "!=", "pending")], limit=1)
        )
        if taken:
            raise UserError(
                self.env._(
                    "%(student)s's attendance is already recorded in %(session)s.",
                    student=taken.student_id.name,
                    session=taken.session_id.display_name,
                )
            )

    def _add_seat_lines(self):
        """The student's line in a session already open; planned sessions add it when
        they are opened (``training.session._create_missing_lines``)."""
        opened = self.filtered(lambda m: m.session_id and m.sudo().session_id.state == "open")
        if not opened:
            return
        sessions = opened.sudo().session_id
        taken = {(line.session_id.id, line.student_id.id) for line in sessions.attendance_line_ids}
        for makeup in opened:
            if (makeup.session_id.id, makeup.student_id.id) in taken:
                raise UserError(
                    self.env._(
                        "%(student)s is already in %(session)s.",
                        student=makeup.student_id.name,
                        session=makeup.session_id.display_name,
                    )
                )
        self.env["training.attendance.line"].sudo().create(
            [makeup._seat_line_vals() for makeup in opened]
        )

    def _seat_line_vals(self):
        """The make-up seat: no enrolment, so that it consumes no hours of the class."""
        self.ensure_one()
        return {
            "session_id": self.session_id.id,
            "student_id": self.student_id.id,
            "makeup_id": self.id,
            "status": "pending",
        }

    @api.model
    def _seat_lines_vals(self, sessions, existing):
        """Lines to add for the make-ups planned into ``sessions`` being opened, in one
        search; ``existing`` is the set of ``(session id, student id)`` already there."""
        makeups = self.sudo().search(
            [("session_id", "in", sessions.ids), ("state", "=", "planned")]
        )
        vals_list = []
        for makeup in makeups:
            key = (makeup.session_id.id, makeup.student_id.id)
            if key not in existing:
                existing.add(key)
                vals_list.append(makeup._seat_line_vals())
        return vals_list

    @api.model
    def _sync_lines(self, lines):
        """Follow validated attendance (at validation and on a clerk's correction):
        an absent or excused line of a regular session gets its make-up to plan, once;
        a line corrected to present cancels a make-up still to plan; a make-up seat
        attended marks its make-up done, otherwise missed. Queries per batch, not per
        line."""
        lines = lines.sudo().filtered(lambda line: line.session_id.state == "done")
        seats = lines.filtered("makeup_id")
        regular = (lines - seats).filtered(lambda line: line.session_id.kind == "regular")
        makeups = self.sudo().with_context(**NOLOG)
        if regular:
            existing = makeups.search([("line_id", "in", regular.ids)])
            by_line = {makeup.line_id: makeup for makeup in existing}
            missing = regular.filtered(lambda ln: ln.status in MAKEUP_FOR and ln not in by_line)
            if missing:
                makeups.create([{"line_id": line.id} for line in missing])
            attended = [by_line[ln] for ln in regular if ln.status == "present" and ln in by_line]
            makeups.browse([m.id for m in attended if m.state == "to_plan"]).write(
                {"state": "cancelled"}
            )
        if seats:
            outcome = defaultdict(list)
            for line in seats:
                makeup = line.makeup_id
                if makeup.state in ("planned", "done", "missed"):
                    outcome["done" if line.status == "present" else "missed"].append(makeup.id)
            if outcome["done"]:
                self.sudo().browse(outcome["done"]).filtered(lambda m: m.state != "done").write(
                    {"state": "done", "date_done": fields.Datetime.now()}
                )
            if outcome["missed"]:
                self.sudo().browse(outcome["missed"]).write({"state": "missed", "date_done": False})

    @api.model
    def _completion_rates(self, groupby, domain=None):
        """``{group: (done, due, rate %)}`` of the due make-ups grouped by ``groupby``
        (``teacher_id``, ``company_id``...), in one grouped query."""
        groups = self._read_group(
            [("is_due", "=", True), *(domain or [])], [groupby, "state"], ["__count"]
        )
        done, due = defaultdict(int), defaultdict(int)
        for group, state, count in groups:
            due[group] += count
            if state == "done":
                done[group] += count
        return {group: (done[group], due[group], 100.0 * done[group] / due[group]) for group in due}
