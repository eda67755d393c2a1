from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TrainingCase
from .test_fees_refunds import RefundCase

# 7 October 2026 is a Wednesday: the class meets on Wednesdays at 16:00 (UTC).
WEDNESDAY = date(2026, 10, 7)


class TrackingMixin:
    """Each state change of a document, made by its action method, is tracked in its
    chatter as a ``mail.tracking.value`` of the field ``state``."""

    def _commit_tracking(self):
        """Each click is its own transaction in the web client: write its tracking."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _state_changes(self, record):
        """``[(old label, new label, author)]`` of the state tracked on ``record``, oldest
        first: the author is the partner of the user who clicked."""
        values = (
            record.sudo()
            .message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
            .sorted("id")
        )
        return [
            (value.old_value_char, value.new_value_char, value.mail_message_id.author_id)
            for value in values
        ]


@tagged("post_install", "-at_install")
class TestStateTracking(TrackingMixin, TrainingCase):
    def _absence(self, day=WEDNESDAY):
        session = self._session(day)
        session.action_open()
        session.attendance_line_ids.filtered(
            lambda line: line.student_id == self.students[0]
        ).action_set_absent()
        session.action_mark_rest_present()
        self._validate_and_follow(session)
        self._commit_tracking()
        return session

    def test_session_states_are_tracked(self):
        session = self._session(WEDNESDAY).with_user(self.teacher)
        self._commit_tracking()
        session.action_open()
        self._commit_tracking()
        session.action_mark_rest_present()
        self._validate_and_follow(session)
        self._commit_tracking()
        teacher = self.teacher.partner_id
        self.assertEqual(
            self._state_changes(session),
            [("Planned", "Attendance open", teacher), ("Attendance open", "Validated", teacher)],
        )
        other = self._session(WEDNESDAY.replace(day=14)).with_user(self.teacher)
        self._commit_tracking()
        other.action_cancel()
        self._commit_tracking()
        other.action_reset_to_planned()
        self._commit_tracking()
        self.assertEqual(
            self._state_changes(other),
            [("Planned", "Cancelled", teacher), ("Cancelled", "Planned", teacher)],
        )

    def test_leave_request_states_are_tracked(self):
        session = self._session(date(2026, 10, 12), hour=9)
        Leave = self.env["training.leave.request"].with_user(self.counselor)
        leave = Leave.create(
            {
                "student_id": self.students[0].id,
                "leave_type": "personal",
                "reason": "Family trip",
                "session_ids": [(6, 0, session.ids)],
            }
        )
        self._commit_tracking()
        with freeze_time("2026-10-01 10:00:00"):
            leave.action_submit()
            self._commit_tracking()
            leave.action_approve()
            self._commit_tracking()
        counselor = self.counselor.partner_id
        self.assertEqual(
            self._state_changes(leave),
            [("Draft", "Submitted", counselor), ("Submitted", "Approved", counselor)],
        )

    def test_escalation_states_are_tracked(self):
        self._absence()
        escalation = self.env["training.escalation"].search(
            [("enrollment_id", "=", self.enrollments[0].id)]
        )
        self.assertEqual(len(escalation), 1, "one absence: the reminder")
        self.assertEqual(escalation.state, "open")
        self.assertEqual(escalation.user_id, self.clerk, "the reminder is the clerk's")
        escalation = escalation.with_user(self.clerk)
        escalation.outcome = "Guardian called, the student comes next week"
        escalation.action_done()
        self._commit_tracking()
        self.assertEqual(self._state_changes(escalation), [("Open", "Done", self.clerk.partner_id)])

    def test_makeup_states_are_tracked(self):
        session = self._absence()
        makeup = self.env["training.makeup"].search([("missed_session_id", "=", session.id)])
        self.assertEqual(len(makeup), 1)
        makeup = makeup.with_user(self.counselor)
        makeup.write(
            {"mode": "online_replay", "replay_url": "https://replay.example.com/m5/2026-10-07"}
        )
        makeup.action_plan()
        self._commit_tracking()
        makeup.action_done()
        self._commit_tracking()
        counselor = self.counselor.partner_id
        self.assertEqual(
            self._state_changes(makeup),
            [("To plan", "Planned", counselor), ("Planned", "Done", counselor)],
        )


@tagged("post_install", "-at_install")
class TestRefundTracking(TrackingMixin, RefundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the invoicing test case switches tracking off
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))

    def test_refund_request_states_are_tracked(self):
        enrollment, _invoice = self._paid_enrollment()
        request = self._request(enrollment)
        self._commit_tracking()
        request.action_submit()
        self._commit_tracking()
        request.with_user(self.supervisor).action_supervisor_approve()
        self._commit_tracking()
        request.with_user(self.director).action_director_approve()
        self._commit_tracking()
        self.assertEqual(
            self._state_changes(request),
            [
                ("Draft", "Submitted", self.counselor.partner_id),
                ("Submitted", "Approved by supervisor", self.supervisor.partner_id),
                ("Approved by supervisor", "Approved by director", self.director.partner_id),
            ],
        )
