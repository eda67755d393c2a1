from odoo import api, models

from .training_enrollment_followup import NOTICE


class TrainingSession(models.Model):
    """Counselor follow-up of SPEC §5 around the first lesson of an enrolment."""

    _inherit = "training.session"

    @api.model_create_multi
    def create(self, vals_list):
        sessions = super().create(vals_list)
        sessions._schedule_first_lesson_notices()
        sessions._reschedule_followup_deadlines()
        return sessions

    def write(self, vals):
        moved = (
            "start" in vals or "class_id" in vals or vals.get("state") in ("cancelled", "planned")
        )
        classes = self.class_id if moved else None
        res = super().write(vals)
        if moved:
            (self.class_id | classes)._reschedule_followup_deadlines_of_classes()
        return res

    def _reschedule_followup_deadlines(self):
        self.filtered(
            lambda s: s.kind != "makeup"
        ).class_id._reschedule_followup_deadlines_of_classes()

    def _schedule_first_lesson_notices(self):
        """Sessions planned: the active enrolments of their classes still waiting for
        their first lesson get the guardian's notice, if not given yet."""
        classes = self.filtered(
            lambda s: s.kind != "makeup" and s.state in ("planned", "open")
        ).class_id
        if not classes:
            return
        Enrollment = self.env["training.enrollment"]
        notice_type = Enrollment._followup_type(NOTICE)
        Enrollment.sudo().search(
            [
                ("class_id", "in", classes.ids),
                ("state", "=", "active"),
                ("date_first_lesson", "=", False),
                ("followup_deadline_type_ids", "not in", notice_type.ids),
            ]
        )._schedule_first_lesson_notice()

    def _schedule_first_lesson_followups(self):
        """Sessions validated: the students who attended their first lesson get the
        same-day call and the plan deadlines (automated rule "First lesson attended")."""
        self.env["training.enrollment"]._schedule_first_lesson_followups(
            self.sudo().attendance_line_ids
        )


class TrainingClass(models.Model):
    _inherit = "training.class"

    def _reschedule_followup_deadlines_of_classes(self):
        """A session of these classes created, moved or cancelled: the open deadlines of
        their active enrolments that hang on sessions get their new date (SPEC §5)."""
        if not self:
            return
        self.env["training.enrollment"].sudo().search(
            [("class_id", "in", self.ids), ("state", "=", "active")]
        )._reschedule_session_deadlines()
