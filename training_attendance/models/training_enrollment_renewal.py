from odoo import api, fields, models

RENEWAL = "training_attendance.mail_activity_renewal"
RENEWAL_BATCH_SIZE = 1000
RENEWAL_STATES = ("active", "suspended")


class TrainingEnrollment(models.Model):
    """Renewal (SPEC §5): when the hours remaining fall below the campus threshold, the
    counselor gets a renewal activity, once per crossing.

    Hours remaining is a stored compute (attendance validation, corrections, paid renewal
    invoices): the automation rule "Enrolment: renewal activity" watches it, as
    ``base_automation`` catches recomputations too, and calls :meth:`_check_renewal` on
    every enrolment whose balance changed; a daily job is the backstop.
    """

    _inherit = "training.enrollment"  # pylint: disable=consider-merging-classes-inherited

    renewal_notified = fields.Boolean(
        string="Renewal activity sent",
        readonly=True,
        copy=False,
        help="Set when the balance fell below the renewal threshold and the counselor got "
        "the renewal activity; reset when the balance goes back above it.",
    )

    def _check_renewal(self):
        """Below the threshold and not notified yet: the renewal activity. Back above it:
        the marker is reset and the open renewal activity is marked done."""
        Policy = self.env["training.policy"]
        below = above = self.browse()
        for enrollment in self.sudo():
            threshold = Policy._renewal_threshold(enrollment.company_id)
            if enrollment.hours_remaining < threshold:
                if not enrollment.renewal_notified and enrollment.state in RENEWAL_STATES:
                    below |= enrollment
            elif enrollment.renewal_notified:
                above |= enrollment
        # without a counselor nobody can be told: left unmarked until one is named
        below = below.filtered("counselor_id")
        if below:
            below.write({"renewal_notified": True})
            below._schedule_renewal_activity()
        if above:
            above.write({"renewal_notified": False})
            above.activity_feedback(
                [RENEWAL],
                feedback=self.env._("Hours renewed: the balance is back above the threshold."),
            )

    def _schedule_renewal_activity(self):
        today = {company: company._training_today() for company in self.company_id}
        activity_type = self.env.ref(RENEWAL)
        model = self.env["ir.model"]._get_id(self._name)
        # in the counselor's language, one env per language
        readers = self.env["res.users"]._training_reader_envs(self)
        self._create_followup_activities(
            [
                {
                    "res_model_id": model,
                    "res_id": enrollment.id,
                    "activity_type_id": activity_type.id,
                    "user_id": enrollment.counselor_id.id,
                    "date_deadline": today[enrollment.company_id],
                    "automated": True,  # so that activity_feedback closes it
                    "summary": readers(enrollment.counselor_id)._(
                        "Renewal: %(student)s has %(hours)s hours left",
                        student=enrollment.student_id.name,
                        hours=round(enrollment.hours_remaining, 2),
                    ),
                }
                for enrollment in self
            ]
        )

    @api.model
    def _renewal_domain(self):
        """Enrolments whose marker disagrees with their balance, campus by campus."""
        policies = self.env["training.policy"].sudo().search([])
        domain = []
        for policy in policies:
            threshold = policy.renewal_hours_threshold
            campus = [
                "&",
                ("company_id", "=", policy.company_id.id),
                "|",
                "&",
                "&",
                "&",
                ("renewal_notified", "=", False),
                ("state", "in", RENEWAL_STATES),
                ("counselor_id", "!=", False),
                ("hours_remaining", "<", threshold),
                "&",
                ("renewal_notified", "=", True),
                ("hours_remaining", ">=", threshold),
            ]
            domain = ["|", *domain, *campus] if domain else campus
        return domain or [("id", "=", False)]

    @api.model
    def _cron_check_renewals(self, batch_size=RENEWAL_BATCH_SIZE):
        """Daily backstop of the automation rule, a batch per call."""
        self.env["training.policy"]._get_for_companies(self.env["res.company"].sudo().search([]))
        domain = self._renewal_domain()
        enrollments = self.sudo().search(domain, order="id", limit=batch_size)
        enrollments._check_renewal()
        # an enrolment without counselor is left out until one is named
        remaining = self.sudo().search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(enrollments), remaining=remaining)
        return len(enrollments)
