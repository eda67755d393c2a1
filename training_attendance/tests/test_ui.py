from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import enroll, run_followup_job


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def _todays_session(self, counselor=None):
        """Today's session of "Tour class", taught by ta_tour_teacher, students A, B, C."""
        teacher = new_test_user(
            self.env,
            login="ta_tour_teacher",
            groups="base.group_user,training_attendance.group_teacher",
            tz="UTC",
        )
        course = self.env["training.course"].create({"name": "Tour course", "lesson_duration": 2})
        klass = self.env["training.class"].create(
            {"name": "Tour class", "course_id": course.id, "teacher_id": teacher.id}
        )
        students = self.env["res.partner"].create(
            [
                {"name": f"Tour Student {x}", "is_student": True, "counselor_id": counselor}
                for x in "ABC"
            ]
        )
        # the day as the teacher (tz UTC, as the headless browser) sees it, not the
        # superuser of the fixture (Europe/Brussels in a database with demo data)
        today = fields.Date.context_today(teacher.with_user(teacher))
        enroll(self.env, students, klass, today - timedelta(days=30))
        # started already (validation waits for the start), today in UTC
        start = max(
            datetime.combine(today, datetime.min.time()),
            fields.Datetime.now().replace(microsecond=0) - timedelta(hours=1),
        )
        session = self.env["training.session"].create(
            {"class_id": klass.id, "start": start, "stop": start + timedelta(hours=2)}
        )
        return teacher, students, session

    def test_teacher_takes_attendance_in_the_web_client(self):
        teacher, _students, session = self._todays_session()
        self.start_tour(
            "/odoo/action-training_attendance.training_session_action_today",
            "training_attendance_take_attendance",
            login="ta_tour_teacher",
        )
        self.assertEqual(session.state, "done")
        self.assertEqual(session.validated_by_id, teacher)
        statuses = {line.student_id.name: line.status for line in session.attendance_line_ids}
        self.assertEqual(
            statuses,
            {"Tour Student A": "absent", "Tour Student B": "present", "Tour Student C": "present"},
        )
        late = session.attendance_line_ids.filtered(lambda line: line.late_minutes)
        self.assertEqual((late.student_id.name, late.late_minutes), ("Tour Student B", 5))

    def test_absence_notice_and_ladder_in_the_web_client(self):
        """The teacher validates with an absence; the guardian notice is queued (e-mail and
        SMS) and logged; the counselor sees it in the absence file with the reminder, and
        closes the reminder; the end-of-day job then has nothing left to send."""
        counselor = new_test_user(
            self.env,
            login="ta_tour_counselor",
            groups="base.group_user,training_attendance.group_counselor",
            tz="UTC",
        )
        clerk = new_test_user(
            self.env,
            login="ta_tour_clerk",
            groups="base.group_user,training_attendance.group_attendance_clerk",
            tz="UTC",
        )
        _teacher, students, session = self._todays_session(counselor.id)
        guardian = self.env["res.partner"].create(
            {
                "name": "Tour Guardian",
                "email": "tour.guardian@example.com",
                "mobile": "+8613800000001",
            }
        )
        self.env["training.guardian.link"].create(
            {"student_id": students[0].id, "guardian_id": guardian.id, "is_primary": True}
        )
        self.start_tour(
            "/odoo/action-training_attendance.training_session_action_today",
            "training_attendance_take_attendance",
            login="ta_tour_teacher",
        )
        self.assertEqual((session.state, session.followup_pending), ("done", True))
        run_followup_job(self.env)  # started by the validation; no cron runs in a test
        line = session.attendance_line_ids.filtered(lambda x: x.student_id == students[0])
        self.assertEqual(line.notice_state, "sent")
        self.assertEqual(
            self.env["mail.mail"].search([("recipient_ids", "=", guardian.id)]).state, "outgoing"
        )
        self.assertEqual(
            self.env["sms.sms"].search([("partner_id", "=", guardian.id)]).state, "outgoing"
        )
        escalation = line.enrollment_id.escalation_ids
        # the first step is the attendance clerk's (seed 000); the counselor follows it
        self.assertEqual((escalation.level, escalation.user_id), ("reminder", clerk))

        self.start_tour(
            f"/odoo/res.partner/{students[0].id}",
            "training_attendance_absence_file",
            login="ta_tour_counselor",
        )
        self.assertEqual(escalation.state, "done")
        self.assertIn("ill", escalation.outcome)
        Line = self.env["training.attendance.line"]
        self.assertEqual(Line._cron_process_absences(), 0, "validation already did it all")
        self.assertEqual(len(self.env["sms.sms"].search([("partner_id", "=", guardian.id)])), 1)

        # the family reports the leave after validation; the counselor approves it
        policy = self.env["training.policy"]._get_for_company(session.company_id)
        policy.emergency_leave_hours = 48  # whenever the test runs after the lesson
        leave = self.env["training.leave.request"].create(
            {
                "student_id": students[0].id,
                "reason": "Fever, reported by phone",
                "session_ids": [(6, 0, session.ids)],
            }
        )
        self.start_tour(
            f"/odoo/training.leave.request/{leave.id}",
            "training_attendance_leave_after_validation",
            login="ta_tour_counselor",
        )
        self.assertEqual((leave.state, line.status), ("approved", "excused"))
        # the counselor's absence call is closed, the teacher's leave follow-up opened
        open_activities = self.env["mail.activity"].search(
            [("res_model", "=", "training.enrollment"), ("res_id", "=", line.enrollment_id.id)]
        )
        call = self.env.ref("training_attendance.mail_activity_absence_call")
        followup = self.env.ref("training_attendance.mail_activity_leave_followup")
        self.assertFalse(open_activities.filtered(lambda a: a.activity_type_id == call))
        self.assertEqual(
            open_activities.filtered(lambda a: a.activity_type_id == followup).user_id, _teacher
        )
        # the reminder already acted on stays in the file, voided by the correction
        self.assertTrue(escalation.voided)
