import io

import lxml.html
from markupsafe import Markup

from odoo import models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

MONTHLY_REPORT = "training_attendance.report_monthly_attendance"
ARTICLE = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """The monthly reports of many students in ONE wkhtmltopdf call, split per
        student. Odoo's own multi-record path gives wkhtmltopdf one document per record,
        which Debian's wkhtmltopdf (unpatched Qt) refuses; here the students' articles are
        one document, each starting on a new page."""
        report = self._get_report(report_ref)
        if report.report_name != MONTHLY_REPORT or not res_ids or len(res_ids) < 2:
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        return {
            res_id: {"stream": stream, "attachment": None}
            for res_id, stream in self._training_render_pages(report, list(res_ids), data).items()
        }

    def _training_render_pages(self, report, res_ids, data):
        """``{res_id: stream}``. A student's report fits on one page (two or three
        enrolments): when the document has one page per student it is cut page by page;
        otherwise (a student with more enrolments) the batch is rendered again in halves,
        down to the student whose report takes several pages."""
        pdf = self._training_render_one_document(report, res_ids, data)
        reader = PdfFileReader(io.BytesIO(pdf))
        if len(res_ids) == 1:
            return {res_ids[0]: io.BytesIO(pdf)}
        if len(reader.pages) == len(res_ids):
            streams = {}
            for res_id, page in zip(res_ids, reader.pages, strict=True):
                writer = PdfFileWriter()
                writer.addPage(page)
                stream = io.BytesIO()
                writer.write(stream)
                streams[res_id] = stream
            return streams
        half = len(res_ids) // 2
        return {
            **self._training_render_pages(report, res_ids[:half], data),
            **self._training_render_pages(report, res_ids[half:], data),
        }

    def _training_render_one_document(self, report, res_ids, data):
        html = self.with_context(debug=False)._render_qweb_html(report, res_ids, data=data)[0]
        root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
        parts = []
        for index, node in enumerate(root.xpath(ARTICLE)):
            if index:
                node.set("style", "page-break-before: always;")
            parts.append(lxml.html.tostring(node, encoding="unicode"))
        layout = self._get_layout()
        body = self.env["ir.qweb"]._render(
            layout.id,
            {
                "subst": False,
                "body": Markup("".join(parts)),
                "base_url": report._get_report_url(layout=layout),
                "report_xml_id": report.xml_id,
                "debug": False,
            },
        )
        args = {key: value for key, value in root.items() if key.startswith("data-report-")}
        return self._run_wkhtmltopdf(
            [body], report_ref=report.report_name, specific_paperformat_args=args
        )
