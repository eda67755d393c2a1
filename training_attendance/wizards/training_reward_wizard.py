from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools.misc import get_lang


class TrainingRewardWizard(models.TransientModel):
    """SPEC §4 reward list: the students of a campus who attended every week, with no late
    arrival and no early leave, for the policy's ``reward_weeks`` consecutive full weeks
    before the week of ``date``."""

    _name = "training.reward.wizard"
    _description = "Reward List"

    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        string="Up to the week of",
        required=True,
        default=lambda self: self.env.company._training_today(),
        help="The weeks counted are the full weeks before the week of this day.",
    )
    reward_weeks = fields.Integer(
        string="Weeks", compute="_compute_window", help="The campus policy's reward weeks."
    )
    date_from = fields.Date(string="From", compute="_compute_window")
    date_to = fields.Date(string="To", compute="_compute_window")
    student_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Students to reward",
        compute="_compute_student_ids",
    )

    @api.depends("company_id", "date")
    def _compute_window(self):
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        first_week_day = int(get_lang(self.env).week_start) - 1  # 0 = Monday
        for wizard in self:
            if not (wizard.company_id and wizard.date):
                wizard.reward_weeks = 0
                wizard.date_from = wizard.date_to = False
                continue
            weeks = policies[wizard.company_id.id].reward_weeks
            week_start = wizard.date - timedelta(days=(wizard.date.weekday() - first_week_day) % 7)
            wizard.reward_weeks = weeks
            wizard.date_from = week_start - timedelta(weeks=weeks)
            wizard.date_to = week_start - timedelta(days=1)

    @api.depends("reward_weeks", "date_from", "date_to")
    def _compute_student_ids(self):
        for wizard in self:
            wizard.student_ids = wizard._students_to_reward() if wizard.reward_weeks else False

    def _students_to_reward(self):
        """One grouped query on the validated present lines of the window, by student and
        week: kept are the students present in each week with no late or early minute."""
        self.ensure_one()
        tz = self.company_id._training_tz()

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        groups = (
            self.env["training.attendance.line"]
            .with_context(tz=tz.zone)
            ._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("session_id.state", "=", "done"),
                    ("status", "=", "present"),
                    ("session_start", ">=", utc(self.date_from)),
                    ("session_start", "<", utc(self.date_to + timedelta(days=1))),
                ],
                ["student_id", "session_start:week"],
                ["late_minutes:sum", "left_early_minutes:sum"],
            )
        )
        weeks, tardy = {}, set()
        for student, week, late, early in groups:
            weeks.setdefault(student, set()).add(week)
            if late or early:
                tardy.add(student)
        return self.env["res.partner"].union(
            *(s for s, its_weeks in weeks.items() if len(its_weeks) >= self.reward_weeks)
        ) - self.env["res.partner"].union(*tardy)

    def action_open_students(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Students to reward"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.student_ids.ids)],
        }
