from ast import literal_eval
from datetime import date, datetime, time

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TrainingCase, run_followup_job

XMLID = "training_attendance.%s"


@tagged("post_install", "-at_install")
class TestRoleHomes(TrainingCase):
    """Issue #17: a home per role, the counselor's queue, the teacher told what follows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finance = cls._user("ta_finance_home", "training_attendance.group_finance")
        cls.company.partner_id.tz = "Asia/Shanghai"

    def _home(self, name):
        return self.env.ref(XMLID % name)

    def test_each_role_gets_its_home_and_a_new_role_moves_it(self):
        self.assertEqual(self.teacher.action_id.id, self._home("training_session_action_today").id)
        self.assertEqual(
            self.counselor.action_id.id, self._home("training_home_counselor_action").id
        )
        self.assertEqual(self.clerk.action_id.id, self._home("training_home_clerk_action").id)
        self.assertEqual(self.finance.action_id.id, self._home("training_home_finance_action").id)
        manager_home = self.env.ref(
            XMLID % "training_kpi_action", raise_if_not_found=False
        ) or self._home("training_home_manager_action")
        self.assertEqual(self.manager.action_id.id, manager_home.id)
        # a teacher made counselor gets the queue
        self.teacher2.write({"groups_id": [(4, self.env.ref(XMLID % "group_counselor").id)]})
        self.assertEqual(
            self.teacher2.action_id.id, self._home("training_home_counselor_action").id
        )
        # a home chosen by hand is kept, until the list action re-applies the role's
        hand = self.env.ref("base.action_res_users")
        self.teacher2.action_id = hand.id
        self.teacher2.write({"groups_id": [(4, self.env.ref(XMLID % "group_manager").id)]})
        self.assertEqual(self.teacher2.action_id.id, hand.id)
        self.teacher2.action_training_set_home()
        self.assertEqual(self.teacher2.action_id.id, manager_home.id)

    def test_managers_log_in_with_all_their_campuses(self):
        campus = self.env["res.company"].create({"name": "Second campus"})
        self.manager.company_ids = [(4, campus.id)]
        self.assertEqual(self.manager._training_login_company_ids(), [self.company.id, campus.id])

    def test_validation_waits_for_the_start_and_says_what_follows(self):
        session = self._session(date(2026, 10, 7)).with_user(self.teacher)  # 16:00-18:00 UTC
        with freeze_time("2026-10-07 15:59:00"):
            session.action_open()
            session.attendance_line_ids[0].action_set_absent()
            session.action_mark_rest_present()
            with self.assertRaisesRegex(UserError, "has not started yet"):
                session.action_validate()
        self.assertEqual(session.state, "open")
        with freeze_time("2026-10-07 16:01:00"):
            result = session.action_validate()
        self.assertEqual(session.state, "done")
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(
            result["params"]["message"],
            "The guardians of 1 absent student(s) are being notified. "
            "Their counselor gets an absence call to make today.",
        )

    def test_the_queue_shows_the_student_and_the_lesson_in_the_campus_time(self):
        session = self._session(date(2026, 10, 7)).with_user(self.teacher)
        with freeze_time(datetime.combine(date(2026, 10, 7), time(18, 30))):
            session.action_open()
            session.attendance_line_ids.filtered(
                lambda line: line.student_id == self.students[0]
            ).action_set_absent()
            session.action_mark_rest_present()
            session.action_validate()
            run_followup_job(self.env)
        queue = self._home("training_home_counselor_action")
        activities = self.env["mail.activity"].search(
            [*literal_eval(queue.domain), ("user_id", "=", self.counselor.id)]
        )
        call = activities.filtered(
            lambda a: a.activity_type_id == self.env.ref(XMLID % "mail_activity_absence_call")
        )
        self.assertEqual(len(call), 1)
        self.assertEqual(call.training_student, "Student 000")
        # 16:00 UTC is midnight in Shanghai: the lesson reads in the campus's time
        self.assertEqual(call.training_lesson, "Maths G5 Wednesday 2026-10-08 00:00-02:00")
        # absence calls head the queue's kinds
        kinds = self.env["mail.activity.type"].search(
            [("id", "in", activities.activity_type_id.ids)]
        )
        self.assertEqual(kinds[:1], call.activity_type_id)
        # the kind is searchable by name
        self.assertIn(
            call,
            self.env["mail.activity"].search([("activity_type_id", "ilike", "Absence call")]),
        )

    def test_timeliness_averages_over_unexcused_absences_only(self):
        session = self._session(date(2026, 10, 7)).with_user(self.teacher)
        with freeze_time("2026-10-07 10:00:00"):
            session.action_open()
            session.attendance_line_ids[0].action_set_absent()
            session.action_mark_rest_present()
        with freeze_time("2026-10-07 16:30:00"):
            session.action_validate()
            run_followup_job(self.env)
        lines = session.attendance_line_ids
        absent = lines.filtered(lambda line: line.status == "absent")
        # told the same day (in Shanghai, 00:30 the day after the session in UTC)
        absent.sudo().write(
            {"notice_state": "sent", "guardian_notified_at": datetime(2026, 10, 7, 16, 30)}
        )
        self.assertEqual(absent.notice_timeliness, 100.0)
        self.assertEqual(set((lines - absent).mapped("notice_timeliness")), {0.0})
        [(rate,)] = self.env["training.attendance.line"]._read_group(
            [("id", "in", lines.ids)], [], ["notice_timeliness:avg"]
        )
        self.assertEqual(rate, 100.0, "present lines do not count")

    def test_overdue_by_counselor_leaves_the_teachers_follow_ups_out(self):
        action = self.env.ref(XMLID % "training_followup_overdue_action")
        leave = self.env.ref(XMLID % "mail_activity_leave_followup")
        self.assertIn(("activity_type_id", "!=", leave.id), literal_eval(action.domain))

    def test_a_role_granted_from_the_group_moves_the_home(self):
        """Issue #17: the group's Users tab (res.groups' ``users``) sets the home too."""
        counselors = self.env.ref(XMLID % "group_counselor")
        queue = self._home("training_home_counselor_action").id
        today = self._home("training_session_action_today").id
        self.assertEqual(self.teacher2.action_id.id, today)
        counselors.write({"users": [(4, self.teacher2.id)]})
        self.assertEqual(self.teacher2.action_id.id, queue)
        counselors.write({"users": [(3, self.teacher2.id)]})
        self.assertEqual(self.teacher2.action_id.id, today, "back to the teacher's home")
        # a group that implies a role, given from its Users tab
        senior = self.env["res.groups"].create(
            {"name": "Senior teacher (home test)", "implied_ids": [(4, counselors.id)]}
        )
        senior.write({"users": [(4, self.teacher2.id)]})
        self.assertEqual(self.teacher2.action_id.id, queue)
