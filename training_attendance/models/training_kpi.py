from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import SQL

KPI_SELECTION = [
    ("attendance", "Attendance rate"),
    ("notice", "Notification timeliness"),
    ("makeup", "Make-up completion"),
    ("satisfaction", "Make-up satisfaction"),
    ("followup", "Follow-up compliance"),
    ("incident", "Incident response time"),
]
# the policy field holding each indicator's target
KPI_TARGETS = {
    "attendance": "kpi_attendance_target",
    "notice": "kpi_notice_target",
    "makeup": "kpi_makeup_target",
    "satisfaction": "kpi_satisfaction_target",
    "followup": "kpi_followup_target",
    "incident": "kpi_incident_target",
}


class TrainingKpi(models.Model):
    """The assessment indicators of seed 000 (考核指标) and seed 002, one row per fact
    that an indicator counts: a lesson held, an unexcused absence, a due make-up, a
    guardian's rating of a make-up, a counselor's follow-up deadline (a counselor's
    indicator: no teacher on it). ``hit`` says whether
    the fact meets the indicator (attended, notified the same day, done, satisfied, met on
    time); the rate of any group of rows is ``sum(hit) / count`` in percent, computed by
    the database for every grouping (pivot, graph, list), so that any period, campus,
    teacher or counselor is one filter away.

    ``date`` is the day of the fact in its campus's time zone. A fact counts once it is
    due (``due_at``, UTC): an absence's notice at the end of its day, a make-up still to
    plan ``makeup_due_days`` after the missed lesson, a follow-up deadline at the end of
    its day (at once when done), an incident ticket at its first action: the ticket meets
    the indicator when it was answered within the campus policy's response target, in
    working hours of the campus calendar (``hours``: its response time, ``handler_id``: the
    person handling it). A ticket not answered yet is not counted until it is.
    """

    _name = "training.kpi"
    _description = "Training KPI"
    _auto = False
    _order = "date desc, kpi, id desc"
    _rec_name = "kpi"

    kpi = fields.Selection(selection=KPI_SELECTION, string="Indicator", readonly=True)
    date = fields.Date(readonly=True, help="Day of the fact in its campus's time zone.")
    due_at = fields.Datetime(string="Counted from", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", string="Campus", readonly=True)
    teacher_id = fields.Many2one(comodel_name="res.users", readonly=True)
    counselor_id = fields.Many2one(comodel_name="res.users", readonly=True)
    student_id = fields.Many2one(comodel_name="res.partner", readonly=True)
    class_id = fields.Many2one(comodel_name="training.class", readonly=True)
    hit = fields.Integer(
        string="Met",
        readonly=True,
        aggregator="sum",
        help="Facts that meet the indicator: attended, notified the same day, done, satisfied "
        "or met on time.",
    )
    total = fields.Integer(string="Counted", readonly=True, aggregator="sum")
    rate = fields.Float(
        string="Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Met / counted, in percent, for the rows of the group.",
    )
    target = fields.Float(
        string="Target (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="The campus policy's target for the indicator.",
    )
    below_target = fields.Boolean(string="Below target", readonly=True)
    handler_id = fields.Many2one(
        comodel_name="res.users",
        string="Handled by",
        readonly=True,
        help="Incident response time: the person handling the ticket.",
    )
    hours = fields.Float(
        string="Response (working hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Incident response time: from the report to the first action, in working hours "
        "of the campus calendar; the average for a group.",
    )
    target_hours = fields.Float(
        string="Response target (working hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="The campus policy's incident response target.",
    )

    # ------------------------------------------------------------------ the view
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._view_query(),
            )
        )

    def _view_query(self):
        local = "((%s) AT TIME ZONE 'UTC' AT TIME ZONE campus.tz)::date"
        end_of_day = "(((%s) + 1)::timestamp AT TIME ZONE campus.tz) AT TIME ZONE 'UTC'"
        targets = ", ".join(
            f"COALESCE(pol.{field}, 0.0) AS {kpi}_target" for kpi, field in KPI_TARGETS.items()
        )
        facts = f"""
            SELECT l.id * 10 + 1 AS id, 'attendance' AS kpi, l.company_id, l.teacher_id,
                   s.counselor_id, l.student_id, l.class_id,
                   {local % "l.session_start"} AS date,
                   l.session_start AS due_at,
                   CASE WHEN l.status = 'present' THEN 1 ELSE 0 END AS hit,
                   campus.attendance_target AS target,
                   NULL::int AS handler_id, NULL::float AS hours,
                   NULL::float AS target_hours
              FROM training_attendance_line l
              JOIN training_session ses ON ses.id = l.session_id AND ses.state = 'done'
              JOIN res_partner s ON s.id = l.student_id
              JOIN campus ON campus.company_id = l.company_id
             WHERE l.status IN ('present', 'absent', 'excused') AND l.makeup_id IS NULL
            UNION ALL
            SELECT l.id * 10 + 2, 'notice', l.company_id, l.teacher_id, s.counselor_id,
                   l.student_id, l.class_id,
                   {local % "l.session_start"},
                   {end_of_day % (local % "l.session_start")},
                   CASE WHEN l.guardian_notified_at IS NOT NULL
                         AND {local % "l.guardian_notified_at"} = {local % "l.session_start"}
                        THEN 1 ELSE 0 END,
                   campus.notice_target,
                   NULL::int, NULL::float, NULL::float
              FROM training_attendance_line l
              JOIN training_session ses ON ses.id = l.session_id AND ses.state = 'done'
              JOIN res_partner s ON s.id = l.student_id
              JOIN campus ON campus.company_id = l.company_id
             WHERE (l.status = 'absent' OR l.absence_equivalent > 0)
               AND COALESCE(l.notice_state, 'due') NOT IN ('leave', 'disabled')
            UNION ALL
            SELECT m.id * 10 + 3, 'makeup', m.company_id, l.teacher_id, m.counselor_id,
                   m.student_id, l.class_id,
                   {local % "m.missed_start"},
                   CASE WHEN m.state = 'to_plan'
                        THEN m.missed_start + make_interval(days => campus.makeup_due_days)
                        ELSE m.missed_start END,
                   CASE WHEN m.state = 'done' THEN 1 ELSE 0 END,
                   campus.makeup_target,
                   NULL::int, NULL::float, NULL::float
              FROM training_makeup m
              JOIN training_attendance_line l ON l.id = m.line_id
              JOIN campus ON campus.company_id = m.company_id
             WHERE m.state IN ('done', 'missed', 'to_plan')
            UNION ALL
            SELECT r.id * 10 + 4, 'satisfaction', m.company_id, m.teacher_id, m.counselor_id,
                   m.student_id, l.class_id,
                   {local % "COALESCE(m.date_done, r.create_date)"},
                   COALESCE(m.date_done, r.create_date),
                   CASE WHEN r.rating >= 4 THEN 1 ELSE 0 END,
                   campus.satisfaction_target,
                   NULL::int, NULL::float, NULL::float
              FROM rating_rating r
              JOIN training_makeup m ON m.id = r.res_id
              JOIN training_attendance_line l ON l.id = m.line_id
              JOIN campus ON campus.company_id = m.company_id
             WHERE r.res_model = 'training.makeup' AND r.consumed AND r.rating >= 1
            UNION ALL
            SELECT a.id * 10 + 5, 'followup', e.company_id, NULL::int, a.user_id,
                   e.student_id, e.class_id,
                   a.date_deadline,
                   {end_of_day % "a.date_deadline"},
                   0,
                   campus.followup_target,
                   NULL::int, NULL::float, NULL::float
              FROM mail_activity a
              JOIN mail_activity_type t ON t.id = a.activity_type_id
              JOIN training_enrollment e ON a.res_model = 'training.enrollment' AND e.id = a.res_id
              JOIN campus ON campus.company_id = e.company_id
             WHERE (t.training_followup_kind IS NOT NULL OR t.training_plan_kind IS NOT NULL)
               AND a.active
            UNION ALL
            SELECT d.id * 10 + 6, 'followup', e.company_id, NULL::int, d.user_id,
                   e.student_id, e.class_id,
                   d.date_deadline,
                   '1970-01-01'::timestamp,
                   CASE WHEN d.date_done <= d.date_deadline THEN 1 ELSE 0 END,
                   campus.followup_target,
                   NULL::int, NULL::float, NULL::float
              FROM training_kpi_deadline d
              JOIN training_enrollment e ON e.id = d.enrollment_id
              JOIN campus ON campus.company_id = e.company_id
            UNION ALL
            SELECT i.id * 10 + 7, 'incident', i.company_id, NULL::int, NULL::int,
                   i.student_id, NULL::int,
                   {local % "i.reported_at"},
                   i.first_action_at,
                   CASE WHEN i.response_hours <= campus.incident_hours THEN 1 ELSE 0 END,
                   campus.incident_target,
                   i.handler_id, i.response_hours, campus.incident_hours
              FROM training_incident i
              JOIN campus ON campus.company_id = i.company_id
             WHERE i.first_action_at IS NOT NULL
        """
        return SQL(
            f"""
            WITH campus AS (
                SELECT c.company_id, c.tz,
                       COALESCE(pol.makeup_due_days, 0) AS makeup_due_days,
                       COALESCE(pol.incident_response_target_hours, 0.0) AS incident_hours,
                       {targets}
                  FROM ({self.env["res.company"]._training_tz_query()}) c
                  LEFT JOIN training_policy pol ON pol.company_id = c.company_id
            )
            SELECT f.id, f.kpi, f.company_id, f.teacher_id, f.counselor_id, f.student_id,
                   f.class_id, f.date, f.due_at, f.hit, 1 AS total,
                   f.hit * 100.0 AS rate, f.target,
                   f.hit * 100.0 < f.target AS below_target,
                   f.handler_id, f.hours, f.target_hours
              FROM ({facts}) f
            """  # noqa: S608 - constant SQL, no user input
        )

    # ------------------------------------------------------------------ reading
    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Only the facts already due count (see the class doc). The view reads other
        models' tables: their pending writes are flushed first."""
        self.env.flush_all()
        domain = expression.AND([domain or [], [("due_at", "<=", fields.Datetime.now())]])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _read_group_select(self, aggregate_spec, query):
        """The rate of a group is met / counted over its rows, the target the campus
        policy's (an average when a group spans campuses). A group that mixes indicators
        (a pivot's total over the indicator columns) has neither: a rate of attendances and
        make-ups together means nothing."""
        one_kpi = SQL("COUNT(DISTINCT %s) = 1", SQL.identifier(query.table, "kpi"))
        if aggregate_spec == "rate:avg":
            return SQL(
                "CASE WHEN %s THEN ROUND(SUM(%s) * 100.0 / NULLIF(COUNT(*), 0), 1) END",
                one_kpi,
                SQL.identifier(query.table, "hit"),
            )
        if aggregate_spec == "target:avg":
            return SQL(
                "CASE WHEN %s THEN AVG(%s) END", one_kpi, SQL.identifier(query.table, "target")
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _kpi_table(self, domain, groupby):
        """Rows ``(group values..., indicator, met, counted, rate %, target %, average
        response hours, response target hours)`` (the hours for the incidents only) of the
        indicators grouped by ``groupby`` (list of field names), one grouped query: what
        the XLSX export writes."""
        groups = self._read_group(
            domain,
            [*groupby, "kpi"],
            ["hit:sum", "total:sum", "rate:avg", "target:avg", "hours:avg", "target_hours:avg"],
            order=", ".join([*groupby, "kpi"]),
        )
        return [tuple(group) for group in groups]
