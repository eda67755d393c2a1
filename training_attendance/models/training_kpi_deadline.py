from odoo import fields, models


class TrainingKpiDeadline(models.Model):
    """A counselor follow-up deadline met: kept when its activity is marked done (Odoo
    deletes done activities), for the follow-up compliance indicator."""

    _name = "training.kpi.deadline"
    _description = "Follow-up Deadline Met"
    _order = "date_done desc, id desc"

    activity_type_id = fields.Many2one(
        comodel_name="mail.activity.type", required=True, ondelete="cascade", readonly=True
    )
    enrollment_id = fields.Many2one(
        comodel_name="training.enrollment",
        string="Enrolment",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(related="enrollment_id.company_id", store=True, index=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Counselor", readonly=True)
    date_deadline = fields.Date(string="Deadline", required=True, readonly=True)
    date_done = fields.Date(
        string="Done on", required=True, readonly=True, help="In the campus's time zone."
    )


class MailActivity(models.Model):
    _inherit = "mail.activity"  # pylint: disable=consider-merging-classes-inherited

    def _action_done(self, feedback=False, attachment_ids=None):
        self._training_keep_deadlines_met()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _training_keep_deadlines_met(self):
        """Follow-up deadlines (activity types that log a follow-up or are closed by a
        plan) on enrolments: their deadline and the campus day they were met."""
        activities = self.filtered(
            lambda a: (
                a.res_model == "training.enrollment"
                and a.res_id
                and (
                    a.activity_type_id.training_followup_kind
                    or a.activity_type_id.training_plan_kind
                )
            )
        )
        if not activities:
            return
        enrollments = (
            self.env["training.enrollment"].sudo().browse(set(activities.mapped("res_id"))).exists()
        )
        today = {company: company._training_today() for company in enrollments.company_id}
        by_id = {enrollment.id: enrollment for enrollment in enrollments}
        self.env["training.kpi.deadline"].sudo().create(
            [
                {
                    "activity_type_id": activity.activity_type_id.id,
                    "enrollment_id": activity.res_id,
                    "user_id": activity.user_id.id,
                    "date_deadline": activity.date_deadline,
                    "date_done": today[by_id[activity.res_id].company_id],
                }
                for activity in activities
                if activity.res_id in by_id
            ]
        )
