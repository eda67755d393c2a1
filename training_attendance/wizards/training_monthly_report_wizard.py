import base64
import io

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.training_kpi import KPI_SELECTION
from ..models.training_monthly_report import REPORT_XMLID, month_start


class TrainingMonthlyReportWizard(models.TransientModel):
    """Print the monthly attendance report of students or enrolments for any month."""

    _name = "training.monthly.report.wizard"
    _description = "Print Monthly Attendance Report"

    month = fields.Date(
        required=True,
        default=lambda self: (
            month_start(self.env.company._training_today()) - relativedelta(months=1)
        ),
        help="Any day of the month to report.",
    )
    student_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Students",
        domain=[("is_student", "=", True)],
    )
    enrollment_ids = fields.Many2many(comodel_name="training.enrollment", string="Enrolments")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model, ids = self.env.context.get("active_model"), self.env.context.get("active_ids")
        if model == "res.partner" and ids:
            values["student_ids"] = [Command.set(ids)]
        elif model == "training.enrollment" and ids:
            enrollments = self.env["training.enrollment"].browse(ids)
            values["enrollment_ids"] = [Command.set(ids)]
            values["student_ids"] = [Command.set(enrollments.student_id.ids)]
        return values

    def action_print(self):
        self.ensure_one()
        students = self.student_ids | self.enrollment_ids.student_id
        if not students:
            raise UserError(self.env._("Choose the students or enrolments to report on."))
        data = {"month": fields.Date.to_string(month_start(self.month))}
        if self.enrollment_ids:
            data["enrollment_ids"] = self.enrollment_ids.ids
        return self.env.ref(REPORT_XMLID).report_action(students, data=data)


GROUPBY_SELECTION = [
    ("company_id", "Campus"),
    ("teacher_id", "Teacher"),
    ("counselor_id", "Counselor"),
    ("handler_id", "Handled by (incidents)"),
]


class TrainingKpiSummary(models.TransientModel):
    """The KPI table of a period: each indicator per campus, teacher or counselor against
    its target, below-target rows in red, exported to XLSX."""

    _name = "training.kpi.summary"
    _description = "KPI Table"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: (
            month_start(self.env.company._training_today()) - relativedelta(months=1)
        ),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: (
            month_start(self.env.company._training_today()) - relativedelta(days=1)
        ),
    )
    groupby = fields.Selection(
        selection=GROUPBY_SELECTION, string="Per", required=True, default="company_id"
    )
    company_ids = fields.Many2many(
        comodel_name="res.company",
        string="Campuses",
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    line_ids = fields.One2many(
        comodel_name="training.kpi.summary.line", inverse_name="summary_id", string="Indicators"
    )
    xlsx_file = fields.Binary(string="XLSX file", readonly=True, attachment=False)
    xlsx_name = fields.Char(readonly=True)

    def _domain(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts."))
        domain = [("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        if self.company_ids:
            domain.append(("company_id", "in", self.company_ids.ids))
        if self.groupby == "handler_id":  # only the tickets have a person handling them
            domain.append(("kpi", "=", "incident"))
        return domain

    def action_compute(self):
        self.ensure_one()
        rows = self.env["training.kpi"]._kpi_table(self._domain(), [self.groupby])
        self.line_ids = [Command.clear()] + [
            Command.create(
                {
                    "group_name": group.display_name if group else self.env._("None"),
                    "kpi": kpi,
                    "hit": hit,
                    "total": total,
                    "rate": rate or 0.0,
                    "target": target or 0.0,
                    "hours": hours or 0.0,
                    "target_hours": target_hours or 0.0,
                }
            )
            for group, kpi, hit, total, rate, target, hours, target_hours in rows
        ]
        return self._reopen()

    def action_export_xlsx(self):
        """Every cell is written as a value (``write_string``/``write_number``), never
        parsed as a formula, whatever the names of the campuses or people hold."""
        self.ensure_one()
        if not self.line_ids:
            self.action_compute()
        kpi_names = dict(self.env["training.kpi"]._fields["kpi"]._description_selection(self.env))
        group_label = dict(self._fields["groupby"]._description_selection(self.env))[self.groupby]
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
        sheet = workbook.add_worksheet(self.env._("KPIs"))
        bold = workbook.add_format({"bold": True})
        red = workbook.add_format({"font_color": "#C00000", "num_format": "0.0"})
        number = workbook.add_format({"num_format": "0.0"})
        headers = [
            group_label,
            self.env._("Indicator"),
            self.env._("Met"),
            self.env._("Counted"),
            self.env._("Rate (%)"),
            self.env._("Target (%)"),
            self.env._("Response (working hours)"),
            self.env._("Response target (working hours)"),
        ]
        sheet.write_string(
            0,
            0,
            self.env._("From %(start)s to %(end)s", start=self.date_from, end=self.date_to),
            bold,
        )
        for col, header in enumerate(headers):
            sheet.write_string(1, col, header, bold)
        for row, line in enumerate(self.line_ids, start=2):
            sheet.write_string(row, 0, line.group_name or "")
            sheet.write_string(row, 1, kpi_names.get(line.kpi, line.kpi))
            sheet.write_number(row, 2, line.hit)
            sheet.write_number(row, 3, line.total)
            sheet.write_number(row, 4, line.rate, red if line.below_target else number)
            sheet.write_number(row, 5, line.target, number)
            if line.kpi == "incident":
                sheet.write_number(row, 6, line.hours, number)
                sheet.write_number(row, 7, line.target_hours, number)
        sheet.set_column(0, 1, 28)
        workbook.close()
        self.write(
            {
                "xlsx_file": base64.b64encode(buffer.getvalue()),
                "xlsx_name": f"kpi_{self.date_from}_{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/{self.xlsx_name}?download=true",
            "target": "self",
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }


class TrainingKpiSummaryLine(models.TransientModel):
    _name = "training.kpi.summary.line"
    _description = "KPI Table Line"
    _order = "id"

    summary_id = fields.Many2one(
        comodel_name="training.kpi.summary", required=True, ondelete="cascade"
    )
    group_name = fields.Char(string="Group")
    kpi = fields.Selection(selection=KPI_SELECTION, string="Indicator")
    hit = fields.Integer(string="Met")
    total = fields.Integer(string="Counted")
    rate = fields.Float(string="Rate (%)", digits=(16, 1))
    target = fields.Float(string="Target (%)", digits=(16, 1))
    hours = fields.Float(string="Response (working hours)", digits=(16, 2))
    target_hours = fields.Float(string="Response target (working hours)", digits=(16, 2))
    below_target = fields.Boolean(string="Below target", compute="_compute_below_target")

    @api.depends("rate", "target")
    def _compute_below_target(self):
        for line in self:
            line.below_target = line.total and line.rate < line.target
