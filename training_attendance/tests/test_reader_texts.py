from datetime import date, datetime, time

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TrainingCase, run_followup_job

CALL = "training_attendance.mail_activity_absence_call"
ESCALATION = "training_attendance.mail_activity_escalation"


@tagged("post_install", "-at_install")
class TestReaderTexts(TrainingCase):
    """Issue #17: what a job writes for a person reads in the campus's time zone and in
    that person's language, whoever (or whichever job) writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        # the job runs as a user in UTC, the teacher too
        cls.job_user = cls._user("ta_job_utc", "training_attendance.group_attendance_clerk")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.zh_counselor = cls._user("ta_counselor_zh", "training_attendance.group_counselor")
        cls.zh_counselor.lang = "zh_CN"
        cls.zh_student = cls._students(1, prefix="Zh", counselor=cls.zh_counselor)
        cls.zh_enrollment = cls._enroll(cls.zh_student, cls.klass, date(2026, 9, 1))
        # 08:30-10:00 UTC on Wednesday 7 October is 16:30-18:00 in Shanghai
        cls.session = cls.env["training.session"].create(
            {
                "class_id": cls.klass.id,
                "start": datetime(2026, 10, 7, 8, 30),
                "stop": datetime(2026, 10, 7, 10, 0),
            }
        )

    def _calls(self, enrollments):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "training.enrollment"),
                ("res_id", "in", enrollments.ids),
                ("activity_type_id", "=", self.env.ref(CALL).id),
            ]
        )

    def test_session_names_are_in_the_campus_time_zone_for_every_reader(self):
        for tz in ("UTC", "America/New_York", "Asia/Shanghai"):
            self.job_user.tz = tz
            session = self.session.with_user(self.job_user)
            self.assertEqual(session.display_name, "Maths G5 Wednesday 2026-10-07 16:30-18:00", tz)
            self.assertEqual(session.time_label, "2026-10-07 16:30-18:00", tz)

    def test_job_texts_use_the_campus_time_zone_and_the_assignee_language(self):
        session = self.session.with_user(self.teacher)
        with freeze_time(datetime.combine(date(2026, 10, 7), time(9, 0))):
            session.action_open()
            lines = {line.student_id: line for line in session.attendance_line_ids}
            lines[self.students[0]].write({"status": "absent"})
            lines[self.zh_student].write({"status": "absent"})
            session.action_mark_rest_present()
            session.action_validate()
            # the follow-up job, as a user in UTC
            run_followup_job(self.env(user=self.job_user))
        english = self._calls(self.enrollments[0])
        self.assertEqual(
            english.summary,
            "Call the family of Student 000: absent from Maths G5 Wednesday 2026-10-07 16:30-18:00",
        )
        self.assertEqual(english.user_id, self.counselor)
        chinese = self._calls(self.zh_enrollment)
        self.assertEqual(chinese.user_id, self.zh_counselor)
        self.assertEqual(
            chinese.summary, "致电 Zh 000 的家庭：Maths G5 Wednesday 2026-10-07 16:30-18:00 缺勤"
        )

    def test_escalation_texts_and_tracked_reason_in_the_assignee_language(self):
        with freeze_time("2026-10-07 10:00:00"):
            warning = (
                self.env["training.escalation"]
                .with_user(self.job_user)
                .sudo()
                .create(
                    {
                        "enrollment_id": self.zh_enrollment.id,
                        "level": "warning",
                        "count": 3,
                        "user_id": self.zh_counselor.id,
                    }
                )
            )
        self.assertEqual(
            warning.description,
            "学业警告：该报名被部分暂停；须与学员及家长召开专项面谈。",
        )
        activity = warning.activity_ids
        self.assertEqual(activity.user_id, self.zh_counselor)
        self.assertEqual(
            str(activity.note), "<p>学业警告：该报名被部分暂停；须与学员及家长召开专项面谈。</p>"
        )
        reason = self.zh_enrollment.message_ids[:1].body
        self.assertIn("无故缺勤 3 次后发出学业警告。", reason)
        self.assertIn("部分暂停至", reason)
        english = (
            self.env["training.escalation"]
            .sudo()
            .create(
                {
                    "enrollment_id": self.enrollments[1].id,
                    "level": "reminder",
                    "count": 1,
                    "user_id": self.counselor.id,
                }
            )
        )
        self.assertEqual(
            english.activity_ids.note, "<p>Remind the guardian of the unexcused absence.</p>"
        )
