from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

DUTY_BATCH_SIZE = 500
# what the person on duty writes on their own duty; everything else is the roster
LOG_FIELDS = {"log_work_done", "log_problems", "log_results"}


class TrainingDutyAssignment(models.Model):
    """One person on one shift of one day, in one role: a line of the roster, and its duty
    log (seed 003 §3: work done, problems found, results), due at the end of the shift."""

    _name = "training.duty.assignment"
    _description = "Duty"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.state.mixin"]
    _order = "start, shift_id, role_id, id"
    _check_company_auto = True
    _protected_fields = ("state", "log_submitted_at")
    _system_fields = ("log_reminder_level", "shift_reminder_sent")

    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    shift_id = fields.Many2one(
        comodel_name="training.duty.shift",
        required=True,
        ondelete="restrict",
        check_company=True,
        index=True,
    )
    role_id = fields.Many2one(
        comodel_name="training.duty.role",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="On duty",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        domain=[("share", "=", False)],
    )
    date = fields.Date(required=True, index=True, help="Day of the shift, campus time.")
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    duties = fields.Text(related="role_id.duties", string="Role duties")
    shift_duties = fields.Text(related="shift_id.duties", string="Shift duties")
    state = fields.Selection(
        selection=[("planned", "Planned"), ("done", "Log submitted")],
        default="planned",
        required=True,
        tracking=True,
        index=True,
    )
    log_work_done = fields.Text(string="Work done")
    log_problems = fields.Text(string="Problems found")
    log_results = fields.Text(string="Results")
    log_submitted_at = fields.Datetime(string="Log submitted on", readonly=True, copy=False)
    log_on_time = fields.Boolean(
        string="Log on time",
        compute="_compute_log_on_time",
        store=True,
        help="The duty log was submitted by the end of the shift's day (campus time).",
    )
    logs_on_time = fields.Integer(
        string="Logs on time",
        compute="_compute_log_on_time",
        store=True,
        aggregator="sum",
        help="1 when the duty log was submitted by the end of the shift's day: summed in the "
        "duty KPIs.",
    )
    log_reminder_level = fields.Integer(
        readonly=True,
        copy=False,
        help="0: no reminder yet, 1: the person on duty was reminded, 2: the duty supervisor too.",
    )
    shift_reminder_sent = fields.Boolean(readonly=True, copy=False)
    duty_count = fields.Integer(string="Duties", default=1, readonly=True, aggregator="sum")

    @api.depends("shift_id", "date", "role_id")
    def _compute_display_name(self):
        for duty in self:
            duty.display_name = f"{duty.shift_id.display_name} {duty.date} {duty.role_id.name}"

    @api.depends("log_submitted_at", "date", "company_id")
    def _compute_log_on_time(self):
        for duty in self:
            duty.log_on_time = bool(
                duty.log_submitted_at
                and duty.company_id._training_date(duty.log_submitted_at) <= duty.date
            )
            duty.logs_on_time = int(duty.log_on_time)

    @api.constrains("start", "stop")
    def _check_start_stop(self):
        if any(duty.stop <= duty.start for duty in self):
            raise ValidationError(self.env._("A duty must end after it starts."))

    @api.constrains("user_id", "start", "stop")
    def _check_double_booking(self):
        """Nobody is on two overlapping shifts: one query for the whole batch."""
        if not self.ids:
            return
        self.flush_model(["user_id", "start", "stop"])
        self.env.cr.execute(
            """
            SELECT a.id, b.id
              FROM training_duty_assignment a
              JOIN training_duty_assignment b
                ON b.user_id = a.user_id AND b.id != a.id
               AND b.start < a.stop AND a.start < b.stop
             WHERE a.id IN %s
             LIMIT 1
            """,
            [tuple(self.ids)],
        )
        row = self.env.cr.fetchone()
        if row:
            first, second = self.browse(row).sudo()
            raise ValidationError(
                self.env._(
                    "%(user)s cannot be on two overlapping duties: %(first)s and %(second)s.",
                    user=first.user_id.name,
                    first=first.display_name,
                    second=second.display_name,
                )
            )

    def _is_duty_supervisor(self):
        return self.env.su or self.env.user.has_group("training_attendance.group_duty_supervisor")

    def write(self, vals):
        if not self._is_duty_supervisor() and not self._is_guarded_call():
            roster = [
                f
                for f in vals
                if f not in LOG_FIELDS and not f.startswith(("message_", "activity_"))
            ]
            if roster:
                self.check_access("write")
                raise UserError(
                    self.env._(
                        "Only a duty supervisor changes the roster (%(fields)s); ask for a "
                        "swap instead.",
                        fields=", ".join(
                            self._fields[f]._description_string(self.env)
                            for f in roster
                            if f in self._fields
                        ),
                    )
                )
            if self.filtered(lambda d: d.user_id != self.env.user):
                raise UserError(self.env._("You can only write the log of your own duties."))
        submitted = self.filtered(lambda d: d.state == "done")
        if (
            set(vals) & LOG_FIELDS
            and submitted
            and not self._is_guarded_call()
            and not self._is_duty_supervisor()
        ):
            raise UserError(self.env._("The duty log is submitted: it can no longer change."))
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_duty_supervisor():
            raise UserError(self.env._("Only a duty supervisor adds duties to the roster."))
        return super().create(vals_list)

    def unlink(self):
        if self.filtered(lambda d: d.state == "done" or d.log_work_done):
            raise UserError(self.env._("A duty with its log is kept: it cannot be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ actions
    def action_submit_log(self):
        """The person on duty (or a duty supervisor) submits the log: work done is
        required; the reminders about it are closed."""
        for duty in self:
            if duty.user_id != self.env.user and not self._is_duty_supervisor():
                raise UserError(self.env._("You can only submit the log of your own duties."))
            if not (duty.log_work_done or "").strip():
                raise UserError(
                    self.env._(
                        "Write the work done before submitting the duty log of %(duty)s.",
                        duty=duty.display_name,
                    )
                )
        self._check_state(["planned"], self.env._("Submitting the duty log"))
        self._guarded_write({"state": "done", "log_submitted_at": fields.Datetime.now()})
        self.sudo().activity_feedback(
            ["training_attendance.mail_activity_duty_log"],
            feedback=self.env._("Duty log submitted."),
        )
        return True

    # ------------------------------------------------------------------ roster generation
    @api.model
    def _open_days(self, company, date_from, date_to):
        """Days of ``company``'s calendar between the two dates (included) that have working
        time and are not public holidays or closing days (leaves of the calendar without
        resource). Without a calendar every day is open."""
        if not company.resource_calendar_id:
            return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
        tz = company._training_tz()
        intervals = company.resource_calendar_id._work_intervals_batch(
            tz.localize(datetime.combine(date_from, time.min)),
            tz.localize(datetime.combine(date_to + timedelta(days=1), time.min)),
            domain=[("time_type", "=", "leave"), ("company_id", "in", [False, company.id])],
            tz=tz,
        )[False]
        return sorted({start.astimezone(tz).date() for start, _stop, _meta in intervals})

    @api.model
    def _plan_roster(self, shifts, date_from, date_to):
        """The values of the duties that fill ``shifts`` over the period, and the slots that
        no qualified free person could fill, as ``(vals_list, unfilled)``.

        Every open day of each campus gets each shift; for each role of the shift the
        qualified person with the fewest duties of the period is taken (then the one who
        waited longest, then the oldest account) among those who work on the campus (its
        allowed companies), never someone already on an overlapping duty (existing ones
        included) nor on approved time off (with ``hr_holidays``). A slot already filled in
        the period is kept: the generation can run twice."""
        vals_list, unfilled = [], []
        shifts = shifts.sudo()
        if not shifts:
            return vals_list, unfilled
        companies = shifts.company_id
        span_from = datetime.combine(date_from - timedelta(days=1), time.min)
        span_to = datetime.combine(date_to + timedelta(days=2), time.min)
        users = shifts.line_ids.role_id.user_ids
        existing = self.sudo().search_read(
            [
                ("start", "<", span_to),
                ("stop", ">", span_from),
                "|",
                ("user_id", "in", users.ids),
                ("shift_id", "in", shifts.ids),
            ],
            ["user_id", "start", "stop", "shift_id", "role_id", "date"],
        )
        busy = defaultdict(list)  # user id -> [(start, stop)]
        filled = defaultdict(int)  # (shift, date, role) -> people already on it
        count = defaultdict(int)  # user id -> duties in the period
        last = defaultdict(lambda: datetime.min)
        for row in existing:
            busy[row["user_id"][0]].append((row["start"], row["stop"]))
            filled[row["shift_id"][0], row["date"], row["role_id"][0]] += 1
            if date_from <= row["date"] <= date_to:
                count[row["user_id"][0]] += 1
                last[row["user_id"][0]] = max(last[row["user_id"][0]], row["start"])
        for user_id, begin, end in self._approved_time_off(users, span_from, span_to):
            busy[user_id].append((begin, end))
        for company in companies:
            tz = company._training_tz()
            campus_shifts = shifts.filtered(lambda s, c=company: s.company_id == c)
            for day in self._open_days(company, date_from, date_to):
                for shift in campus_shifts.sorted(lambda s: (s.hour_from, s.id)):
                    start, stop = (
                        tz.localize(datetime.combine(day, time.min) + timedelta(hours=hour))
                        .astimezone(pytz.utc)
                        .replace(tzinfo=None)
                        for hour in (shift.hour_from, shift.hour_to)
                    )
                    for line in shift.line_ids:
                        needed = line.staff_count - filled[shift.id, day, line.role_id.id]
                        free = [
                            user
                            for user in line.role_id.user_ids
                            if user.active
                            and company in user.company_ids
                            and not any(b < stop and start < e for b, e in busy[user.id])
                        ]
                        free.sort(key=lambda u: (count[u.id], last[u.id], u.id))
                        for user in free[: max(needed, 0)]:
                            vals_list.append(
                                {
                                    "company_id": company.id,
                                    "shift_id": shift.id,
                                    "role_id": line.role_id.id,
                                    "user_id": user.id,
                                    "date": day,
                                    "start": start,
                                    "stop": stop,
                                }
                            )
                            busy[user.id].append((start, stop))
                            count[user.id] += 1
                            last[user.id] = start
                        if needed > len(free):
                            unfilled.append((shift, day, line.role_id, needed - len(free)))
        return vals_list, unfilled

    @api.model
    def _approved_time_off(self, users, span_from, span_to):
        """``[(user id, start, stop)]`` of the approved time off of ``users`` in the span,
        where Odoo's Time Off (``hr_holidays``) is installed: nobody is rostered on it."""
        if "hr.leave" not in self.env:
            return []
        leaves = (
            self.env["hr.leave"]
            .sudo()
            .search(
                [
                    ("state", "=", "validate"),
                    ("employee_id.user_id", "in", users.ids),
                    ("date_from", "<", span_to),
                    ("date_to", ">", span_from),
                ]
            )
        )
        return [(leave.employee_id.user_id.id, leave.date_from, leave.date_to) for leave in leaves]

    @api.model
    def _generate_roster(self, shifts, date_from, date_to):
        """Create the roster of ``shifts`` over the period in one batch; returns the new
        duties and the unfilled slots."""
        vals_list, unfilled = self._plan_roster(shifts, date_from, date_to)
        duties = (
            self.sudo()
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
            )
            .create(vals_list)
        )
        return duties.with_env(self.env), unfilled

    # ------------------------------------------------------------------ jobs
    @api.model
    def _cron_duty_reminders(self, batch_size=DUTY_BATCH_SIZE):
        """Daily and hourly backstop: the missing-log reminders (person on duty, then the
        duty supervisor the next working day) and the reminders of tomorrow's shifts. Each
        duty carries its markers, so that running twice reminds nobody twice. Returns the
        number of duties handled in this batch."""
        done = self._remind_missing_logs(batch_size)
        done += self._remind_next_shifts(batch_size)
        self.env["ir.cron"]._notify_progress(done=done, remaining=1 if done else 0)
        return done

    @api.model
    def _missing_log_domain(self, policies):
        """Duties whose log is missing and who is due a reminder, campus by campus: the
        person on duty once the shift is over; the duty supervisor once the next working
        day has come, i.e. for a duty before the last working day up to today."""
        now = fields.Datetime.now()
        domain = []
        for policy in policies:
            company = policy.company_id
            last_working_day = policy._add_working_days(
                company._training_today() + timedelta(days=1), -1
            )
            campus = [
                "&",
                ("company_id", "=", company.id),
                "|",
                ("log_reminder_level", "=", 0),
                "&",
                ("log_reminder_level", "=", 1),
                ("date", "<", last_working_day),
            ]
            domain = ["|", *domain, *campus] if domain else campus
        return [("state", "=", "planned"), ("stop", "<=", now), *domain]

    @api.model
    def _remind_missing_logs(self, batch_size):
        policies = self.env["training.policy"].sudo().search([("duty_log_reminders", "=", True)])
        if not policies:
            return 0
        Duty = self.sudo()
        late = Duty.search(self._missing_log_domain(policies), order="stop, id", limit=batch_size)
        by_policy = {p.company_id.id: p for p in policies}
        activity_type = self.env.ref("training_attendance.mail_activity_duty_log")
        model_id = self.env["ir.model"]._get_id(self._name)
        first, second, activities, supervisor = Duty, Duty, [], {}
        for duty in late:
            company = duty.company_id
            if duty.log_reminder_level == 0:
                first |= duty
                user, summary = (
                    duty.user_id,
                    self.env._("Duty log missing: %(duty)s", duty=duty.display_name),
                )
            else:
                if company not in supervisor:
                    try:
                        supervisor[company] = by_policy[company.id]._role_user("duty_supervisor")
                    except UserError:
                        supervisor[company] = self.env["res.users"]
                second |= duty
                user, summary = (
                    supervisor[company],
                    self.env._(
                        "Duty log still missing: %(user)s, %(duty)s",
                        user=duty.user_id.name,
                        duty=duty.display_name,
                    ),
                )
            if user:
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": duty.id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "date_deadline": company._training_today(),
                        "automated": True,
                        "summary": summary,
                    }
                )
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True, mail_auto_subscribe_no_notify=True
        ).create(activities)
        first.write({"log_reminder_level": 1})
        second.write({"log_reminder_level": 2})
        return len(first) + len(second)

    @api.model
    def _remind_next_shifts(self, batch_size):
        policies = self.env["training.policy"].sudo().search([("duty_shift_reminders", "=", True)])
        if not policies:
            return 0
        domain = []
        for company in policies.company_id:
            tomorrow = company._training_today() + timedelta(days=1)
            campus = ["&", ("company_id", "=", company.id), ("date", "=", tomorrow)]
            domain = ["|", *domain, *campus] if domain else campus
        duties = self.sudo().search(
            [("shift_reminder_sent", "=", False), ("state", "=", "planned"), *domain],
            order="start, id",
            limit=batch_size,
        )
        activity_type = self.env.ref("training_attendance.mail_activity_duty_shift")
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True, mail_auto_subscribe_no_notify=True
        ).create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": duty.id,
                    "activity_type_id": activity_type.id,
                    "user_id": duty.user_id.id,
                    "date_deadline": duty.date,
                    "automated": True,
                    "summary": self.env._("On duty tomorrow: %(duty)s", duty=duty.display_name),
                }
                for duty in duties
            ]
        )
        duties.write({"shift_reminder_sent": True})
        return len(duties)
