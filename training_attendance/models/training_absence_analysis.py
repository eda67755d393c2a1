from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import is_html_empty


class TrainingAbsenceFactor(models.Model):
    """A category of causes of repeated absences: student, family, teaching, external."""

    _name = "training.absence.factor"
    _description = "Absence Factor"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "An absence factor with this name already exists."),
    ]


class TrainingAbsenceAnalysis(models.Model):
    """The cause analysis of a student's repeated absences (SPEC §4): who took part, the
    factors, the analysis and the solution plan. Proposed by the commitment step."""

    _name = "training.absence.analysis"
    _description = "Absence Cause Analysis"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "training.state.mixin",
        "training.enrollment.document.mixin",
    ]
    _order = "id desc"
    _locked_states = ("done",)

    counselor_id = fields.Many2one(
        related="enrollment_id.student_id.counselor_id", store=True, index=True, string="Counselor"
    )
    escalation_id = fields.Many2one(
        comodel_name="training.escalation",
        index=True,
        ondelete="set null",
        domain="[('enrollment_id', '=', enrollment_id)]",
    )
    participant_ids = fields.Many2many(
        comodel_name="res.users",
        relation="training_absence_analysis_res_users_rel",
        string="Participants",
        domain=[("share", "=", False)],
    )
    participant_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="training_absence_analysis_res_partner_rel",
        string="Other participants",
        help="Guardians and other people who took part.",
    )
    factor_ids = fields.Many2many(
        comodel_name="training.absence.factor",
        relation="training_absence_analysis_factor_rel",
        string="Factors",
    )
    analysis = fields.Html()
    solution_plan = fields.Html(string="Solution plan")
    state = fields.Selection(
        string="Status",
        selection=[("draft", "Draft"), ("done", "Done")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )

    @api.depends("student_id")
    def _compute_display_name(self):
        for analysis in self:
            analysis.display_name = self.env._(
                "Cause analysis - %(student)s", student=analysis.student_id.name or ""
            )

    def unlink(self):
        if any(analysis.state != "draft" for analysis in self):
            raise UserError(self.env._("Only draft cause analyses can be deleted."))
        return super().unlink()

    def action_done(self):
        self._check_state(("draft",), self.env._("Closing the analysis"))
        for analysis in self:
            if not analysis.factor_ids or analysis._is_empty("analysis", "solution_plan"):
                raise UserError(
                    self.env._(
                        "%(name)s needs its factors, the analysis and the solution plan.",
                        name=analysis.display_name,
                    )
                )
        self._guarded_write({"state": "done"})
        return True

    def action_draft(self):
        self._check_state(("done",), self.env._("Reopening the analysis"))
        self._guarded_write({"state": "draft"})
        return True

    def _is_empty(self, *fnames):
        self.ensure_one()
        return any(is_html_empty(self[fname]) for fname in fnames)
