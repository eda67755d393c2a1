from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

SCORE_ENTRY = "training_attendance.mail_activity_score_entry"


class TrainingScore(models.Model):
    """One exam of a student: planned ahead (a known exam, its score to enter within the
    policy's delay) or recorded with its score and the counselor's analysis (SPEC §5)."""

    _name = "training.score"
    _description = "Exam Score"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.value.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    student_id = fields.Many2one(
        comodel_name="res.partner",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain=[("is_student", "=", True)],
    )
    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        domain="[('student_id', '=', student_id)]",
    )
    course_id = fields.Many2one(
        comodel_name="training.course",
        compute="_compute_course_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    subject = fields.Char(
        compute="_compute_subject",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="Scores are compared within a subject: three scores declining in a row "
        "raise a churn risk.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Campus",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    counselor_id = fields.Many2one(
        comodel_name="res.users",
        compute="_compute_counselor_id",
        store=True,
        index=True,
    )
    kind = fields.Selection(
        string="Exam",
        selection=[
            ("unit", "Unit test"),
            ("monthly", "Monthly exam"),
            ("midterm", "Midterm exam"),
            ("final", "Final exam"),
            ("placement", "Placement test"),
        ],
        required=True,
        default="unit",
    )
    date = fields.Date(
        required=True, default=lambda self: self.env.company._training_today(), tracking=True
    )
    score = fields.Float(tracking=True, aggregator="avg")
    maximum = fields.Float(default=100.0, required=True, aggregator="avg")
    percentage = fields.Float(
        string="Score (%)",
        compute="_compute_percentage",
        store=True,
        aggregator="avg",
    )
    analysis = fields.Text(help="The counselor's reading of the result and what follows.")
    state = fields.Selection(
        string="Status",
        selection=[("planned", "Planned"), ("recorded", "Recorded")],
        default="recorded",
        required=True,
        tracking=True,
        index=True,
        help="A planned exam is known ahead: its score is to be entered within the "
        "campus policy's delay after the exam date.",
    )

    @api.depends("enrollment_id")
    def _compute_course_id(self):
        for score in self:
            score.course_id = score.enrollment_id.course_id or score.course_id

    @api.depends("course_id")
    def _compute_subject(self):
        for score in self:
            score.subject = score.course_id.name or score.subject

    @api.depends("enrollment_id", "student_id")
    def _compute_company_id(self):
        for score in self:
            score.company_id = (
                score.enrollment_id.company_id
                or score.company_id
                or score.student_id.company_id
                or self.env.company
            )

    @api.depends("enrollment_id.counselor_id", "student_id.counselor_id")
    def _compute_counselor_id(self):
        for score in self:
            score.counselor_id = score.enrollment_id.counselor_id or score.student_id.counselor_id

    @api.depends("score", "maximum", "state")
    def _compute_percentage(self):
        for score in self:
            recorded = score.state == "recorded" and score.maximum > 0
            score.percentage = 100.0 * score.score / score.maximum if recorded else 0.0

    @api.depends("subject", "kind", "student_id", "date")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for score in self:
            score.display_name = " - ".join(
                filter(
                    None,
                    [
                        score.student_id.name,
                        score.subject,
                        kinds.get(score.kind),
                        score.date and fields.Date.to_string(score.date),
                    ],
                )
            )

    @api.constrains("score", "maximum", "state")
    def _check_score(self):
        for score in self:
            if score.maximum <= 0:
                raise ValidationError(
                    self.env._("The maximum of %(exam)s must be positive.", exam=score.display_name)
                )
            if score.state == "recorded" and not 0 <= score.score <= score.maximum:
                raise ValidationError(
                    self.env._(
                        "The score of %(exam)s must be between 0 and its maximum "
                        "%(maximum)s; %(score)s was entered.",
                        exam=score.display_name,
                        maximum=score.maximum,
                        score=score.score,
                    )
                )

    @api.constrains("student_id", "enrollment_id")
    def _check_student(self):
        for score in self:
            if not score.student_id.is_student:
                raise ValidationError(
                    self.env._("%(name)s is not a student.", name=score.student_id.name)
                )
            if score.enrollment_id and score.enrollment_id.student_id != score.student_id:
                raise ValidationError(
                    self.env._("The enrolment of a score must be the student's own.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        scores = super().create(vals_list)
        scores.filtered(lambda s: s.state == "planned")._schedule_entry_activity()
        return scores

    def write(self, vals):
        if "score" in vals and "state" not in vals:
            # entering the score of a planned exam records it
            vals = dict(vals, state="recorded")
        res = super().write(vals)
        if vals.get("state") == "planned" or {"date", "student_id", "enrollment_id"} & set(vals):
            self._schedule_entry_activity()
        if vals.get("state") == "recorded" or "analysis" in vals:
            self._close_entry_activity()
        return res

    def action_record(self):
        """Record the score entered for a planned exam (a score of 0 included)."""
        planned = self.filtered(lambda s: s.state == "planned")
        if not planned:
            raise UserError(self.env._("These scores are already recorded."))
        planned.write({"state": "recorded"})
        return True

    def action_plan(self):
        """Back to planned: the score is to enter again (a mistake, a postponed exam)."""
        self.write({"state": "planned", "score": 0.0})
        return True

    # ------------------------------------------------------------------ activities
    def _schedule_entry_activity(self):
        """A planned exam: an activity for the counselor to enter the score and its
        analysis, due the policy's delay after the exam date; moved when the date moves."""
        planned = self.sudo().filtered(lambda s: s.state == "planned")
        if not planned:
            return
        policies = self.env["training.policy"]._get_for_companies(planned.company_id)
        activity_type = self.env.ref(SCORE_ENTRY)
        for score in planned.with_context(mail_activity_quick_update=True):
            deadline = score.date + timedelta(days=policies[score.company_id.id].score_entry_days)
            current = score.activity_ids.filtered(
                lambda a, t=activity_type: a.activity_type_id == t
            )
            if current:
                current.write(
                    {
                        "date_deadline": deadline,
                        "user_id": score.counselor_id.id or current.user_id.id,
                    }
                )
            elif score.counselor_id:
                score.activity_schedule(
                    SCORE_ENTRY,
                    date_deadline=deadline,
                    user_id=score.counselor_id.id,
                    summary=self.env._("Enter the score of %(exam)s", exam=score.display_name),
                    note=self.env._(
                        "Enter the score and its analysis within %(days)s days after the exam.",
                        days=policies[score.company_id.id].score_entry_days,
                    ),
                )

    def _close_entry_activity(self):
        """SPEC §5: entered "within one week with analysis": the reminder closes once the
        score is recorded and has its analysis."""
        recorded = self.sudo().filtered(
            lambda s: s.activity_ids and s.state == "recorded" and (s.analysis or "").strip()
        )
        if recorded:
            recorded.activity_feedback(
                [SCORE_ENTRY], feedback=self.env._("Score recorded with its analysis")
            )
