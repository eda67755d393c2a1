from odoo import fields, models
from odoo.exceptions import UserError


class TrainingSession(models.Model):
    _inherit = "training.session"

    def action_validate(self):
        """Refused before the session starts (the guardians would be told of an absence
        from a lesson that has not taken place); afterwards, tells the teacher what follows."""
        now = fields.Datetime.now()
        early = self.filtered(lambda s: s.start and s.start > now)
        if early:
            raise UserError(
                self.env._(
                    "%(name)s has not started yet: validate its attendance once the lesson "
                    "has started (the guardians of absent students are told right after).",
                    name=early[0].display_name,
                )
            )
        super().action_validate()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Attendance validated"),
                "message": self._validation_feedback(),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _validation_feedback(self):
        """What the follow-up job does next, in the teacher's words and the campus's
        policy: guardians told, counselors asked to call, teacher asked to follow up."""
        lines = self.attendance_line_ids
        absent = lines.filtered(lambda line: line.status == "absent")
        excused = lines.filtered(lambda line: line.status == "excused")
        policies = self.env["training.policy"]._get_for_companies(self.company_id)
        told = any(p.absence_notice_email or p.absence_notice_sms for p in policies.values())
        calls = any(p.absence_followup_activities for p in policies.values())
        parts = []
        if not absent:
            parts.append(self.env._("Nobody was absent."))
        else:
            if told:
                parts.append(
                    self.env._(
                        "The guardians of %(count)s absent student(s) are being notified.",
                        count=len(absent.student_id),
                    )
                )
            if calls:
                parts.append(self.env._("Their counselor gets an absence call to make today."))
        if excused and calls:
            parts.append(
                self.env._(
                    "You get a follow-up with the family of %(count)s excused student(s).",
                    count=len(excused.student_id),
                )
            )
        return " ".join(parts)
