from odoo import fields, models


class TrainingKpiDeadline(models.Model):
    """A counselor follow-up deadline that is no longer open: kept when its activity is
    marked done (Odoo deletes done activities), or cancelled or put off after its deadline
    passed (a deadline missed: cancelling or rescheduling it does not take it out of the
    indicator), for the follow-up compliance indicator."""

    _name = "training.kpi.deadline"
    _description = "Follow-up Deadline Closed"
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
        string="Closed on",
        required=True,
        readonly=True,
        help="The day it was done, in the campus's time zone; for a deadline cancelled or put "
        "off once passed, the day it was.",
    )


class MailActivity(models.Model):
    _inherit = "mail.activity"  # pylint: disable=consider-merging-classes-inherited

    def _action_done(self, feedback=False, attachment_ids=None):
        self._training_keep_deadlines()
        # done: not kept again as cancelled when Odoo deletes it (in the transaction's
        # cache, not the context, which any caller sets)
        self.env.cr.cache.setdefault("training_deadlines_kept", set()).update(self.ids)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def write(self, vals):
        if vals.get("date_deadline"):
            # an overdue deadline put off is a deadline missed; the new one counts again
            new = fields.Date.to_date(vals["date_deadline"])
            self.filtered(lambda a: a.date_deadline != new)._training_keep_deadlines(
                overdue_only=True
            )
        return super().write(vals)

    def unlink(self):
        kept = self.env.cr.cache.get("training_deadlines_kept", ())
        self.filtered(lambda a: a.id not in kept)._training_keep_deadlines(overdue_only=True)
        return super().unlink()

    def _training_keep_deadlines(self, overdue_only=False):
        """Follow-up deadlines (activity types that log a follow-up or are closed by a
        plan) on enrolments: their deadline and the campus day they were closed; with
        ``overdue_only``, those whose deadline has passed only."""
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
                and not (
                    overdue_only
                    and activity.date_deadline >= today[by_id[activity.res_id].company_id]
                )
            ]
        )
