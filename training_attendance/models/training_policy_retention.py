from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TrainingPolicy(models.Model):
    """Churn risk, exam scores, retention cases and renewal (SPEC §5, seed 002)."""

    _inherit = "training.policy"  # pylint: disable=consider-merging-classes-inherited

    risk_attendance_rate = fields.Float(
        string="Churn risk below attendance rate (%)",
        default=50.0,
        required=True,
        tracking=True,
        help="A student whose attendance rate over the last month (validated lessons: "
        "present, late included, against unexcused absences; excused absences do not "
        "count) is below this percentage is flagged at churn risk.",
    )
    score_entry_days = fields.Integer(
        string="Exam score entry (days)",
        default=7,
        required=True,
        tracking=True,
        help="The counselor enters the score of a planned exam, with its analysis, within "
        "this many days after the exam.",
    )
    retention_signal_days = fields.Integer(
        string="Stabilising work (days)",
        default=3,
        required=True,
        tracking=True,
        help="Calendar days the counselor has to stabilise a student at risk, from the "
        "opening of the retention case.",
    )
    retention_team_days = fields.Integer(
        string="Team retention (working days)",
        default=2,
        required=True,
        tracking=True,
        help="Working days of the team retention: led by the head teacher for a "
        "complaint, the counselor supervisor for a refund intent, the campus director "
        "for a hard case, the counselor otherwise.",
    )
    retention_report_days = fields.Integer(
        string="Report to management (working days)",
        default=1,
        required=True,
        tracking=True,
        help="Working days to report the case to the counselor supervisor and the campus director.",
    )
    retention_review_days = fields.Integer(
        string="Director's review (working days)",
        default=1,
        required=True,
        tracking=True,
        help="Working days of the campus director's responsibility analysis.",
    )
    renewal_hours_threshold = fields.Float(
        string="Renewal below (hours)",
        default=6.0,
        required=True,
        tracking=True,
        help="When the hours remaining of an enrolment fall below this, its counselor "
        "gets a renewal activity, once until the balance goes back above.",
    )

    @api.constrains("risk_attendance_rate")
    def _check_risk_attendance_rate(self):
        if any(not 0 <= p.risk_attendance_rate <= 100 for p in self):
            raise ValidationError(
                self.env._("The churn-risk attendance rate must be between 0 and 100 percent.")
            )

    @api.constrains(
        "score_entry_days",
        "retention_signal_days",
        "retention_team_days",
        "retention_report_days",
        "retention_review_days",
        "renewal_hours_threshold",
    )
    def _check_retention_delays(self):
        for policy in self:
            if (
                min(
                    policy.score_entry_days,
                    policy.retention_signal_days,
                    policy.retention_team_days,
                    policy.retention_report_days,
                    policy.retention_review_days,
                )
                < 0
                or policy.renewal_hours_threshold < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The score entry delay, the retention delays and the renewal "
                        "threshold cannot be negative."
                    )
                )

    @api.model
    def _renewal_threshold(self, company):
        """The renewal threshold of ``company``. The renewal automation rule reads it for
        every enrolment whose balance changes, one at a time: through the campus's policy
        in the ORM cache (one query per transaction, invalidated by any change of the
        policy), not a search each time nor a registry-wide cache."""
        company = company.sudo()
        policy = company.training_policy_ids[:1] or self.sudo()._get_for_company(company)
        return policy.renewal_hours_threshold
