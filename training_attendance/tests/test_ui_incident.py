from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUiIncident(HttpCase):
    """Seed 003 §3: the front desk handles an unwell student in the web client; the duty
    supervisor closes the ticket after the satisfaction call-back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "UTC"

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
                tz="UTC",
            )

        cls.front_desk = user("ta_tour_desk", "base.group_user")
        cls.supervisor = user(
            "ta_tour_sup", "base.group_user,training_attendance.group_duty_supervisor"
        )
        cls.env["training.policy"]._get_for_company(cls.company).duty_supervisor_id = cls.supervisor
        cls.student = cls.env["res.partner"].create(
            {"name": "Tour Unwell Student", "is_student": True}
        )
        cls.guardian = cls.env["res.partner"].create(
            {
                "name": "Tour Unwell Guardian",
                "is_guardian": True,
                "email": "unwell.guardian@example.com",
            }
        )

    def test_unwell_student_ticket(self):
        self.start_tour("/odoo", "training_attendance_incident_unwell", login="ta_tour_desk")
        ticket = self.env["training.incident"].search([("student_id", "=", self.student.id)])
        self.assertEqual(
            (ticket.state, ticket.category, ticket.reported_by_id, ticket.guardian_id),
            ("resolved", "unwell", self.front_desk, self.guardian),
        )
        self.assertEqual(ticket.step_ids.mapped("done"), [True, True, True])
        self.assertEqual(ticket.step_ids.done_by_id, self.front_desk)
        self.assertTrue(ticket.guardian_notified_at)
        # the notice is queued in the student's file
        mail = self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.student.id)]
        )
        self.assertEqual(mail.recipient_ids, self.guardian)
        # the supervisor calls back and closes
        ticket.with_user(self.supervisor).action_close_callback("5", "Feels better")
        self.assertEqual((ticket.state, ticket.callback_score), ("closed", "5"))
