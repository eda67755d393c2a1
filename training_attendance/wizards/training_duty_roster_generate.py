from collections import Counter
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class TrainingDutyRosterGenerate(models.TransientModel):
    """Fills the roster of a campus for a period (seed 003 §1): every shift of every open
    day of the campus calendar, rotating the qualified staff evenly; shows the duties per
    person and the slots nobody could take."""

    _name = "training.duty.roster.generate"
    _description = "Generate the duty roster"

    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        default=lambda self: self.env.company,
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    shift_ids = fields.Many2many(
        comodel_name="training.duty.shift",
        string="Shifts",
        domain="[('company_id', '=', company_id)]",
        help="Empty: every active shift of the campus.",
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    duty_ids = fields.Many2many(comodel_name="training.duty.assignment", string="New duties")
    summary = fields.Html(readonly=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        today = self.env.company._training_today()
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        res.setdefault("date_from", first)
        res.setdefault("date_to", (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        return res

    def action_generate(self):
        self.ensure_one()
        if not self.env.user.has_group("training_attendance.group_duty_supervisor"):
            raise UserError(self.env._("Only a duty supervisor generates the roster."))
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period must end after it starts."))
        if (self.date_to - self.date_from).days > 366:
            raise UserError(self.env._("Generate at most one year of roster at a time."))
        shifts = self.shift_ids or self.env["training.duty.shift"].search(
            [("company_id", "=", self.company_id.id)]
        )
        if not shifts:
            raise UserError(self.env._("The campus has no shift to fill."))
        Duty = self.env["training.duty.assignment"]
        duties, unfilled = Duty._generate_roster(shifts, self.date_from, self.date_to)
        period = Duty.search(
            [
                ("shift_id", "in", shifts.ids),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
            ]
        )
        counts = Counter(duty.user_id for duty in period)
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>") % (user.name, number)
            for user, number in sorted(counts.items(), key=lambda item: (item[0].name, item[0].id))
        )
        summary = Markup(
            "<p>%s</p><table class='table table-sm'>"
            "<tr><th>%s</th><th class='text-end'>%s</th></tr>%s</table>"
        ) % (
            self.env._("%(count)s new duties.", count=len(duties)),
            self.env._("Person"),
            self.env._("Duties in the period"),
            rows,
        )
        if unfilled:
            items = Markup("").join(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(shift)s on %(day)s: %(missing)s %(role)s missing",
                    shift=shift.display_name,
                    day=day,
                    missing=missing,
                    role=role.name,
                )
                for shift, day, role, missing in unfilled
            )
            summary += Markup("<p class='text-warning'>%s</p><ul>%s</ul>") % (
                self.env._("Slots that no qualified free person could take:"),
                items,
            )
        self.write(
            {"state": "done", "duty_ids": [fields.Command.set(duties.ids)], "summary": summary}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Roster generated"),
        }

    def action_open_roster(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_duty_assignment_action"
        )
        action["domain"] = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        return action
