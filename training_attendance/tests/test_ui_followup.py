from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUiFollowup(HttpCase):
    def test_counselor_logs_a_call_from_the_activity_inbox(self):
        counselor = new_test_user(
            self.env,
            login="ta_tour_counselor",
            groups="base.group_user,training_attendance.group_counselor",
            tz="UTC",
        )
        course = self.env["training.course"].create({"name": "Tour course", "lesson_duration": 2})
        klass = self.env["training.class"].create({"name": "Tour class", "course_id": course.id})
        student = self.env["res.partner"].create(
            {"name": "Tour Newcomer", "is_student": True, "counselor_id": counselor.id}
        )
        today = fields.Date.context_today(counselor.with_user(counselor))  # tz UTC, as the browser
        enrollment = self.env["training.enrollment"].create(
            {
                "student_id": student.id,
                "class_id": klass.id,
                "date_contract": today - timedelta(days=3),
                "date_start": today,
                "hours_purchased": 20,
            }
        )
        enrollment.guardian_id = self.env["res.partner"].create({"name": "Tour Parent"})
        enrollment.action_submit()
        enrollment.action_guardian_confirm()
        enrollment.action_activate()
        handover = enrollment.activity_ids.filtered(
            lambda a: a.activity_type_id.training_followup_kind == "handover"
        )
        self.assertEqual(handover.user_id, counselor)
        handover.date_deadline = today  # in the inbox's "today"
        self.start_tour("/odoo", "training_attendance_counselor_followup", login=counselor.login)
        followups = enrollment.followup_ids.sorted("id")
        self.assertEqual(followups.mapped("kind"), ["handover", "first_call"])
        self.assertEqual(
            followups.mapped("summary"),
            ["File received from the consultant", "Log a call: the mother wants weekly news"],
        )
        self.assertEqual(followups.mapped("channel"), ["message", "phone"])
        self.assertEqual(set(followups.user_id), {counselor})
        open_kinds = enrollment.activity_ids.activity_type_id.mapped("training_followup_kind")
        self.assertEqual(open_kinds, ["consultant_sync"])
