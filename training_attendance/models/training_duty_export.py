import base64
import io

import pytz
import xlsxwriter

from odoo import models
from odoo.exceptions import UserError


class TrainingDutyAssignment(models.Model):
    """The roster printed (QWeb PDF) and exported (XLSX), in the campus's time."""

    _inherit = "training.duty.assignment"  # pylint: disable=consider-merging-classes-inherited

    def _roster_rows(self):
        """``[(campus, [row, ...])]``: per campus, its duties by start, with the times in
        the campus's time zone."""
        result = []
        for company in self.company_id.sorted("name"):
            tz = company._training_tz()
            rows = []
            for duty in self.filtered(lambda d, c=company: d.company_id == c).sorted(
                lambda d: (d.start, d.shift_id.id, d.role_id.sequence, d.id)
            ):
                rows.append(
                    {
                        "duty": duty,
                        "date": duty.date,
                        "from": pytz.utc.localize(duty.start).astimezone(tz).strftime("%H:%M"),
                        "to": pytz.utc.localize(duty.stop).astimezone(tz).strftime("%H:%M"),
                        "shift": duty.shift_id.name,
                        "role": duty.role_id.name,
                        "user": duty.user_id.name,
                        "state": dict(self._fields["state"]._description_selection(self.env))[
                            duty.state
                        ],
                    }
                )
            result.append((company, rows))
        return result

    def _roster_xlsx(self):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        _ = self.env._
        headers = [
            _("Campus"),
            _("Date"),
            _("From"),
            _("To"),
            _("Shift"),
            _("Role"),
            _("On duty"),
            _("Log"),
            _("Work done"),
            _("Problems found"),
            _("Results"),
        ]
        sheet = workbook.add_worksheet(_("Duty roster"))
        sheet.write_row(0, 0, headers, bold)
        row = 1
        for company, rows in self._roster_rows():
            for line in rows:
                duty = line["duty"]
                sheet.write(row, 0, company.name)
                sheet.write_datetime(row, 1, line["date"], day)
                sheet.write_row(
                    row,
                    2,
                    [
                        line["from"],
                        line["to"],
                        line["shift"],
                        line["role"],
                        line["user"],
                        line["state"],
                        duty.log_work_done or "",
                        duty.log_problems or "",
                        duty.log_results or "",
                    ],
                )
                row += 1
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 7, 14)
        sheet.set_column(8, 10, 40)
        workbook.close()
        return output.getvalue()

    def action_export_roster_xlsx(self):
        """The selected duties as an XLSX file, downloaded by the caller."""
        if not self:
            raise UserError(self.env._("Select the duties to export."))
        self.check_access("read")
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Duty roster.xlsx"),
                "datas": base64.b64encode(self._roster_xlsx()),
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
