from odoo import models


class TrainingAttendanceLine(models.Model):
    _inherit = "training.attendance.line"

    def _schedule_absence_followups(self):
        """The absence calls and leave follow-ups, each written in the language of the
        person who gets it (the counselor for an absence call, the teacher for a leave
        follow-up): the lines are split by that language, one batch per language."""
        lines = self.sudo()
        by_lang = {}
        for line in lines:
            if line._is_unexcused():
                user = line.enrollment_id.counselor_id or line.student_id.counselor_id
            else:
                user = line.session_id.teacher_id
            by_lang.setdefault(user.lang or self.env.lang, []).append(line.id)
        for lang, ids in by_lang.items():
            super(
                TrainingAttendanceLine, self.browse(ids).with_context(lang=lang)
            )._schedule_absence_followups()
