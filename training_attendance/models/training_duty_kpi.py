from odoo import fields, models, tools
from odoo.tools import SQL


class TrainingDutyKpi(models.Model):
    """KPIs of each person on duty per campus and month (seed 003 §5-§6): shifts done,
    logs on time, tickets handled, average response and resolution times in working hours,
    average satisfaction; and the month's ranking of the campus, whose first is the "best
    duty officer": the highest share of logs on time, then the best satisfaction, then the
    most tickets handled, then the shortest average response. The month is the campus's
    (a duty's day and a ticket's report, in the campus's time zone, as in ``training.kpi``)."""

    _name = "training.duty.kpi"
    _description = "Duty KPIs per person and month"
    _auto = False
    _order = "month desc, company_id, rank, user_id"

    user_id = fields.Many2one(comodel_name="res.users", string="Person", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", string="Campus", readonly=True)
    month = fields.Date(readonly=True)
    duty_count = fields.Integer(string="Duties", readonly=True, aggregator="sum")
    shifts_done = fields.Integer(string="Shifts done", readonly=True, aggregator="sum")
    logs_on_time = fields.Integer(string="Logs on time", readonly=True, aggregator="sum")
    on_time_rate = fields.Float(string="Logs on time (%)", readonly=True, aggregator="avg")
    ticket_count = fields.Integer(string="Tickets handled", readonly=True, aggregator="sum")
    response_hours = fields.Float(
        string="Average response (working hours)", readonly=True, aggregator="avg"
    )
    resolution_hours = fields.Float(
        string="Average resolution (working hours)", readonly=True, aggregator="avg"
    )
    satisfaction = fields.Float(string="Average satisfaction", readonly=True, aggregator="avg")
    rank = fields.Integer(
        readonly=True,
        aggregator="min",
        help="Place of the person among the campus's staff on duty that month: 1 is the "
        "best duty officer.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
            WITH duty AS (
                SELECT user_id, company_id, date_trunc('month', date)::date AS month,
                       count(*) AS duty_count,
                       count(*) FILTER (WHERE stop <= (now() AT TIME ZONE 'UTC')) AS shifts_done,
                       coalesce(sum(logs_on_time), 0) AS logs_on_time
                  FROM training_duty_assignment
                 GROUP BY 1, 2, 3
            ), campus AS (%s
            ), ticket AS (
                SELECT i.handler_id AS user_id, i.company_id,
                       date_trunc(
                           'month', i.reported_at AT TIME ZONE 'UTC' AT TIME ZONE campus.tz
                       )::date AS month,
                       count(*) AS ticket_count,
                       avg(i.response_hours) FILTER (WHERE i.first_action_at IS NOT NULL)
                           AS response_hours,
                       avg(i.resolution_hours) FILTER (WHERE i.resolved_at IS NOT NULL)
                           AS resolution_hours,
                       avg(i.satisfaction) FILTER (WHERE i.callback_score IS NOT NULL)
                           AS satisfaction
                  FROM training_incident i
                  JOIN campus ON campus.company_id = i.company_id
                 WHERE i.handler_id IS NOT NULL
                 GROUP BY 1, 2, 3
            ), joined AS (
                SELECT coalesce(d.user_id, t.user_id) AS user_id,
                       coalesce(d.company_id, t.company_id) AS company_id,
                       coalesce(d.month, t.month) AS month,
                       coalesce(d.duty_count, 0) AS duty_count,
                       coalesce(d.shifts_done, 0) AS shifts_done,
                       coalesce(d.logs_on_time, 0) AS logs_on_time,
                       CASE WHEN coalesce(d.shifts_done, 0) > 0
                            THEN 100.0 * d.logs_on_time / d.shifts_done ELSE 0 END
                           AS on_time_rate,
                       coalesce(t.ticket_count, 0) AS ticket_count,
                       t.response_hours, t.resolution_hours, t.satisfaction
                  FROM duty d
                  FULL JOIN ticket t
                    ON t.user_id = d.user_id AND t.company_id = d.company_id
                   AND t.month = d.month
            )
            SELECT row_number() OVER (ORDER BY month, company_id, user_id) AS id,
                   joined.*,
                   rank() OVER (
                       PARTITION BY company_id, month
                       ORDER BY on_time_rate DESC, coalesce(satisfaction, 0) DESC,
                                ticket_count DESC, coalesce(response_hours, 1e9) ASC
                   ) AS rank
              FROM joined
            )
            """,
                SQL.identifier(self._table),
                SQL(self.env["res.company"]._training_tz_query()),
            )
        )
