from collections import defaultdict
from datetime import date, datetime, time

import babel
import babel.dates
import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

REPORT_XMLID = "training_attendance.action_report_monthly_attendance"
# students per batch of the monthly job: one wkhtmltopdf call and a few queries each
MONTHLY_BATCH_SIZE = 100


def month_start(day):
    return (day or date.today()).replace(day=1)


class TrainingMonthlyComment(models.Model):
    """The teacher's comment and performance score of an enrolment for one month, shown
    in the monthly report to the guardians."""

    _name = "training.monthly.comment"
    _description = "Monthly Teacher Comment"
    _order = "month desc, enrollment_id"
    _check_company_auto = True

    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    month = fields.Date(
        required=True,
        default=lambda self: month_start(self.env.company._training_today()),
        help="Any day of the month: kept as its first day.",
    )
    student_id = fields.Many2one(related="enrollment_id.student_id", store=True, index=True)
    class_id = fields.Many2one(related="enrollment_id.class_id", store=True, index=True)
    teacher_id = fields.Many2one(related="enrollment_id.class_id.teacher_id", store=True)
    company_id = fields.Many2one(related="enrollment_id.company_id", store=True, index=True)
    comment = fields.Text(string="Teacher's comment")
    score = fields.Integer(string="Performance score", help="From 0 to 100.")

    _sql_constraints = [
        (
            "enrollment_month_uniq",
            "unique(enrollment_id, month)",
            "An enrolment has one teacher's comment per month.",
        ),
    ]

    def _compute_display_name(self):
        for comment in self:
            comment.display_name = self.env._(
                "%(enrollment)s, %(month)s",
                enrollment=comment.enrollment_id.display_name,
                month=comment.month and comment.month.strftime("%Y-%m"),
            )

    @api.constrains("score")
    def _check_score(self):
        if any(not 0 <= comment.score <= 100 for comment in self):
            raise ValidationError(self.env._("The performance score goes from 0 to 100."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = month_start(fields.Date.to_date(vals["month"]))
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals = {**vals, "month": month_start(fields.Date.to_date(vals["month"]))}
        return super().write(vals)


class TrainingMonthlyReport(models.Model):
    """One student's monthly attendance report for one campus and month, as sent to the
    guardians by the monthly job: the unique (student, campus, month) record is what makes
    the job send a report once, and resume where it stopped."""

    _name = "training.monthly.report"
    _description = "Monthly Attendance Report"
    _order = "month desc, id desc"
    _rec_name = "student_id"

    student_id = fields.Many2one(
        comodel_name="res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        comodel_name="res.company", string="Campus", required=True, index=True, readonly=True
    )
    month = fields.Date(required=True, readonly=True)
    sent_at = fields.Datetime(string="Sent on", readonly=True)
    guardian_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="training_monthly_report_guardian_rel",
        string="Sent to",
        readonly=True,
    )
    attachment_id = fields.Many2one(
        comodel_name="ir.attachment", string="Report", readonly=True, ondelete="set null"
    )
    lang = fields.Char(string="Language", readonly=True)

    _sql_constraints = [
        (
            "student_month_uniq",
            "unique(student_id, company_id, month)",
            "A student's monthly report is sent once per campus and month.",
        ),
    ]

    # ------------------------------------------------------------------ periods
    @api.model
    def _month_window(self, company, month):
        """``(start, stop)`` naive UTC datetimes of ``month`` in the campus's time zone."""
        tz = company._training_tz()
        start = tz.localize(datetime.combine(month, time.min))
        stop = tz.localize(datetime.combine(month + relativedelta(months=1), time.min))
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            stop.astimezone(pytz.utc).replace(tzinfo=None),
        )

    @api.model
    def _month_label(self, month, lang):
        """ "November 2026", "2026年11月": the month as the guardian's language writes it."""
        locale = babel.Locale.parse(lang or "en_US")
        return babel.dates.format_skeleton("yMMMM", month, locale=locale)

    # ------------------------------------------------------------------ recipients
    @api.model
    def _family(self, students):
        """``(guardians, langs)``: per student id, the guardians who receive notifications
        (primary contact first) and the language of the report (the first of them, else the
        student's, else the campus's)."""
        links = (
            self.env["training.guardian.link"]
            .sudo()
            .search_fetch(
                [("student_id", "in", students.ids), ("receives_notifications", "=", True)],
                ["student_id", "guardian_id", "is_primary"],
                order="is_primary desc, id",
            )
        )
        # one read for all: the per-student recordsets below do not prefetch together
        links.guardian_id.fetch(["email", "lang"])
        guardians = defaultdict(lambda: self.env["res.partner"])
        for link in links:
            guardians[link.student_id.id] |= link.guardian_id
        default_lang = self.env.company.partner_id.lang or "en_US"
        langs = {
            student.id: (guardians[student.id][:1].lang or student.lang or default_lang)
            for student in students
        }
        return guardians, langs

    # ------------------------------------------------------------------ content
    @api.model
    def _report_values(self, students, month, company=None, enrollments=None):
        """The figures of the report of each student for ``month``, in a fixed number of
        queries whatever the number of students: ``{student_id: [enrolment dict]}``.

        The enrolments shown are those of the student (of ``company`` when given, or only
        ``enrollments`` when given) that had a lesson in the month or are active. Counted
        in the campus's time zone, validated sessions only."""
        Enrollment = self.env["training.enrollment"]
        domain = [("student_id", "in", students.ids), ("state", "not in", ("draft", "review"))]
        if company:
            domain.append(("company_id", "=", company.id))
        if enrollments is not None:
            domain.append(("id", "in", enrollments.ids))
        enrollments = Enrollment.search(domain, order="student_id, id")
        if not enrollments:
            return {}
        enrollments = enrollments.sudo()
        windows = {c: self._month_window(c, month) for c in enrollments.company_id}
        first = min(start for start, _stop in windows.values())
        last = max(stop for _start, stop in windows.values())
        Line = self.env["training.attendance.line"].sudo()
        lines = Line.search_fetch(
            [
                ("enrollment_id", "in", enrollments.ids),
                ("session_id.state", "=", "done"),
                ("session_start", ">=", first),
            ],
            [
                "enrollment_id",
                "company_id",
                "session_start",
                "status",
                "late_minutes",
                "left_early_minutes",
                "absence_equivalent",
                "hours_consumed",
                "makeup_id",
            ],
        )
        stats = defaultdict(lambda: defaultdict(float))
        for line in lines:
            start, stop = windows[line.company_id]
            counts = stats[line.enrollment_id.id]
            if line.session_start >= stop:
                counts["consumed_after"] += line.hours_consumed
                continue
            if line.session_start < start:
                continue
            counts["consumed"] += line.hours_consumed
            if line.makeup_id:
                continue
            counts["held"] += 1
            counts[line.status] += 1
            counts["equivalents"] += line.absence_equivalent
            if line.late_minutes:
                counts["late"] += 1
                counts["late_minutes"] += line.late_minutes
            if line.left_early_minutes:
                counts["early"] += 1
                counts["early_minutes"] += line.left_early_minutes
        makeups = (
            self.env["training.makeup"]
            .sudo()
            .search_fetch(
                [
                    ("enrollment_id", "in", enrollments.ids),
                    "|",
                    "&",
                    ("date_planned", ">=", first),
                    ("date_planned", "<", last),
                    "&",
                    ("date_done", ">=", first),
                    ("date_done", "<", last),
                ],
                ["enrollment_id", "company_id", "state", "date_planned", "date_done"],
            )
        )
        for makeup in makeups:
            start, stop = windows[makeup.company_id]
            counts = stats[makeup.enrollment_id.id]
            if makeup.date_planned and start <= makeup.date_planned < stop:
                counts["makeups_planned"] += makeup.state != "cancelled"
            if makeup.state == "done" and makeup.date_done and start <= makeup.date_done < stop:
                counts["makeups_done"] += 1
        comments = {
            comment.enrollment_id.id: comment
            for comment in self.env["training.monthly.comment"]
            .sudo()
            .search_fetch(
                [("enrollment_id", "in", enrollments.ids), ("month", "=", month)],
                ["enrollment_id", "comment", "score"],
            )
        }
        result = defaultdict(list)
        for enrollment in enrollments:
            counts = stats[enrollment.id]
            if not counts["held"] and enrollment.state not in ("active", "suspended"):
                continue
            comment = comments.get(enrollment.id)
            counselor = enrollment.counselor_id
            consumed_to_date = enrollment.hours_consumed - counts["consumed_after"]
            result[enrollment.student_id.id].append(
                {
                    "enrollment": enrollment,
                    "course": enrollment.course_id.name,
                    "class": enrollment.class_id.name,
                    "teacher": enrollment.class_id.teacher_id.name or "",
                    "held": int(counts["held"]),
                    "attended": int(counts["present"]),
                    "excused": int(counts["excused"]),
                    "unexcused": int(counts["absent"]),
                    "equivalents": int(counts["equivalents"]),
                    "late": int(counts["late"]),
                    "late_minutes": int(counts["late_minutes"]),
                    "early": int(counts["early"]),
                    "early_minutes": int(counts["early_minutes"]),
                    "makeups_planned": int(counts["makeups_planned"]),
                    "makeups_done": int(counts["makeups_done"]),
                    "hours_purchased": enrollment.hours_purchased,
                    "hours_consumed": counts["consumed"],
                    "hours_remaining": enrollment.hours_purchased - consumed_to_date,
                    "comment": comment.comment if comment and comment.comment else False,
                    "score": comment.score if comment else False,
                    "counselor": counselor.name or "",
                    "counselor_phone": counselor.partner_id.mobile
                    or counselor.partner_id.phone
                    or "",
                    "counselor_email": counselor.partner_id.email or "",
                }
            )
        return result

    # ------------------------------------------------------------------ rendering
    @api.model
    def _render_pdfs(self, students, month, company):
        """``{student_id: (content, file name)}``: the reports of ``students`` rendered
        in one wkhtmltopdf call, split per student by Odoo (one article per student)."""
        Report = self.env["ir.actions.report"]
        data = {"month": fields.Date.to_string(month), "company_id": company.id}
        streams, kind = Report._pre_render_qweb_pdf(REPORT_XMLID, res_ids=students.ids, data=data)
        name = self.env._("Attendance report %(month)s", month=month.strftime("%Y-%m"))
        if kind == "pdf":
            return {sid: (s["stream"].getvalue(), f"{name}.pdf") for sid, s in streams.items()}
        # test runs without a server for wkhtmltopdf render HTML (ir.actions.report):
        # one document per student
        return {
            student.id: (Report._render_qweb_html(REPORT_XMLID, student.ids, data=data)[0], name)
            for student in students
        }

    # ------------------------------------------------------------------ the job
    @api.model
    def _due_months(self):
        """``{company: month}``: the month to report for each campus whose policy sends
        monthly reports: the previous month in the campus's time zone."""
        policies = self.env["training.policy"].sudo().search([("monthly_report_email", "=", True)])
        return {
            policy.company_id: month_start(policy.company_id._training_today())
            - relativedelta(months=1)
            for policy in policies
        }

    @api.model
    def _pending_sql(self, months, select, limit=None):
        companies, starts, stops, days = [], [], [], []
        for company, month in months.items():
            start, stop = self._month_window(company, month)
            companies.append(company.id)
            starts.append(start)
            stops.append(stop)
            days.append(month)
        return SQL(
            """
            SELECT %s
              FROM (SELECT DISTINCT l.company_id, l.student_id, w.month
                      FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[], %s::date[])
                           AS w(company_id, start, stop, month)
                      JOIN training_attendance_line l
                        ON l.company_id = w.company_id
                       AND l.session_start >= w.start AND l.session_start < w.stop
                      JOIN training_session s ON s.id = l.session_id AND s.state = 'done'
                     WHERE l.enrollment_id IS NOT NULL
                       AND NOT EXISTS (
                           SELECT 1 FROM training_monthly_report r
                            WHERE r.student_id = l.student_id
                              AND r.company_id = l.company_id
                              AND r.month = w.month)
                   ) pending
            %s
            """,
            select,
            companies,
            starts,
            stops,
            days,
            SQL("ORDER BY company_id, student_id LIMIT %s", limit) if limit else SQL(),
        )

    @api.model
    def _cron_send_monthly_reports(self, batch_size=MONTHLY_BATCH_SIZE):
        """The monthly report of the past month to the guardians of every student who had
        a validated lesson in it, campus by campus (each in its own time zone), a batch per
        call: the report records of a batch are created with its e-mails in the same
        transaction, so that an interrupted run resumes where it stopped and nobody gets a
        report twice. Returns the number of reports sent."""
        months = self._due_months()
        if not months:
            return 0
        self.env.flush_all()
        self.env.cr.execute(
            self._pending_sql(months, SQL("company_id, student_id, month"), batch_size)
        )
        rows = self.env.cr.fetchall()
        by_company = defaultdict(list)
        for company_id, student_id, month in rows:
            by_company[(company_id, month)].append(student_id)
        for (company_id, month), student_ids in by_company.items():
            self._send_reports(
                self.env["res.company"].browse(company_id),
                month,
                self.env["res.partner"].browse(student_ids),
            )
        self.env.cr.execute(self._pending_sql(months, SQL("COUNT(*)")))
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=remaining)
        return len(rows)

    @api.model
    def _send_reports(self, company, month, students):
        """Render, attach, log and e-mail the reports of ``students`` for ``month`` at
        ``company``; the same few queries for the whole batch."""
        students = students.with_context(lang=None).sudo()
        guardians, langs = self._family(students)
        contents = self._render_pdfs(students, month, company)
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": contents[student.id][1],
                        "raw": contents[student.id][0],
                        "res_model": "res.partner",
                        "res_id": student.id,
                        "mimetype": "application/pdf"
                        if contents[student.id][1].endswith(".pdf")
                        else "text/html",
                    }
                    for student in students
                ]
            )
        )
        now = fields.Datetime.now()
        reports = self.sudo().create(
            [
                {
                    "student_id": student.id,
                    "company_id": company.id,
                    "month": month,
                    "sent_at": now,
                    "guardian_ids": [Command.set(guardians[student.id].filtered("email").ids)],
                    "lang": langs[student.id],
                    "attachment_id": attachment.id,
                }
                for student, attachment in zip(students, attachments, strict=True)
            ]
        )
        reports._post_and_mail()
        return reports

    def _post_and_mail(self):
        """One message per report in the student's chatter, with the PDF, e-mailed to the
        guardians who receive notifications (mail.mail, sent by Odoo's mail queue)."""
        template = self.env.ref("training_attendance.mail_template_monthly_report")
        ids = self.ids
        subjects = template._render_field("subject", ids, compute_lang=True)
        bodies = template._render_field("body_html", ids, compute_lang=True)
        senders = template._render_field("email_from", ids)
        reply_tos = self.student_id._notify_get_reply_to(default=senders[ids[0]])
        author = self.env.user.partner_id
        note = self.env.ref("mail.mt_note").id
        messages = (
            self.env["mail.message"]
            .sudo()
            .create(
                [
                    {
                        "model": "res.partner",
                        "res_id": report.student_id.id,
                        "record_name": report.student_id.name,
                        "message_type": "email_outgoing" if report.guardian_ids else "notification",
                        "subtype_id": note,
                        "author_id": author.id,
                        "email_from": senders[report.id],
                        "reply_to": reply_tos[report.student_id.id],
                        "subject": subjects[report.id],
                        "body": bodies[report.id],
                        "partner_ids": [Command.set(report.guardian_ids.ids)],
                        "attachment_ids": [Command.set(report.attachment_id.ids)],
                    }
                    for report in self
                ]
            )
        )
        mails = [
            {
                "mail_message_id": message.id,
                "body_html": bodies[report.id],
                "recipient_ids": [Command.set(report.guardian_ids.ids)],
                "attachment_ids": [Command.set(report.attachment_id.ids)],
                "is_notification": True,
                "auto_delete": True,
            }
            for report, message in zip(self, messages, strict=True)
            if report.guardian_ids
        ]
        if mails:
            self.env["mail.mail"].sudo().create(mails)
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()


class ReportMonthlyAttendance(models.AbstractModel):
    """Values of the QWeb report ``report_monthly_attendance`` (docs: students), for the
    month and campus (optional) and enrolments (optional) given in ``data``."""

    _name = "report.training_attendance.report_monthly_attendance"
    _description = "Monthly Attendance Report (values)"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        students = self.env["res.partner"].browse(docids)
        students.check_access("read")
        Monthly = self.env["training.monthly.report"]
        company = self.env["res.company"].browse(data.get("company_id") or [])
        month = data.get("month") and fields.Date.to_date(data["month"])
        if not month:
            today = (company or self.env.company)._training_today()
            month = month_start(today) - relativedelta(months=1)
        month = month_start(month)
        enrollments = None
        if data.get("enrollment_ids"):
            enrollments = self.env["training.enrollment"].browse(data["enrollment_ids"])
        values = Monthly._report_values(
            students, month, company=company or None, enrollments=enrollments
        )
        _guardians, langs = Monthly._family(students)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": students,
            "month": month,
            "month_labels": {sid: Monthly._month_label(month, lang) for sid, lang in langs.items()},
            "langs": langs,
            "enrollments": values,
            "campus": {
                student.id: company
                or (values.get(student.id) and values[student.id][0]["enrollment"].company_id)
                or self.env.company
                for student in students
            },
        }
