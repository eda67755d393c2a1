from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html

CHURN_RISK = "training_attendance.mail_activity_churn_risk"
RISK_BATCH_SIZE = 1000
RISK_CURSOR = "training_attendance.churn_risk_cursor"
OPEN_CASE_STAGES = ("signal", "team", "management", "director_review")


class ResPartner(models.Model):
    """Churn risk of a student (SPEC §5): raised by a daily job on the last month's
    attendance rate and on declining exam scores, cleared when neither holds."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    churn_risk = fields.Boolean(string="Churn risk", readonly=True, copy=False, index=True)
    churn_risk_date = fields.Date(string="At risk since", readonly=True, copy=False)
    churn_risk_reason = fields.Text(string="Churn risk reason", readonly=True, copy=False)
    score_ids = fields.One2many(
        comodel_name="training.score", inverse_name="student_id", string="Exam scores"
    )
    score_count = fields.Integer(string="Score count", compute="_compute_score_count")
    retention_case_ids = fields.One2many(
        comodel_name="training.retention.case",
        inverse_name="student_id",
        string="Retention cases",
        groups="training_attendance.group_counselor",
    )
    retention_case_count = fields.Integer(
        string="Retention case count",
        compute="_compute_retention_case_count",
        groups="training_attendance.group_counselor",
    )

    def _compute_score_count(self):
        counts = dict(
            self.env["training.score"]._read_group(
                [("student_id", "in", self.ids)], ["student_id"], ["__count"]
            )
        )
        for partner in self:
            partner.score_count = counts.get(partner, 0)

    def _compute_retention_case_count(self):
        counts = dict(
            self.env["training.retention.case"]._read_group(
                [("student_id", "in", self.ids)], ["student_id"], ["__count"]
            )
        )
        for partner in self:
            partner.retention_case_count = counts.get(partner, 0)

    # ------------------------------------------------------------------ actions
    def action_view_scores(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_score_action"
        )
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {"default_student_id": self.id}
        return action

    def action_view_retention_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_retention_case_action"
        )
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_retention_case(self):
        """The student's open retention case, or a new one on the churn risk, on the
        latest active enrolment."""
        self.ensure_one()
        case = self.retention_case_ids.filtered(lambda c: c.stage in OPEN_CASE_STAGES)[:1]
        if not case:
            enrollment = self.enrollment_ids.filtered(
                lambda e: e.state in ("active", "suspended")
            ).sorted(lambda e: (e.date_contract, e.id))[-1:]
            if not enrollment:
                raise UserError(
                    self.env._(
                        "%(name)s has no active enrolment: there is nothing to retain.",
                        name=self.name,
                    )
                )
            case = self.env["training.retention.case"].create(
                {
                    "enrollment_id": enrollment.id,
                    "origin": "risk",
                    "description": self.churn_risk_reason,
                }
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.retention.case",
            "view_mode": "form",
            "res_id": case.id,
        }

    # ------------------------------------------------------------------ churn risk
    @api.model
    def _churn_risk_scope(self):
        """Students the job looks at: those studying, and those flagged (to clear them)."""
        return [
            ("is_student", "=", True),
            "|",
            "&",
            ("active", "=", True),
            ("student_state", "in", ("active", "suspended")),
            ("churn_risk", "=", True),
        ]

    def _attendance_rates(self, since, until):
        """``{student id: (attended, counted)}`` over the validated lessons from ``since``
        to ``until`` (dates, included), in one grouped query. Present (late included)
        is attended, an unexcused absence is not; excused absences do not count."""
        groups = (
            self.env["training.attendance.line"]
            .sudo()
            ._read_group(
                [
                    ("student_id", "in", self.ids),
                    ("session_id.state", "=", "done"),
                    ("session_start", ">=", datetime.combine(since, time.min)),
                    ("session_start", "<", datetime.combine(until + timedelta(days=1), time.min)),
                    ("status", "in", ("present", "absent")),
                ],
                ["student_id", "status"],
                ["__count"],
            )
        )
        rates = defaultdict(lambda: [0, 0])
        for student, status, count in groups:
            rates[student.id][1] += count
            if status == "present":
                rates[student.id][0] += count
        return rates

    def _declining_scores(self):
        """``{student id: [(subject, [percentages])]}``: subjects whose last three recorded
        scores decline in a row (by percentage, in date order), in one query."""
        self.env["training.score"].flush_model(["student_id", "subject", "date", "percentage"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT student_id, subject, percentage
                  FROM (SELECT student_id, subject, percentage, id,
                               lower(trim(subject)) AS subject_key,
                               row_number() OVER (
                                   PARTITION BY student_id, lower(trim(subject))
                                   ORDER BY date DESC, id DESC
                               ) AS rank
                          FROM training_score
                         WHERE state = 'recorded' AND student_id = ANY(%s)) AS recent
                 WHERE rank <= 3
              ORDER BY student_id, subject_key, rank DESC
                """,
                self.ids,
            )
        )
        series = defaultdict(list)
        for student_id, subject, percentage in rows:
            key = (student_id, subject.strip().lower())
            series[key].append((subject, round(percentage, 2)))
        declining = defaultdict(list)
        for (student_id, _key), scores in series.items():
            percentages = [percentage for _subject, percentage in scores]
            if len(percentages) == 3 and percentages[0] > percentages[1] > percentages[2]:
                declining[student_id].append((scores[-1][0], percentages))
        return declining

    def _churn_risk_reasons(self):
        """``{student id: reason text}`` of the students of ``self`` at risk."""
        campuses = self.company_id | self.env.company
        today = {company: company._training_today() for company in campuses}
        policies = self.env["training.policy"]._get_for_companies(campuses)
        rates = {}  # over the last month up to the day of each student's campus
        for day in set(today.values()):
            students = self.filtered(lambda s, d=day: today[s.company_id or self.env.company] == d)
            rates.update(students._attendance_rates(day - relativedelta(months=1), day))
        declining = self._declining_scores()
        reasons = {}
        for student in self:
            policy = policies[(student.company_id or self.env.company).id]
            lines = []
            attended, counted = rates.get(student.id, (0, 0))
            if counted and 100.0 * attended / counted < policy.risk_attendance_rate:
                lines.append(
                    self.env._(
                        "Attendance over the last month: %(rate)s %% (%(attended)s of "
                        "%(counted)s lessons), below %(minimum)s %%.",
                        rate=round(100.0 * attended / counted),
                        attended=attended,
                        counted=counted,
                        minimum=round(policy.risk_attendance_rate),
                    )
                )
            for subject, percentages in declining.get(student.id, []):
                lines.append(
                    self.env._(
                        "Scores declining in %(subject)s: %(scores)s.",
                        subject=subject,
                        scores=" > ".join(f"{round(p)} %" for p in percentages),
                    )
                )
            if lines:
                reasons[student.id] = "\n".join(lines)
        return reasons

    def _check_churn_risk(self):
        """Raise, update or clear the churn risk of the students of ``self`` in a constant
        number of queries: a raised flag brings the counselor an activity, once; a cleared
        flag takes its open activity away."""
        students = self.sudo().with_context(tracking_disable=True)
        reasons = students._churn_risk_reasons()
        campuses = students.company_id | self.env.company
        today = {company: company._training_today() for company in campuses}
        raised = cleared = students.browse()
        for student in students:
            reason = reasons.get(student.id)
            if reason and not student.churn_risk:
                raised |= student
                day = today[student.company_id or self.env.company]
                student.write(
                    {"churn_risk": True, "churn_risk_date": day, "churn_risk_reason": reason}
                )
            elif reason and student.churn_risk_reason != reason:
                student.write({"churn_risk_reason": reason})
            elif not reason and student.churn_risk:
                cleared |= student
        cleared.write({"churn_risk": False, "churn_risk_date": False, "churn_risk_reason": False})
        raised._schedule_churn_risk_activity()
        cleared._unlink_churn_risk_activity()
        return raised, cleared

    def _schedule_churn_risk_activity(self):
        if not self:
            return
        activity_type = self.env.ref(CHURN_RISK)
        model_id = self.env["ir.model"]._get_id("res.partner")
        # in the counselor's language, one env per language
        readers = self.env["res.users"]._training_reader_envs(self)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": student.id,
                "activity_type_id": activity_type.id,
                "user_id": student.counselor_id.id,
                "summary": readers(student.counselor_id)._(
                    "Churn risk: %(student)s", student=student.name
                ),
                "note": plaintext2html(student.churn_risk_reason or ""),
                "date_deadline": (student.company_id or self.env.company)._training_today(),
            }
            for student in self
            if student.counselor_id
        ]
        if vals_list:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                vals_list
            )

    def _unlink_churn_risk_activity(self):
        if not self:
            return
        self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", self.env.ref(CHURN_RISK).id),
            ]
        ).unlink()

    @api.model
    def _cron_check_churn_risk(self, batch_size=RISK_BATCH_SIZE):
        """Daily job, one batch of students per call, resumed where it stopped (the last
        student done today is kept in a system parameter); nobody is notified twice."""
        today = fields.Date.to_string(fields.Date.today())  # the run's day, whoever runs it
        params = self.env["ir.config_parameter"].sudo()
        day, _sep, last_id = (params.get_param(RISK_CURSOR) or "").partition(":")
        last_id = int(last_id) if day == today and last_id.isdigit() else 0
        Partner = self.sudo().with_context(active_test=False)
        students = Partner.search(
            self._churn_risk_scope() + [("id", ">", last_id)], order="id", limit=batch_size
        )
        students._check_churn_risk()
        if students:
            last_id = students[-1].id
        params.set_param(RISK_CURSOR, f"{today}:{last_id}")
        remaining = (
            Partner.search_count(self._churn_risk_scope() + [("id", ">", last_id)])
            if students
            else 0
        )
        self.env["ir.cron"]._notify_progress(done=len(students), remaining=remaining)
        return len(students)
