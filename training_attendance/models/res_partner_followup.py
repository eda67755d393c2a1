from odoo import fields, models


class ResPartner(models.Model):
    """The counselor's follow-ups and the plans delivered, from the student's file."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    followup_count = fields.Integer(
        string="Follow-up count",
        compute="_compute_followup_count",
        groups="training_attendance.group_teacher",
    )
    plan_count = fields.Integer(
        string="Plan count",
        compute="_compute_followup_count",
        groups="training_attendance.group_teacher",
    )

    def _compute_followup_count(self):
        followups = dict(
            self.env["training.followup"]._read_group(
                [("student_id", "in", self.ids)], ["student_id"], ["__count"]
            )
        )
        plans = dict(
            self.env["training.student.plan"]._read_group(
                [("student_id", "in", self.ids)], ["student_id"], ["__count"]
            )
        )
        for partner in self:
            partner.followup_count = followups.get(partner, 0)
            partner.plan_count = plans.get(partner, 0)

    def action_log_followup(self):
        """The follow-up form, on the student's only open enrolment if there is one."""
        self.ensure_one()
        enrollments = self.enrollment_ids.filtered(lambda e: e.state in ("active", "suspended"))
        defaults = {"student_id": self.id}
        if len(enrollments) == 1:
            defaults["enrollment_id"] = enrollments.id
        return self.env["training.followup"]._action_log(defaults)

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_followup_action"
        )
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {"default_student_id": self.id}
        return action

    def action_view_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_student_plan_action"
        )
        action["domain"] = [("student_id", "=", self.id)]
        action["context"] = {}
        return action
