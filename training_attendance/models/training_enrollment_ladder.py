from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError


class TrainingEnrollment(models.Model):
    """The escalation ladder on an enrolment (SPEC §4, seed 000): the academic warning's
    partial suspension, and the ladder recomputed when validated attendance is corrected."""

    _inherit = "training.enrollment"  # pylint: disable=consider-merging-classes-inherited

    privileges_suspended_until = fields.Date(
        string="Partially suspended until",
        readonly=True,
        copy=False,
        tracking=True,
        help="Academic warning (seed 000: part of the student's course access suspended): "
        "until this day the student gets no make-up lesson and no trial class, but keeps "
        "attending the class, whose absences keep counting on the escalation ladder.",
    )

    def _privileges_suspended_on(self, day):
        self.ensure_one()
        return bool(self.privileges_suspended_until and day <= self.privileges_suspended_until)

    def _check_privileges(self, day, what):
        """Refuse ``what`` (a make-up, a trial class) to an enrolment partially suspended
        on ``day``."""
        suspended = self.filtered(lambda e: e._privileges_suspended_on(day))
        if suspended:
            raise UserError(
                self.env._(
                    "%(ref)s is partially suspended until %(until)s after an academic "
                    "warning: no %(what)s until then.",
                    ref=suspended[0].display_name,
                    until=suspended[0].privileges_suspended_until,
                    what=what,
                )
            )

    def _suspend_privileges(self, day, reason):
        """Academic warning: make-ups and trial classes withheld for the policy's
        ``privileges_suspension_days``; returns the last day."""
        until = day
        for enrollment in self.sudo():
            policy = self.env["training.policy"]._get_for_company(enrollment.company_id)
            until = day + timedelta(days=policy.privileges_suspension_days)
            enrollment._guarded_write({"privileges_suspended_until": until})
            enrollment.message_post(
                body=self.env._(
                    "Partially suspended until %(until)s (no make-up nor trial class): %(reason)s",
                    until=until,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return until

    def _lift_privileges_suspension(self, reason):
        suspended = self.sudo().filtered("privileges_suspended_until")
        if suspended:
            suspended._guarded_write({"privileges_suspended_until": False})
            for enrollment in suspended:
                enrollment.message_post(
                    body=self.env._("Partial suspension lifted: %(reason)s", reason=reason),
                    subtype_xmlid="mail.mt_note",
                )

    def _recheck_escalations(self):
        """Validated attendance corrected (a leave approved after validation, a clerk's
        correction): the steps whose threshold the count no longer reaches are voided
        (withdrawn when not acted on yet), then the steps newly reached fire, when the
        escalation rule is active."""
        enrollments = self.sudo()
        if not enrollments:
            return self.env["training.escalation"]
        Escalation = self.env["training.escalation"].sudo()
        live = Escalation.search(
            [
                ("enrollment_id", "in", enrollments.ids),
                ("voided", "=", False),
                ("state", "not in", ("cancelled", "withdrawn")),
            ]
        )
        if live:
            counts = enrollments._unexcused_absence_counts()
            policies = self.env["training.policy"]._get_for_companies(enrollments.company_id)
            stale = live.filtered(
                lambda e: (
                    e.level
                    not in Escalation._levels_reached(
                        policies[e.company_id.id], counts.get(e.enrollment_id.id, 0)
                    )
                )
            )
            for enrollment in stale.enrollment_id:
                enrollment_stale = stale.filtered(lambda e, en=enrollment: e.enrollment_id == en)
                enrollment_stale._void(
                    self.env._(
                        "Voided by a correction: %(ref)s now counts %(count)s unexcused "
                        "absences (an absence was excused or corrected after validation).",
                        ref=enrollment.display_name,
                        count=counts.get(enrollment.id, 0),
                    )
                )
        return enrollments._check_escalations()
