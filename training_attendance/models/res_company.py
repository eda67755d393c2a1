import pytz

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    training_policy_ids = fields.One2many(
        comodel_name="training.policy",
        inverse_name="company_id",
        string="Training policy",
        help="The campus's training policy (one per campus), read through the ORM cache.",
    )

    def _training_tz(self):
        """The campus's time zone, the one source of "the day" of a session, an absence,
        a report or a working day, whoever or whichever job runs the code: the campus
        address's time zone, else its working-time calendar's, else UTC. Never the
        current user's."""
        self.ensure_one()
        return pytz.timezone(self.partner_id.tz or self.resource_calendar_id.tz or "UTC")

    @api.model
    def _training_tz_query(self):
        """SQL of ``(company_id, tz)`` for every campus, the time zone as
        ``_training_tz`` finds it: for the reporting views' "day" and "month"."""
        return """
            SELECT c.id AS company_id,
                   COALESCE(NULLIF(p.tz, ''), NULLIF(rc.tz, ''), 'UTC') AS tz
              FROM res_company c
              JOIN res_partner p ON p.id = c.partner_id
              LEFT JOIN resource_calendar rc ON rc.id = c.resource_calendar_id
        """

    def _training_today(self):
        """Today in the campus's time zone."""
        return self._training_date(fields.Datetime.now())

    def _training_date(self, timestamp):
        """The day, in the campus's time zone, of ``timestamp`` (a naive UTC datetime)."""
        return pytz.utc.localize(timestamp).astimezone(self._training_tz()).date()

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["training.policy"]._get_for_companies(companies)
        return companies
