import io
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestAbsenceNotice(TrainingCase):
    """SPEC §4: same-day guardian notice and follow-up activities, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guardians = cls.env["res.partner"].create(
            [{"name": f"Guardian {i}", "email": f"g{i}@example.com"} for i in range(3)]
        )
        cls.env["training.guardian.link"].create(
            [
                {"student_id": s.id, "guardian_id": g.id, "is_primary": True}
                for s, g in zip(cls.students, cls.guardians, strict=True)
            ]
        )
        cls.session = cls._session(date(2026, 10, 7))  # 16:00-18:00 UTC

    def _validate(self, marks):
        session = self.session.with_user(self.teacher)
        session.action_open()
        lines = {line.student_id: line for line in session.attendance_line_ids}
        for index, vals in marks.items():
            lines[self.students[index]].write(vals)
        session.action_mark_rest_present()
        self._validate_and_follow(session)
        return lines

    def _notices(self, student):
        return student.message_ids.filtered(lambda m: "was absent" in (m.subject or ""))

    def _policy(self):
        return self.env["training.policy"]._get_for_company(self.company)

    def _activities(self, type_xmlid):
        """Activities of that type on the enrolments of the test's class (not demo data)."""
        enrollments = self.env["training.enrollment"].search([("class_id", "=", self.klass.id)])
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "training.enrollment"),
                ("res_id", "in", enrollments.ids),
                ("activity_type_id", "=", self.env.ref(type_xmlid).id),
            ]
        )

    @freeze_time("2026-10-07 18:10:00")
    def test_validation_notifies_guardians_and_schedules_follow_ups(self):
        lines = self._validate({0: {"status": "absent"}, 1: {"status": "excused"}})
        absent, excused, present = (lines[s] for s in self.students)
        notice = self._notices(self.students[0])
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.partner_ids, self.guardians[0])
        self.assertIn("Maths G5", notice.subject)
        self.assertEqual(absent.notice_state, "sent")
        self.assertEqual(absent.guardian_notified_at, datetime(2026, 10, 7, 18, 10))
        self.assertEqual(absent.notice_timeliness, 100.0)
        self.assertFalse(excused.notice_state, "an excused absence is not notified")
        self.assertFalse(self._notices(self.students[1]) | self._notices(self.students[2]))
        self.assertFalse(present.notice_state)
        call = self._activities("training_attendance.mail_activity_absence_call")
        self.assertEqual(call.user_id, self.counselor)
        self.assertEqual(call.res_id, absent.enrollment_id.id)
        self.assertEqual(call.date_deadline, date(2026, 10, 7), "due the same day")
        followup = self._activities("training_attendance.mail_activity_leave_followup")
        self.assertEqual(followup.user_id, self.teacher)
        self.assertEqual(followup.res_id, excused.enrollment_id.id)

    def test_leave_follow_up_for_the_teacher_once(self):
        """Excused: the teacher's follow-up, due the day of the lesson, never a second one
        whether the job runs again or the line is corrected."""
        with freeze_time("2026-10-07 18:10:00"):
            lines = self._validate({1: {"status": "excused"}})
        Line = self.env["training.attendance.line"]
        with freeze_time("2026-10-07 20:00:00"):
            Line._cron_process_absences()
            lines[self.students[1]].with_user(self.clerk).write({"note": "Flu, certificate seen"})
            Line._cron_process_absences()
        followup = self._activities("training_attendance.mail_activity_leave_followup")
        self.assertEqual(len(followup), 1)
        self.assertEqual(
            (followup.user_id, followup.date_deadline), (self.teacher, date(2026, 10, 7))
        )
        self.assertFalse(lines[self.students[1]].notice_state, "the family is not told")

    def test_lateness_that_becomes_an_absence_is_notified(self):
        lines = self._validate({0: {"late_minutes": 70}})  # 2 h lesson: threshold 60 min
        self.assertEqual(lines[self.students[0]].absence_equivalent, 1)
        self.assertEqual(lines[self.students[0]].notice_state, "sent")
        self.assertEqual(len(self._notices(self.students[0])), 1)

    def test_guardian_who_opted_out_or_reported_a_leave_is_not_told(self):
        self.students[0].guardian_link_ids.receives_notifications = False
        leave = self.env["training.leave.request"].create(
            {
                "student_id": self.students[1].id,
                "reason": "Grandmother's birthday",
                "session_ids": [(6, 0, self.session.ids)],
                "state": "submitted",
            }
        )
        lines = self._validate({0: {"status": "absent"}, 1: {"status": "absent"}})
        self.assertEqual(lines[self.students[0]].notice_state, "no_guardian")
        self.assertEqual(lines[self.students[1]].notice_state, "leave")
        self.assertFalse(self._notices(self.students[0]) | self._notices(self.students[1]))
        self.assertTrue(leave.exists())

    def test_end_of_day_job_catches_what_was_missed_and_never_notifies_twice(self):
        with freeze_time("2026-10-07 18:10:00"):
            lines = self._validate({})
        line = lines[self.students[2]]
        self.assertFalse(line.notice_state)
        with freeze_time("2026-10-07 19:00:00"):
            # a correction after validation is followed at once, as validation would have
            line.with_user(self.clerk).write({"status": "absent"})
            self.assertEqual(line.notice_state, "sent")
            # what a failure left undone is caught by the job
            line.sudo().write({"notice_state": False})
            self._notices(self.students[2]).unlink()
            Line = self.env["training.attendance.line"]
            self.assertEqual(Line._cron_process_absences(), 1)
        self.assertEqual(line.notice_state, "sent")
        self.assertEqual(line.notice_timeliness, 100.0)
        self.assertEqual(Line._cron_process_absences(), 0, "the second run has nothing to do")
        self.assertEqual(len(self._notices(self.students[2])), 1)
        calls = self._activities("training_attendance.mail_activity_absence_call")
        self.assertEqual(len(calls), 1)

    def test_notice_the_next_day_is_not_timely(self):
        with freeze_time("2026-10-07 18:10:00"):
            lines = self._validate({})
        line = lines[self.students[0]]
        with freeze_time("2026-10-08 09:00:00"):  # corrected the next morning
            line.with_user(self.clerk).write({"status": "absent"})
            self.env["training.attendance.line"]._cron_process_absences()
        self.assertEqual(line.notice_state, "sent")
        self.assertEqual(line.notice_timeliness, 0.0)

    def test_absence_file_lists_the_students_absences(self):
        self._validate({0: {"status": "absent"}, 1: {"status": "excused"}})
        self.assertEqual(self.students.mapped("absence_count"), [1, 1, 0])
        action = self.students[0].with_user(self.counselor).action_view_absence_file()
        lines = self.env["training.attendance.line"].search(action["domain"])
        self.assertEqual(lines.student_id, self.students[0])
        self.assertEqual(lines.notice_state, "sent")

    def test_absence_file_tab_keeps_everything_after_the_enrolment_ends(self):
        """The tab of the student form: absences, escalation, make-up, still there once
        the enrolment is withdrawn; a teacher reads it too."""
        self._validate({0: {"status": "absent"}, 2: {"late_minutes": 10, "status": "present"}})
        enrollment = self.students[0].enrollment_ids
        enrollment._withdraw(date(2026, 10, 9), "Moved away")
        student = self.students[0].with_user(self.teacher)
        self.env.invalidate_all()  # the form reads the file in a request of its own
        self.assertEqual(student.absence_line_ids.mapped("absence_kind"), ["absent"])
        self.assertEqual(student.escalation_ids.mapped("level"), ["reminder"])
        self.assertEqual(len(student.makeup_ids), 1)
        self.assertEqual(
            self.students[2].absence_line_ids.mapped("absence_kind"), ["late"], "lateness too"
        )
        self.assertFalse(self.students[1].absence_line_ids, "present: nothing in the file")

    @freeze_time("2026-10-07 20:00:00")
    def test_daily_absence_report_and_its_xlsx(self):
        extra = self._students(1, prefix="Early")
        self._enroll(extra, self.klass, date(2026, 9, 1))
        self.students |= extra
        self._validate({0: {"status": "absent"}, 1: {"status": "excused"}, 2: {"late_minutes": 10}})
        self.session.attendance_line_ids.filtered(lambda line: line.student_id == extra).with_user(
            self.clerk
        ).write({"left_early_minutes": 5})
        report = (
            self.env["training.absence.report"]
            .with_user(self.clerk)
            .create({"date": date(2026, 10, 7)})
        )
        lines = report._lines()
        self.assertEqual(
            sorted(lines.mapped("absence_kind")), ["absent", "excused", "late", "left_early"]
        )
        workbook = openpyxl.load_workbook(io.BytesIO(report._xlsx(lines)))
        rows = list(workbook.active.iter_rows(min_row=4, values_only=True))
        self.assertEqual(len(rows), 4)
        self.assertIn(("Student 000", "Unexcused absence"), [(r[0], r[5]) for r in rows])
        self.assertIn(("Student 002", "Late arrival", 10), [(r[0], r[5], r[6]) for r in rows])
        self.assertFalse(
            self.env["training.absence.report"].create({"date": date(2026, 10, 8)})._lines()
        )
        self.env["training.absence.report"]._cron_daily_report()
        policy = self.env["training.policy"]._get_for_company(self.company)
        posted = policy.message_ids.filtered("attachment_ids")
        self.assertEqual(len(posted), 1)
        self.assertIn(self.clerk.partner_id, posted.partner_ids)
        self.assertTrue(posted.attachment_ids.name.endswith(".xlsx"))

    def test_several_absences_of_one_enrolment_validated_together(self):
        sessions = self.session | self._session(date(2026, 10, 14))
        sessions.action_open()
        sessions.attendance_line_ids.filtered(
            lambda line: line.student_id == self.students[0]
        ).write({"status": "absent"})
        sessions.action_mark_rest_present()
        self._validate_and_follow(sessions)
        calls = self._activities("training_attendance.mail_activity_absence_call")
        self.assertEqual(len(calls), 2, "one call per absence")
        self.assertEqual(len(self._notices(self.students[0])), 2)

    def test_clerk_actions_on_many_records_at_once(self):
        """The list views' server actions: mark the rest present on several sessions,
        notify and create make-ups for selected lines; running them again changes nothing."""
        other = self._session(date(2026, 10, 14))
        sessions = self.session | other
        sessions.action_open()
        sessions.attendance_line_ids.filtered(
            lambda line: line.student_id == self.students[0]
        ).write({"status": "absent"})
        self.env.ref("training_attendance.action_server_mark_rest_present").with_user(
            self.clerk
        ).with_context(active_model="training.session", active_ids=sessions.ids).run()
        self.assertFalse(
            sessions.attendance_line_ids.filtered(lambda line: line.status == "pending")
        )
        sessions.write({"state": "done"})  # validated without the follow-up job
        self.assertFalse(sessions.attendance_line_ids.filtered("notice_state"))
        absences = sessions.attendance_line_ids.filtered(lambda line: line.status == "absent")
        for _run in range(2):
            for xmlid in ("action_server_process_absences", "action_server_create_makeups"):
                self.env.ref(f"training_attendance.{xmlid}").with_user(self.clerk).with_context(
                    active_model="training.attendance.line", active_ids=absences.ids
                ).run()
        self.assertEqual(set(absences.mapped("notice_state")), {"sent"})
        self.assertEqual(len(self._notices(self.students[0])), 2)
        makeups = self.env["training.makeup"].search([("line_id", "in", absences.ids)])
        self.assertEqual(len(makeups), 2)

    @freeze_time("2026-10-07 18:10:00")
    def test_notice_goes_by_email_and_sms_as_the_campus_policy_says(self):
        """The notice is posted in the student's file: an e-mail to the guardians with an
        address and an SMS to those with a mobile number, each with its delivery status on
        the message (Odoo's notifications), so that a bounce or an SMS error shows there."""
        self.guardians[0].mobile = "+86 138 0013 8000"
        self.guardians[1].write({"email": False, "mobile": "+86 139 0013 9000"})
        lines = self._validate({0: {"status": "absent"}, 1: {"status": "absent"}})
        notices0, notice1 = self._notices(self.students[0]), self._notices(self.students[1])
        email0 = notices0.filtered(lambda m: m.message_type == "comment")
        sms0 = notices0 - email0
        self.assertEqual(email0.mail_ids.recipient_ids, self.guardians[0])
        self.assertIn("Maths G5", email0.mail_ids.body_html)
        self.assertEqual(email0.mail_ids.state, "outgoing", "queued, sent by the mail queue")
        self.assertEqual(
            [
                (n.res_partner_id, n.notification_type, n.notification_status)
                for n in email0.notification_ids
            ],
            [(self.guardians[0], "email", "ready")],
        )
        self.assertEqual(sms0.message_type, "sms")
        sms = self.env["sms.sms"].search([("partner_id", "in", self.guardians.ids)])
        self.assertEqual(
            sorted(n.replace(" ", "") for n in sms.mapped("number")),
            ["+8613800138000", "+8613900139000"],
        )
        self.assertEqual(sms.mapped("state"), ["outgoing", "outgoing"])
        self.assertIn(
            self.students[1].name, sms.filtered(lambda s: s.partner_id == self.guardians[1]).body
        )
        self.assertEqual(notice1.message_type, "sms", "guardian 1 has no e-mail: SMS only")
        self.assertFalse(notice1.mail_ids)
        self.assertEqual(
            [(n.res_partner_id, n.notification_type) for n in notice1.notification_ids],
            [(self.guardians[1], "sms")],
        )
        self.assertEqual(lines[self.students[1]].notice_state, "sent")
        # the mail server refuses the e-mail, the SMS provider has no credit: both show
        email0.mail_ids._postprocess_sent_message(success_pids=[], failure_type="mail_smtp")
        sms.filtered(lambda s: s.partner_id == self.guardians[1])._update_sms_state_and_trackers(
            "error", failure_type="sms_credit"
        )
        self.assertEqual(email0.notification_ids.notification_status, "exception")
        self.assertEqual(email0.notification_ids.failure_type, "mail_smtp")
        self.assertEqual(notice1.notification_ids.notification_status, "exception")
        self.assertEqual(notice1.notification_ids.failure_type, "sms_credit")
        self.assertTrue(email0.has_error and notice1.has_error)

    @freeze_time("2026-10-07 18:10:00")
    def test_campus_without_sms_or_without_any_channel(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        policy.absence_notice_sms = False
        self.guardians[0].mobile = "+86 138 0013 8000"
        self.guardians[1].write({"email": False, "mobile": "+86 139 0013 9000"})
        lines = self._validate({0: {"status": "absent"}, 1: {"status": "absent"}})
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "in", self.guardians.ids)]))
        self.assertEqual(lines[self.students[0]].notice_state, "sent")
        self.assertEqual(
            lines[self.students[1]].notice_state, "no_guardian", "no e-mail, SMS switched off"
        )
        policy.absence_notice_email = False
        line = lines[self.students[2]]
        line.with_user(self.clerk).write({"status": "absent"})
        self.env["training.attendance.line"]._cron_process_absences()
        self.assertEqual(line.notice_state, "disabled")
        self.assertFalse(self._notices(self.students[2]))

    def test_campus_policy_switches_what_follows_validation(self):
        """Switched off in the campus policy, the follow-up job sends no notice, schedules
        no call and fires no escalation step; switched back on, it catches up the calls
        (a notice switched off is recorded as such, never sent late)."""
        self._policy().write(
            {
                "absence_notice_email": False,
                "absence_notice_sms": False,
                "absence_followup_activities": False,
                "escalation_ladder": False,
            }
        )
        with freeze_time("2026-10-07 18:10:00"):
            lines = self._validate({0: {"status": "absent"}})
        line = lines[self.students[0]]
        self.assertEqual(line.notice_state, "disabled")
        self.assertFalse(self._notices(self.students[0]))
        self.assertFalse(self._activities("training_attendance.mail_activity_absence_call"))
        self.assertFalse(line.enrollment_id.escalation_ids)
        self.assertFalse(self.session.followup_pending, "the job ran")
        self._policy().absence_followup_activities = True
        with freeze_time("2026-10-07 20:00:00"):
            self.assertEqual(self.env["training.attendance.line"]._cron_process_absences(), 1)
        self.assertEqual(len(self._activities("training_attendance.mail_activity_absence_call")), 1)
        self.assertEqual(line.notice_state, "disabled")

    def test_validation_leaves_the_follow_up_to_the_job_it_starts(self):
        """The teacher's validation signs, locks and counts the lines' hours; the
        follow-up job, started by the validation as soon as it commits, gives the same
        outcome as the follow-up in the request did: one notice, one call, one make-up,
        the first escalation step, the enrolment's balance."""
        cron = self.env.ref("training_attendance.ir_cron_process_absences")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with freeze_time("2026-10-07 18:10:00"):
            session = self.session.with_user(self.teacher)
            session.action_open()
            lines = {line.student_id: line for line in session.attendance_line_ids}
            lines[self.students[0]].action_set_absent()
            session.action_mark_rest_present()
            session.action_validate()
        line = lines[self.students[0]]
        self.assertEqual(session.state, "done")
        self.assertEqual(lines[self.students[1]].hours_consumed, 2.0)
        self.assertTrue(self.session.followup_pending)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        self.assertFalse(line.notice_state)
        self.assertEqual(self.enrollments[1].hours_consumed, 0.0, "counted by the job")
        with freeze_time("2026-10-07 18:11:00"):
            cron.method_direct_trigger()
        self.assertFalse(self.session.followup_pending)
        self.assertEqual(line.notice_state, "sent")
        self.assertEqual(len(self._notices(self.students[0])), 1)
        self.assertEqual(len(self._activities("training_attendance.mail_activity_absence_call")), 1)
        self.assertEqual(self.env["training.makeup"].search_count([("line_id", "=", line.id)]), 1)
        self.assertEqual(line.enrollment_id.escalation_ids.level, "reminder")
        self.assertEqual(self.enrollments[1].hours_consumed, 2.0)
        self.assertEqual(self.enrollments[1].hours_remaining, 38.0)
        # run again (a second trigger, the daily backstop): nothing more
        with freeze_time("2026-10-07 20:00:00"):
            self.assertEqual(self.env["training.attendance.line"]._cron_process_absences(), 0)
        self.assertEqual(len(self._notices(self.students[0])), 1)
        self.assertEqual(len(self._activities("training_attendance.mail_activity_absence_call")), 1)

    def test_notice_queries_per_notice(self):
        """Each notice costs a fixed few queries (its message, e-mail, SMS and their
        notifications, posted with Odoo's ``message_post``); the rest of the batch (the
        templates, rendered once for all lines, the guardians, the policy) costs the same
        for 3 absences or 12."""
        counts = []
        for day, size in (
            (date(2026, 10, 14), 3),
            (date(2026, 10, 21), 3),
            (date(2026, 10, 28), 12),
        ):
            students = self._students(size, prefix=f"Batch{day.day}")
            guardians = self.env["res.partner"].create(
                [
                    {
                        "name": f"G{s.id}",
                        "email": f"g{s.id}@example.com",
                        "mobile": "+86 138 0013 8000",
                    }
                    for s in students
                ]
            )
            self.env["training.guardian.link"].create(
                [
                    {"student_id": s.id, "guardian_id": g.id}
                    for s, g in zip(students, guardians, strict=True)
                ]
            )
            klass = self.klass.copy({"name": f"Batch {day}"})
            self._enroll(students, klass, date(2026, 9, 1))
            session = self._session(day, klass=klass)
            session.action_open()
            session.attendance_line_ids.status = "absent"
            session.action_validate()  # without the follow-up job: measured below
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            session.attendance_line_ids._notify_guardians()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(set(session.attendance_line_ids.mapped("notice_state")), {"sent"})
            self.assertEqual(
                len(self.env["sms.sms"].search([("partner_id", "in", guardians.ids)])), size
            )
        per_notice = (counts[2] - counts[1]) / 9
        # measured 2026-11-30: 23 per notice by e-mail and SMS, 33 for the rest of a batch
        self.assertLessEqual(per_notice, 23, f"3 absences: {counts[1]} queries, 12: {counts[2]}")
        self.assertLessEqual(counts[1] - 3 * per_notice, 36, f"queries: {counts}")
