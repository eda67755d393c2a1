from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestPortalTour(TrainingCase, HttpCase):
    # a phone's screen
    browser_size = "390x844"

    def test_guardian_files_a_sick_leave_from_a_phone(self):
        child = self._students(1, prefix="Tour Child")
        self._enroll(child, self.klass, fields.Date.today() - timedelta(days=30))
        parent = new_test_user(
            self.env, login="ta_tour_parent", password="ta_tour_parent", groups="base.group_portal"
        )
        self.env["training.guardian.link"].create(
            {"student_id": child.id, "guardian_id": parent.partner_id.id, "is_primary": True}
        )
        day = fields.Date.today() + timedelta(days=8)
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=16)
        session = self.env["training.session"].create(
            {"class_id": self.klass.id, "start": start, "stop": start + timedelta(hours=2)}
        )
        self.start_tour("/my", "training_attendance_portal_sick_leave", login="ta_tour_parent")
        leave = self.env["training.leave.request"].search([("student_id", "=", child.id)])
        self.assertEqual(leave.state, "submitted")
        self.assertEqual(leave.leave_type, "sick")
        self.assertEqual(leave.reason, "Fever since last night")
        self.assertEqual(leave.session_ids, session)
        self.assertEqual(leave.sudo().attachment_ids.name, "certificate.pdf")
        self.assertEqual(leave.activity_ids.user_id, self.counselor)
