from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestIncident(TrainingCase):
    """Seed 003 §3-§4: tickets, the emergency playbook, times in working hours, the
    satisfaction call-back, per role and per campus."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.front_desk = new_test_user(
            cls.env, login="ta_front_desk", groups="base.group_user", tz="UTC"
        )
        cls.colleague = new_test_user(
            cls.env, login="ta_colleague", groups="base.group_user", tz="UTC"
        )
        cls.supervisor = cls._user("ta_inc_sup", "training_attendance.group_duty_supervisor")
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.policy.duty_supervisor_id = cls.supervisor
        # Monday to Friday, 08:00-12:00 and 13:00-17:00, campus time (UTC here)
        cls.company.resource_calendar_id = cls.env["resource.calendar"].create(
            {"name": "Campus week", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.student = cls.students[0]
        cls.guardian = cls.env["res.partner"].create(
            {"name": "Guardian of 000", "is_guardian": True, "email": "guardian000@example.com"}
        )
        cls.it = cls.env["training.incident.department"].create(
            {"name": "IT support", "user_id": cls.colleague.id}
        )

    def _ticket(self, user=None, **vals):
        form = Form(self.env["training.incident"].with_user(user or self.front_desk))
        for key, value in dict(
            {"category": "question", "student_id": self.student}, **vals
        ).items():
            setattr(form, key, value)
        return form.save()

    def test_times_across_night_and_weekend(self):
        """Reported Thursday 16:30; taken Friday 09:00 (0.5 h Thursday + 1 h Friday); resolved
        Monday 10:00 (0.5 + 8 + 2 = 10.5 working hours): both over their targets."""
        with freeze_time("2026-12-03 16:30"):
            ticket = self._ticket(category="complaint")
        with freeze_time("2026-12-04 09:00"):
            ticket.with_user(self.front_desk).action_start()
        self.assertEqual(
            (ticket.state, ticket.response_hours, ticket.response_late), ("in_progress", 1.5, True)
        )
        with freeze_time("2026-12-07 10:00"):
            ticket.with_user(self.front_desk).action_resolve()
        self.assertEqual(
            (ticket.state, ticket.resolved_at, ticket.resolution_hours, ticket.resolution_late),
            ("resolved", datetime(2026, 12, 7, 10, 0), 10.5, True),
        )
        # within the targets: answered in 45 minutes, resolved the same afternoon
        with freeze_time("2026-12-04 16:30"):
            quick = self._ticket()
        with freeze_time("2026-12-07 08:15"):
            quick.with_user(self.front_desk).action_start()
        with freeze_time("2026-12-07 09:00"):
            quick.with_user(self.front_desk).action_resolve()
        self.assertEqual(
            (
                quick.response_hours,
                quick.response_late,
                quick.resolution_hours,
                quick.resolution_late,
            ),
            (0.75, False, 1.5, False),
        )
        with self.assertRaisesRegex(UserError, "change only through its workflow"):
            quick.with_user(self.front_desk).write({"response_hours": 0.1})
        with self.assertRaisesRegex(UserError, "cannot change once the ticket was answered"):
            quick.with_user(self.front_desk).write({"reported_at": datetime(2026, 12, 7, 8, 0)})
        with self.assertRaisesRegex(UserError, "reporter of a ticket are kept"):
            quick.with_user(self.front_desk).write({"reported_by_id": self.colleague.id})
        self.assertEqual(
            (quick.response_hours, quick.reported_at, quick.reported_by_id),
            (0.75, datetime(2026, 12, 4, 16, 30), self.front_desk),
        )

    def test_playbook_must_be_ticked(self):
        with freeze_time("2026-12-03 10:00"):
            ticket = self._ticket(category="unwell", guardian_id=self.guardian)
        self.assertEqual(
            ticket.step_ids.mapped("name"),
            [
                "First aid given by the safety officer",
                "Guardian notified by phone",
                "Hospital contacted if needed",
            ],
        )
        # the guardian was notified through the notice channel (e-mail), in the student's file
        self.assertEqual(ticket.guardian_notified_at, datetime(2026, 12, 3, 10, 0))
        notice = self.student.sudo().message_ids.filtered(lambda m: self.guardian in m.partner_ids)
        self.assertEqual(notice.subject, "Student 000: Student unwell")
        as_desk = ticket.with_user(self.front_desk)
        with self.assertRaisesRegex(
            UserError, "Tick every step of the playbook.*Hospital contacted if needed"
        ):
            as_desk.action_resolve()
        self.assertEqual(ticket.state, "reported")
        with self.assertRaisesRegex(UserError, "change only through its workflow"):
            as_desk.write({"state": "resolved"})
        with self.assertRaisesRegex(UserError, "can only be ticked"):
            as_desk.step_ids[0].write({"name": "Skipped"})
        with freeze_time("2026-12-03 10:20"):
            as_desk.step_ids.write({"done": True})
        # ticking the first step was the first action
        self.assertEqual(
            (ticket.first_action_at, ticket.response_hours), (datetime(2026, 12, 3, 10, 20), 0.33)
        )
        self.assertEqual(ticket.step_ids.done_by_id, self.front_desk)
        with freeze_time("2026-12-03 11:00"):
            as_desk.action_resolve()
        with self.assertRaisesRegex(UserError, "final once it is resolved"):
            as_desk.step_ids[0].write({"done": False})
        # only a duty supervisor closes, after the call-back, with the score kept
        with self.assertRaisesRegex(UserError, "Only a duty supervisor"):
            ticket.with_user(self.front_desk).action_close_callback("5", "")
        with self.assertRaises(AccessError):
            self.env["training.incident.callback"].with_user(self.front_desk).create(
                {"incident_id": ticket.id, "score": "5"}
            )
        action = ticket.with_user(self.supervisor).action_open_callback()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.supervisor)
            .with_context(**action["context"])
        )
        wizard.score = "4"
        wizard.note = "Thanks for calling"
        wizard.save().action_confirm()
        self.assertEqual(
            (ticket.state, ticket.callback_score, ticket.satisfaction), ("closed", "4", 4)
        )
        self.assertIn(
            "Satisfaction call-back: 4 (Satisfied). Thanks for calling",
            ticket.sudo().message_ids.mapped(lambda m: str(m.body)).__str__(),
        )
        with self.assertRaisesRegex(UserError, "locked"):
            ticket.with_user(self.supervisor).write({"description": "rewritten"})

    def test_escalation_and_access(self):
        ticket = self._ticket(category="equipment", handling="department", department_id=self.it)
        ticket.with_user(self.front_desk).action_escalate()
        self.assertEqual((ticket.state, ticket.handler_id), ("in_progress", self.colleague))
        self.assertEqual(ticket.activity_ids.user_id, self.colleague)
        to_sup = self._ticket(handling="supervisor")
        to_sup.with_user(self.front_desk).action_escalate()
        self.assertEqual(to_sup.handler_id, self.supervisor)
        other = new_test_user(self.env, login="ta_other_staff", groups="base.group_user")
        Ticket = self.env["training.incident"]
        ids = (ticket | to_sup).ids
        # staff: the tickets they report or handle; the supervisor: the campus
        self.assertFalse(Ticket.with_user(other).search([("id", "in", ids)]))
        self.assertEqual(Ticket.with_user(self.colleague).search([("id", "in", ids)]), ticket)
        self.assertEqual(
            Ticket.with_user(self.front_desk).search([("id", "in", ids)]), ticket | to_sup
        )
        self.assertEqual(
            Ticket.with_user(self.supervisor).search([("id", "in", ids)]), ticket | to_sup
        )
        with self.assertRaises(AccessError):
            to_sup.with_user(other).write({"description": "mine now"})
        # a second campus: its supervisor sees none of these, its tickets stay its own
        campus_b = self.env["res.company"].create({"name": "Campus B"})
        sup_b = new_test_user(
            self.env,
            login="ta_inc_sup_b",
            groups="base.group_user,training_attendance.group_duty_supervisor",
            company_id=campus_b.id,
            company_ids=[Command.set(campus_b.ids)],
        )
        self.assertFalse(Ticket.with_user(sup_b).search([("id", "in", ids)]))
        mine_b = Ticket.with_user(sup_b).create({"category": "other", "company_id": campus_b.id})
        self.assertFalse(Ticket.with_user(self.supervisor).search([("id", "=", mine_b.id)]))
