import io
from datetime import datetime, time, timedelta

import pytz
import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .training_session import CLERK_GROUP


class TrainingAbsenceReport(models.TransientModel):
    """The daily absence report of a campus (SPEC §4, §8), as an XLSX file."""

    _name = "training.absence.report"
    _description = "Daily Absence Report"

    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        required=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(required=True, default=lambda self: self.env.company._training_today())

    def _lines(self):
        """Lines of the campus's sessions of that day (campus time) with an absence,
        absence equivalent, late arrival or early leave."""
        self.ensure_one()
        tz = self.company_id._training_tz()
        start = tz.localize(datetime.combine(self.date, time.min)).astimezone(pytz.utc)
        stop = start + timedelta(days=1)
        return self.env["training.attendance.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("session_start", ">=", start.replace(tzinfo=None)),
                ("session_start", "<", stop.replace(tzinfo=None)),
                ("session_state", "!=", "cancelled"),
                ("absence_kind", "!=", False),
            ],
            order="session_start, class_id, student_name",
        )

    def _xlsx(self, lines):
        """The report as XLSX bytes, built with xlsxwriter."""
        self.ensure_one()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(str(self.date))
        bold = workbook.add_format({"bold": True})
        sheet.write_string(0, 0, self.env._("Daily absence report"), bold)
        sheet.write_string(0, 2, self.company_id.name)
        sheet.write_string(0, 5, str(self.date))
        titles = [
            self.env._("Student"),
            self.env._("Student number"),
            self.env._("Course"),
            self.env._("Class"),
            self.env._("Session"),
            self.env._("Kind"),
            self.env._("Minutes"),
            self.env._("Note"),
        ]
        for col, title in enumerate(titles):
            sheet.write_string(2, col, title, bold)
        kinds = dict(lines._fields["absence_kind"]._description_selection(self.env))
        tz = self.company_id._training_tz()
        for row, line in enumerate(lines, start=3):
            start = pytz.utc.localize(line.session_start).astimezone(tz)
            texts = [
                line.student_id.name,
                line.student_id.student_code or "",
                line.course_id.name,
                line.class_id.name,
                start.strftime("%H:%M"),
                kinds.get(line.absence_kind, ""),
            ]
            # every text as a string: a note starting with "=" is never a formula
            for col, text in enumerate(texts):
                sheet.write_string(row, col, text or "")
            sheet.write_number(row, 6, line.late_minutes + line.left_early_minutes)
            sheet.write_string(row, 7, line.note or "")
        sheet.set_column(0, 3, 22)
        sheet.set_column(4, 6, 12)
        sheet.set_column(7, 7, 40)
        workbook.close()
        return output.getvalue()

    def _attachment(self):
        """The file, on the campus policy's field ``daily_absence_report``: readable by
        attendance clerks only (the field's groups), not by every user who reads the
        policy. Created as the system, since the clerk does not edit the policy."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(CLERK_GROUP)):
            raise AccessError(self.env._("The daily absence report is for attendance clerks."))
        name = self.env._(
            "Absences %(campus)s %(date)s.xlsx", campus=self.company_id.name, date=self.date
        )
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": self._xlsx(self._lines()),
                    "res_model": "training.policy",
                    "res_field": "daily_absence_report",
                    "res_id": self.env["training.policy"]._get_for_company(self.company_id).id,
                    "mimetype": (
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    ),
                }
            )
            .with_env(self.env)
        )

    def action_export_xlsx(self):
        self.ensure_one()
        attachment = self._attachment()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_attendance_line_action"
        )
        action["domain"] = [("id", "in", self._lines().ids)]
        action["context"] = {"search_default_group_class": 1}
        return action

    @api.model
    def _cron_daily_report(self):
        """Each campus's report of the day, posted on its policy for its clerks once a
        day: the policy keeps the day posted, so that the job run again posts nothing."""
        clerks = self.env.ref("training_attendance.group_attendance_clerk").users
        for policy in self.env["training.policy"].search([]):
            company = policy.company_id
            today = company._training_today()
            if policy.absence_report_date and policy.absence_report_date >= today:
                continue
            report = self.create({"company_id": company.id, "date": today})
            lines = report._lines()
            if not lines:
                continue
            recipients = clerks.filtered(lambda u, c=company: c in u.company_ids).partner_id
            policy.message_post(
                body=self.env._(
                    "Daily absence report of %(date)s: %(count)s line(s).",
                    date=report.date,
                    count=len(lines),
                ),
                attachment_ids=report._attachment().ids,
                partner_ids=recipients.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            policy.absence_report_date = today
