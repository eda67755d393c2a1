from odoo import fields, models

from .training_enrollment import OPEN_STATES


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

    def write(self, vals):
        if "counselor_id" not in vals:
            return super().write(vals)
        before = {partner.id: partner.counselor_id for partner in self}
        res = super().write(vals)
        self._follow_counselor_change(before)
        return res

    def _follow_counselor_change(self, before):
        """The student's counselor changes (SPEC §5): their open enrolments that followed
        the former counselor (or had none) follow the new one, with their open deadlines
        (``training.enrollment._hand_over_to_counselor``)."""
        students = self.filtered(lambda p: p.is_student and p.counselor_id != before[p.id])
        if not students:
            return
        enrollments = (
            self.env["training.enrollment"]
            .sudo()
            .search([("student_id", "in", students.ids), ("state", "in", OPEN_STATES)])
        )
        for enrollment in enrollments:
            student = enrollment.student_id
            former = before[student.id]
            if enrollment.counselor_id != student.counselor_id and (
                not enrollment.counselor_id or enrollment.counselor_id == former
            ):
                enrollment.counselor_id = student.counselor_id

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
