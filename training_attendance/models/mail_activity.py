from odoo import api, fields, models

from .training_followup import CONTACT_OF_KIND, FOLLOWUP_KINDS
from .training_student_plan import PLAN_KINDS


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    training_followup_kind = fields.Selection(
        selection=FOLLOWUP_KINDS,
        string="Logs a follow-up",
        help="Marking done an activity of this type on an enrolment logs a counselor "
        "follow-up of this kind; logging such a follow-up marks the open activities of "
        "this type done.",
    )
    training_plan_kind = fields.Selection(
        selection=PLAN_KINDS,
        string="Closed by a plan",
        help="Delivering to the guardian a plan or report of this kind marks the open "
        "activities of this type on the enrolment done.",
    )


class MailActivity(models.Model):
    _inherit = "mail.activity"

    training_student = fields.Char(
        string="Student",
        compute="_compute_training_queue",
        help="The student the activity is about.",
    )
    training_lesson = fields.Char(
        string="Lesson",
        compute="_compute_training_queue",
        help="The lesson an absence call or a leave follow-up is about, in the campus's time.",
    )

    @api.depends("res_model", "res_id")
    def _compute_training_queue(self):
        """Student and lesson of the activities, a batch per document model (the names
        are read as the system: the counselor sees the student and the lesson even when
        a session belongs to another teacher)."""
        students = {}
        ids_by_model = {}
        for activity in self:
            ids_by_model.setdefault(activity.res_model, set()).add(activity.res_id)
        for model, ids in ids_by_model.items():
            if model == "res.partner":
                records = self.env[model].sudo().browse(ids).exists()
                students.update({(model, r.id): r.name for r in records})
            elif (
                (model or "").startswith("training.")
                and model in self.env
                and "student_id" in self.env[model]._fields
            ):
                records = self.env[model].sudo().browse(ids).exists()
                students.update({(model, r.id): r.student_id.name for r in records})
        lessons = {}
        if self.ids:
            lines = (
                self.env["training.attendance.line"]
                .sudo()
                .search([("followup_activity_id", "in", self.ids)])
            )
            lessons = {line.followup_activity_id.id: line.session_id.display_name for line in lines}
        for activity in self:
            activity.training_student = students.get((activity.res_model, activity.res_id), False)
            activity.training_lesson = lessons.get(activity.id, False)

    def _action_done(self, feedback=False, attachment_ids=None):
        """A follow-up deadline marked done in the inbox logs the follow-up (SPEC §5)."""
        if not self.env.context.get("training_followup_from_activity"):
            self._log_training_followups(feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _log_training_followups(self, feedback):
        activities = self.filtered(
            lambda a: (
                a.res_model == "training.enrollment"
                and a.res_id
                and a.activity_type_id.training_followup_kind
            )
        )
        if not activities:
            return
        enrollments = {
            enrollment.id: enrollment
            for enrollment in self.env["training.enrollment"]
            .sudo()
            .browse(set(activities.mapped("res_id")))
            .exists()
        }
        now = fields.Datetime.now()
        vals_list = []
        for activity in activities:
            enrollment = enrollments.get(activity.res_id)
            if not enrollment:
                continue
            kind = activity.activity_type_id.training_followup_kind
            summary = (feedback or "").strip() or activity.summary or activity.activity_type_id.name
            vals_list.append(
                {
                    "enrollment_id": enrollment.id,
                    "student_id": enrollment.student_id.id,
                    "user_id": self.env.user.id,
                    "date": now,
                    "kind": kind,
                    "channel": "phone" if activity.activity_category == "phonecall" else "message",
                    "contact": CONTACT_OF_KIND.get(kind, "guardian"),
                    "summary": summary,
                }
            )
        if vals_list:
            self.env["training.followup"].sudo().with_context(
                training_followup_from_activity=True,
                mail_create_nosubscribe=True,
            ).create(vals_list)
