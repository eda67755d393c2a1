import io
import logging
import os
import subprocess
import tempfile

import lxml.html
from markupsafe import Markup

from odoo import models
from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

MONTHLY_REPORT = "training_attendance.report_monthly_attendance"
ARTICLE = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"
# wkhtmltopdf draws on one core: a batch is cut in one document per core, rendered at once
RENDER_PROCESSES = os.cpu_count() or 1
# below this many students per document, starting another wkhtmltopdf costs more than it saves
MIN_PER_PROCESS = 10
# the report has no script to wait for: no wait (Odoo's report.print_delay, 1 s per document)
SCRIPT_DELAY_MS = 0


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """The monthly reports of many students in a few wkhtmltopdf calls run at once (one
        per core), split per student. Odoo's own multi-record path gives wkhtmltopdf one
        document per record, which Debian's wkhtmltopdf (unpatched Qt) refuses; here the
        students' articles are a few documents, each student starting on a new page."""
        report = self._get_report(report_ref)
        if report.report_name != MONTHLY_REPORT or not res_ids or len(res_ids) < 2:
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        return {
            res_id: {"stream": stream, "attachment": None}
            for res_id, stream in self._training_render_pages(report, list(res_ids), data).items()
        }

    def _training_render_pages(self, report, res_ids, data):
        """``{res_id: stream}``, the reports rendered by QWeb once for all, then by
        wkhtmltopdf in ``RENDER_PROCESSES`` documents at once."""
        html = self.with_context(debug=False)._render_qweb_html(report, res_ids, data=data)[0]
        root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
        articles = {int(node.get("data-oe-id")): node for node in root.xpath(ARTICLE)}
        args = {key: value for key, value in root.items() if key.startswith("data-report-")}
        count = max(1, min(RENDER_PROCESSES, len(res_ids) // MIN_PER_PROCESS))
        size = -(-len(res_ids) // count)  # ceil
        parts = [res_ids[first : first + size] for first in range(0, len(res_ids), size)]
        return self._training_split(report, articles, parts, args)

    def _training_split(self, report, articles, parts, args):
        """``{res_id: stream}`` of ``parts`` (lists of student ids), one document each. A
        student's report fits on one page (two or three enrolments): when a document has
        one page per student it is cut page by page; otherwise (a student with more
        enrolments) its part is rendered again in halves, down to the student whose report
        takes several pages."""
        documents = [self._training_document(report, [articles[i] for i in p]) for p in parts]
        streams, halves = {}, []
        for part, pdf in zip(
            parts, self._training_wkhtmltopdf(report, documents, args), strict=True
        ):
            pages = PdfFileReader(io.BytesIO(pdf)).pages
            if len(part) == 1:
                streams[part[0]] = io.BytesIO(pdf)
            elif len(pages) == len(part):
                for res_id, page in zip(part, pages, strict=True):
                    writer = PdfFileWriter()
                    writer.addPage(page)
                    streams[res_id] = io.BytesIO()
                    writer.write(streams[res_id])
            else:
                halves += [part[: len(part) // 2], part[len(part) // 2 :]]
        if halves:
            streams.update(self._training_split(report, articles, halves, args))
        return streams

    def _training_document(self, report, articles):
        """One HTML document of ``articles`` in the report layout, one page break before
        each but the first."""
        parts = []
        for index, node in enumerate(articles):
            node.attrib.pop("style", None)
            if index:
                node.set("style", "page-break-before: always;")
            parts.append(lxml.html.tostring(node, encoding="unicode"))
        layout = self._get_layout()
        return self.env["ir.qweb"]._render(
            layout.id,
            {
                "subst": False,
                "body": Markup("".join(parts)),
                "base_url": report._get_report_url(layout=layout),
                "report_xml_id": report.xml_id,
                "debug": False,
            },
        )

    def _training_wkhtmltopdf(self, report, documents, args):
        """The PDF of each HTML document, with the command line of Odoo's
        ``_run_wkhtmltopdf``, but ``RENDER_PROCESSES`` wkhtmltopdf running at a time
        where Odoo runs one and waits for it, and no wait for scripts."""
        command = [
            _get_wkhtmltopdf_bin(),
            *report._build_wkhtmltopdf_args(
                report.get_paperformat(), False, specific_paperformat_args=args
            ),
        ]
        command[command.index("--javascript-delay") + 1] = str(SCRIPT_DELAY_MS)
        pdfs = []
        with tempfile.TemporaryDirectory(prefix="report.training.") as folder:
            for first in range(0, len(documents), RENDER_PROCESSES):
                running = []
                for index in range(first, min(first + RENDER_PROCESSES, len(documents))):
                    source = os.path.join(folder, f"{index}.html")
                    target = os.path.join(folder, f"{index}.pdf")
                    with open(source, "wb") as file:
                        file.write(documents[index].encode())
                    process = subprocess.Popen(
                        [*command, source, target],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                        encoding="utf-8",
                    )
                    running.append((process, target))
                # every process of the wave ends before any error is raised
                ended = [
                    (process.communicate()[1], process.returncode, target)
                    for process, target in running
                ]
                for err, returncode, target in ended:
                    if returncode not in (0, 1):  # 1: a resource not loaded
                        raise UserError(
                            self.env._(
                                "Wkhtmltopdf failed (error code: %(error_code)s). "
                                "Message: %(message)s",
                                error_code=returncode,
                                message=err[-1000:],
                            )
                        )
                    if err:
                        _logger.log(
                            logging.WARNING if returncode else logging.DEBUG, "wkhtmltopdf: %s", err
                        )
                    with open(target, "rb") as file:
                        pdfs.append(file.read())
        return pdfs
