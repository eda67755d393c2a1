from odoo import api, fields, models


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
