from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class TrainingSessionGenerate(models.TransientModel):
    """Plan the sessions of classes from their weekly timetable."""

    _name = "training.session.generate"
    _description = "Generate Sessions from the Timetable"

    class_ids = fields.Many2many(
        comodel_name="training.class",
        string="Classes",
        required=True,
        default=lambda self: self._default_class_ids(),
    )
    date_from = fields.Date(
        string="From", required=True, default=lambda self: self.env.company._training_today()
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: self.env.company._training_today() + timedelta(days=27),
    )
    skip_public_holidays = fields.Boolean(
        string="Skip public holidays",
        default=True,
        help="Skip the days off of the campus's working-time calendar.",
    )

    @api.model
    def _default_class_ids(self):
        if self.env.context.get("active_model") == "training.class":
            return self.env.context.get("active_ids")
        return False

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise ValidationError(self.env._("The period must end after it starts."))
            if (wizard.date_to - wizard.date_from).days > 366:
                raise ValidationError(
                    self.env._("Generate at most one year of sessions at a time.")
                )

    def _holidays(self, company):
        """Days off of the campus calendar (``resource.calendar.leaves`` without resource)."""
        calendar = company.resource_calendar_id
        if not self.skip_public_holidays or not calendar:
            return set()
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("calendar_id", "in", (calendar.id, False)),
                    ("resource_id", "=", False),
                    ("company_id", "in", (company.id, False)),
                    ("date_from", "<=", datetime.combine(self.date_to, time.max)),
                    ("date_to", ">=", datetime.combine(self.date_from, time.min)),
                ]
            )
        )
        days = set()
        for leave in leaves:
            day = leave.date_from.date()
            while day <= leave.date_to.date():
                days.add(day)
                day += timedelta(days=1)
        return days

    def _prepare_session_vals(self):
        self.ensure_one()
        existing = {
            (s.class_id.id, s.start)
            for s in self.env["training.session"].search(
                [
                    ("class_id", "in", self.class_ids.ids),
                    ("start", ">=", datetime.combine(self.date_from - timedelta(days=1), time.min)),
                    ("start", "<=", datetime.combine(self.date_to + timedelta(days=1), time.max)),
                ]
            )
        }
        vals_list = []
        for klass in self.class_ids:
            tz = klass.company_id._training_tz()
            holidays = self._holidays(klass.company_id)
            day = self.date_from
            while day <= self.date_to:
                for slot in klass.timetable_ids.filtered(
                    lambda s, d=day: int(s.weekday) == d.weekday()
                ):
                    if day in holidays:
                        continue
                    start, stop = (
                        tz.localize(datetime.combine(day, time()) + timedelta(hours=h))
                        .astimezone(pytz.utc)
                        .replace(tzinfo=None)
                        for h in (slot.start_time, slot.end_time)
                    )
                    if (klass.id, start) in existing:
                        continue
                    vals_list.append({"class_id": klass.id, "start": start, "stop": stop})
                day += timedelta(days=1)
        return vals_list

    def action_generate(self):
        self.ensure_one()
        if not self.class_ids.timetable_ids:
            raise UserError(self.env._("The selected classes have no weekly timetable."))
        sessions = self.env["training.session"].create(self._prepare_session_vals())
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_session_action"
        )
        action["domain"] = [("id", "in", sessions.ids)]
        action["context"] = {}
        return action
