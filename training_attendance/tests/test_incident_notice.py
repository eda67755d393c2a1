from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestIncidentNotice(TrainingCase):
    """Seed 003 §4: an emergency ticket tells the guardian through the campus's notice
    channels (e-mail and/or SMS, posted in the student's file with its delivery status);
    the satisfaction call-back by Odoo's rating e-mail closes the ticket with the score."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.front_desk = new_test_user(
            cls.env, login="ta_notice_desk", name="Front Desk", groups="base.group_user", tz="UTC"
        )
        cls.supervisor = cls._user("ta_notice_sup", "training_attendance.group_duty_supervisor")
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.policy.duty_supervisor_id = cls.supervisor
        cls.student = cls.students[0]
        cls.guardian = cls.env["res.partner"].create(
            {
                "name": "Guardian of 000",
                "is_guardian": True,
                "email": "guardian000@example.com",
                "mobile": "+32 470 12 34 56",
            }
        )

    def _ticket(self, **vals):
        form = Form(self.env["training.incident"].with_user(self.front_desk))
        form.category = "unwell"
        form.student_id = self.student
        form.guardian_id = self.guardian
        for key, value in vals.items():
            setattr(form, key, value)
        return form.save()

    def _notices(self, since):
        """The student's file since message ``since``: (kind, subject) per message and the
        guardian's notifications (type, status)."""
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.student.id),
                    ("id", ">", since),
                    ("message_type", "in", ("comment", "sms")),
                ],
                order="id",
            )
        )
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search([("mail_message_id", "in", messages.ids)], order="id")
        )
        return (
            [(m.message_type, m.subject) for m in messages],
            [(n.res_partner_id, n.notification_type, n.notification_status) for n in notifications],
        )

    def test_guardian_notified_per_policy_channels(self):
        subject = "Student 000: Student unwell"
        cases = [
            # (e-mail on, SMS on) -> messages in the student's file, notifications
            ((True, False), [("comment", subject)], [(self.guardian, "email", "ready")]),
            ((False, True), [("sms", subject)], [(self.guardian, "sms", "ready")]),
            (
                (True, True),
                [("comment", subject), ("sms", subject)],
                [(self.guardian, "email", "ready"), (self.guardian, "sms", "ready")],
            ),
            ((False, False), [], []),
        ]
        notes = {
            (True, False): "Guardian of 000 notified by e-mail (in the file of Student 000).",
            (False, True): "Guardian of 000 notified by SMS (in the file of Student 000).",
            (True, True): "Guardian of 000 notified by e-mail and SMS "
            "(in the file of Student 000).",
            (False, False): "Guardian of 000 was not notified: no notice channel of the campus "
            "policy reaches them (e-mail address, mobile number). Call them.",
        }
        for (email, sms), messages, notifications in cases:
            with self.subTest(email=email, sms=sms):
                self.policy.write({"absence_notice_email": email, "absence_notice_sms": sms})
                since = self.env["mail.message"].sudo().search([], limit=1, order="id desc").id
                with freeze_time("2026-12-03 10:00"):
                    ticket = self._ticket()
                self.assertEqual(self._notices(since), (messages, notifications))
                self.assertEqual(
                    ticket.guardian_notified_at,
                    datetime(2026, 12, 3, 10, 0) if (email or sms) else False,
                )
                self.assertIn(notes[email, sms], ticket.sudo().message_ids.mapped("preview"))
                if sms:
                    queued = (
                        self.env["sms.sms"]
                        .sudo()
                        .search(
                            [
                                (
                                    "mail_message_id",
                                    "in",
                                    self.env["mail.message"]
                                    .sudo()
                                    .search([("id", ">", since), ("message_type", "=", "sms")])
                                    .ids,
                                )
                            ]
                        )
                    )
                    self.assertEqual((queued.number, queued.state), ("+32470123456", "outgoing"))
                    self.assertIn("Student 000 Student unwell", queued.body)
        # nothing reaches the guardian: the button says so and changes nothing
        with self.assertRaisesRegex(UserError, "Guardian of 000 cannot be notified.*Call them"):
            ticket.with_user(self.front_desk).action_notify_guardian()
        self.assertFalse(ticket.guardian_notified_at)

    def test_rating_email_closes_the_ticket(self):
        self.policy.write({"absence_notice_email": False, "absence_notice_sms": False})
        with freeze_time("2026-12-03 10:00"):
            ticket = self._ticket()
            as_desk = ticket.with_user(self.front_desk)
            as_desk.step_ids.write({"done": True})
            as_desk.action_resolve()
        with self.assertRaisesRegex(UserError, "Only a duty supervisor"):
            as_desk.action_send_rating()
        with freeze_time("2026-12-03 11:00"):
            ticket.with_user(self.supervisor).action_send_rating()
        rating = ticket.sudo().rating_ids
        self.assertEqual(
            (rating.partner_id, rating.rated_partner_id, rating.consumed),
            (self.guardian, self.front_desk.partner_id, False),
        )
        request = ticket.sudo().message_ids.filtered(
            lambda m: m.subject == f"How did we handle {ticket.name}?"
        )
        self.assertEqual(
            request.notification_ids.mapped(
                lambda n: (n.res_partner_id, n.notification_type, n.notification_status)
            ),
            [(self.guardian, "email", "ready")],
        )
        self.assertIn(f"/rate/{rating.access_token}/5", str(request.body))
        self.assertEqual(
            (ticket.state, ticket.rating_sent_at), ("resolved", datetime(2026, 12, 3, 11, 0))
        )
        with self.assertRaisesRegex(UserError, "change only through its workflow"):
            ticket.with_user(self.supervisor).write({"rating_sent_at": False})
        # the guardian clicks the top face (as the public /rate controller does)
        with freeze_time("2026-12-03 18:00"):
            ticket.sudo().rating_apply(5, rating=rating, feedback="Called us at once")
        self.assertEqual(
            (ticket.state, ticket.closed_at, ticket.callback_score, ticket.satisfaction),
            ("closed", datetime(2026, 12, 3, 18, 0), "5", 5),
        )
        self.assertEqual(
            (ticket.rating_last_value, ticket.sudo().rating_last_feedback), (5, "Called us at once")
        )
        # a change of mind updates the score of the closed ticket
        ticket.sudo().rating_apply(3, rating=rating, feedback="On second thought")
        self.assertEqual((ticket.state, ticket.callback_score), ("closed", "3"))
        # without a guardian's e-mail address, the supervisor calls instead
        self.guardian.email = False
        with freeze_time("2026-12-04 10:00"):
            other = self._ticket(category="question")
            other.with_user(self.front_desk).action_resolve()
        with self.assertRaisesRegex(UserError, "no guardian with an e-mail address: call back"):
            other.with_user(self.supervisor).action_send_rating()
        self.assertFalse(other.rating_sent_at or other.sudo().rating_ids)
