import base64
from ast import literal_eval
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.addons.training_attendance.models import training_enrollment_followup
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase

TYPE = "training_attendance.mail_activity_followup_%s"
# 2 October 2026 is a Friday; the campus works Monday to Friday (UTC)
FRIDAY = date(2026, 10, 2)


@tagged("post_install", "-at_install")
class FollowupCase(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.company.resource_calendar_id
        cls.calendar.tz = "UTC"
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.consultant = cls._user("ta_consultant", "training_attendance.group_counselor")
        cls.guardian = cls.env["res.partner"].create({"name": "Guardian Wang", "is_guardian": True})
        cls.student = cls._students(1, prefix="Newcomer")
        cls.env["training.guardian.link"].create(
            {"student_id": cls.student.id, "guardian_id": cls.guardian.id, "is_primary": True}
        )
        cls.Followup = cls.env["training.followup"]
        cls.Enrollment = cls.env["training.enrollment"]

    def _sign(self, klass=None):
        """The counselor records the contract of ``student``, signed today by the guardian."""
        enrollment = self.Enrollment.with_user(self.counselor).create(
            {
                "student_id": self.student.id,
                "class_id": (klass or self.klass).id,
                "date_contract": date.today(),
                "hours_purchased": 40,
                "consultant_id": self.consultant.id,
            }
        )
        enrollment.action_submit()
        enrollment.action_guardian_confirm()
        return enrollment

    def _holiday(self, day):
        """A public holiday of the campus: a leave of its calendar without resource."""
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime.combine(day, time.min),
                "date_to": datetime.combine(day, time(23, 59, 59)),
            }
        )

    def _activities(self, enrollment, kind=None):
        domain = [("res_model", "=", "training.enrollment"), ("res_id", "=", enrollment.id)]
        if kind:
            domain.append(("activity_type_id", "=", self.env.ref(TYPE % kind).id))
        return self.env["mail.activity"].search(domain)

    def _deadlines(self, enrollment):
        """``{kind: deadline}`` of the open follow-up deadlines of ``enrollment``."""
        return {
            (a.activity_type_id.training_followup_kind or a.activity_type_id.training_plan_kind): (
                a.date_deadline
            )
            for a in self._activities(enrollment)
        }

    def _log(self, enrollment, kind, user=None, summary="Talked with the mother"):
        with Form(self.Followup.with_user(user or self.counselor)) as form:
            form.enrollment_id = enrollment
            form.kind = kind
            form.summary = summary
        return form.record

    def _validate(self, session, absent=()):
        """The teacher takes attendance of ``session`` at 18:30 that day."""
        session = session.with_user(self.teacher)
        with freeze_time(session.stop + timedelta(minutes=30)):
            session.action_open()
            session.attendance_line_ids.filtered(lambda line: line.student_id in absent).write(
                {"status": "absent"}
            )
            session.action_mark_rest_present()
            self._validate_and_follow(session)

    def _plan(self, enrollment, kind, user=None):
        attachment = (
            self.env["ir.attachment"]
            .with_user(user or self.counselor)
            .create(
                {
                    "name": f"{kind}.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 plan"),
                    "res_model": "training.student.plan",
                    "res_id": 0,
                }
            )
        )
        return (
            self.env["training.student.plan"]
            .with_user(user or self.counselor)
            .create(
                {
                    "enrollment_id": enrollment.id,
                    "kind": kind,
                    "attachment_ids": [Command.set(attachment.ids)],
                }
            )
        )


@tagged("post_install", "-at_install")
class TestFollowupDeadlines(FollowupCase):
    maxDiff = None
    """SPEC §5: the deadlines from the contract to the first lesson, in working days."""

    def test_working_days_of_the_campus(self):
        add = self.policy._add_working_days
        self.assertEqual(add(FRIDAY, 1), date(2026, 10, 5), "Friday + 1: Monday")
        self.assertEqual(add(FRIDAY, 2), date(2026, 10, 6), "Friday + 2: Tuesday")
        self.assertEqual(add(FRIDAY, 0), FRIDAY, "a working day itself")
        self.assertEqual(add(date(2026, 10, 3), 0), date(2026, 10, 5), "Saturday: Monday")
        self.assertEqual(add(date(2026, 10, 5), -1), FRIDAY, "the working day before Monday")
        self.assertEqual(add(FRIDAY, 10), date(2026, 10, 16), "two weeks")
        self._holiday(date(2026, 10, 5))
        self.assertEqual(add(FRIDAY, 1), date(2026, 10, 6), "Monday is a public holiday")
        self.assertEqual(add(FRIDAY, 2), date(2026, 10, 7))
        self.assertEqual(add(date(2026, 10, 6), -1), FRIDAY)
        self.assertEqual(add(date(2026, 10, 3), 0), date(2026, 10, 6))
        # the same calendar as the leave requests' notice
        self.assertEqual(self.policy._working_days_between(FRIDAY, add(FRIDAY, 2)), 2)
        # a week of holidays
        for day in range(7, 10):
            self._holiday(date(2026, 10, day))
        self.assertEqual(add(FRIDAY, 2), date(2026, 10, 12))
        # without a calendar every day counts
        self.company.resource_calendar_id = False
        self.assertEqual(add(FRIDAY, 2), date(2026, 10, 4))

    def test_contract_signed_on_friday_handover_due_tuesday(self):
        with freeze_time("2026-10-02 10:00"):
            enrollment = self._sign()
        handover = self._activities(enrollment)
        self.assertEqual(handover.activity_type_id, self.env.ref(TYPE % "handover"))
        self.assertEqual(handover.date_deadline, date(2026, 10, 6))
        self.assertEqual(handover.user_id, self.counselor)
        self.assertIn(self.student.name, handover.summary)
        # activation and a re-run of the rule's method schedule nothing twice
        with freeze_time("2026-10-05 10:00"):
            enrollment.action_activate()
            enrollment._schedule_handover()
        self.assertEqual(self._activities(enrollment, "handover"), handover)
        # even once it is done
        handover.action_done()
        enrollment._schedule_handover()
        self.assertFalse(self._activities(enrollment, "handover"))

    def test_public_holiday_moves_the_handover(self):
        self._holiday(date(2026, 10, 5))
        with freeze_time("2026-10-02 10:00"):
            enrollment = self._sign()
        self.assertEqual(self._deadlines(enrollment), {"handover": date(2026, 10, 7)})

    def test_policy_sets_the_delays(self):
        self.policy.with_user(self.manager).write({"handover_days": 5})
        with freeze_time("2026-10-02 10:00"):
            enrollment = self._sign()
        self.assertEqual(self._deadlines(enrollment), {"handover": date(2026, 10, 9)})

    def test_no_handover_for_a_draft(self):
        enrollment = self.Enrollment.with_user(self.counselor).create(
            {"student_id": self.student.id, "class_id": self.klass.id}
        )
        enrollment.action_submit()
        self.assertFalse(self._activities(enrollment))

    def test_handover_starts_first_call_and_consultant_sync(self):
        with freeze_time("2026-10-02 10:00"):
            enrollment = self._sign()
        with freeze_time("2026-10-09 11:00"):  # a Friday
            followup = self._log(enrollment, "handover", summary="File received, read twice")
        self.assertEqual(followup.student_id, self.student, "from the enrolment")
        self.assertEqual(followup.company_id, self.company)
        self.assertEqual(followup.user_id, self.counselor)
        self.assertEqual(
            self._deadlines(enrollment),
            {"first_call": date(2026, 10, 12), "consultant_sync": date(2026, 10, 12)},
            "the handover is closed; 1 working day and 24 hours later: Monday",
        )
        done = enrollment.message_ids.filtered(
            lambda m: m.mail_activity_type_id == self.env.ref(TYPE % "handover")
        )
        self.assertIn("File received, read twice", done.body)
        self.assertEqual(enrollment.followup_count, 1, "closing the activity logs no second one")
        # a second handover follow-up does not start them again
        with freeze_time("2026-10-12 09:00"):
            self._log(enrollment, "handover")
        self.assertEqual(len(self._activities(enrollment)), 2)

    def test_first_lesson_notice_before_the_first_session(self):
        with freeze_time("2026-10-01 09:00"):  # a Thursday
            self._session(date(2026, 10, 7))  # Wednesday 16:00
            enrollment = self._sign()
            enrollment.action_activate()
        notice = self._activities(enrollment, "pre_lesson_notice")
        self.assertEqual(notice.date_deadline, date(2026, 10, 6), "24 hours before: Tuesday")
        self.assertEqual(notice.user_id, self.counselor)
        with freeze_time("2026-10-02 09:00"):
            self._session(date(2026, 10, 14))
            enrollment._schedule_first_lesson_notice()
        self.assertEqual(self._activities(enrollment, "pre_lesson_notice"), notice, "once")

    def test_first_lesson_notice_when_the_session_is_planned_later(self):
        with freeze_time("2026-10-01 09:00"):
            enrollment = self._sign()
            enrollment.action_activate()
            self.assertFalse(self._activities(enrollment, "pre_lesson_notice"))
            # a Monday lesson: 24 hours before is a Sunday, so the Friday before
            self._session(date(2026, 10, 12))
        self.assertEqual(
            self._activities(enrollment, "pre_lesson_notice").date_deadline, date(2026, 10, 9)
        )

    def test_first_lesson_attended_starts_the_call_and_the_plans(self):
        self._holiday(date(2026, 10, 28))
        with freeze_time("2026-10-01 09:00"):
            enrollment = self._sign()
            enrollment.action_activate()
            first = self._session(date(2026, 10, 7))
        self._activities(enrollment).unlink()  # handover and notice: not the point here
        self._validate(first)
        self.assertEqual(enrollment.date_first_lesson, date(2026, 10, 7))
        self.assertEqual(
            self._deadlines(enrollment),
            {
                "first_lesson_call": date(2026, 10, 7),
                # 3 weeks: Wednesday 28 is a public holiday
                "learning_plan": date(2026, 10, 29),
                # 4 weeks come before 20 weekly lessons
                "tutoring_plan": date(2026, 11, 4),
                "stage_summary": date(2026, 11, 4),
                # 30 days
                "growth_record": date(2026, 11, 6),
            },
        )
        self.assertEqual(set(self._activities(enrollment).user_id), {self.counselor})
        # the next lessons, and running the rule again, add nothing
        activities = self._activities(enrollment)
        self._validate(self._session(date(2026, 10, 14)))
        self.Enrollment._schedule_first_lesson_followups(first.attendance_line_ids)
        self.assertEqual(self._activities(enrollment), activities)
        self.assertEqual(enrollment.date_first_lesson, date(2026, 10, 7))

    def test_first_lesson_is_the_first_attended(self):
        with freeze_time("2026-10-01 09:00"):
            enrollment = self._sign()
            enrollment.action_activate()
        self._activities(enrollment).unlink()  # handover and notice: not the point here
        self._validate(self._session(date(2026, 10, 7)), absent=self.student)
        self.assertFalse(enrollment.date_first_lesson)
        self.assertEqual(set(self._deadlines(enrollment)), {"absence"}, "the absence call only")
        self._validate(self._session(date(2026, 10, 14)))
        self.assertEqual(enrollment.date_first_lesson, date(2026, 10, 14))
        self.assertEqual(self._deadlines(enrollment)["first_lesson_call"], date(2026, 10, 14))

    def test_twenty_lessons_before_four_weeks(self):
        daily = self.klass.copy({"name": "After-school care, every day"})
        with freeze_time("2026-10-01 09:00"):
            enrollment = self._sign(daily)
            enrollment.action_activate()
            monday = date(2026, 10, 5)
            days = [monday + timedelta(days=d) for d in range(35) if d % 7 < 5]
            sessions = self.env["training.session"].create(
                [
                    {
                        "class_id": daily.id,
                        "start": datetime.combine(day, time(16)),
                        "stop": datetime.combine(day, time(18)),
                    }
                    for day in days
                ]
            )
        self._activities(enrollment).unlink()  # handover and notice: not the point here
        self._validate(sessions.sorted("start")[0])
        deadlines = self._deadlines(enrollment)
        self.assertEqual(deadlines["tutoring_plan"], date(2026, 10, 30), "the 20th lesson")
        self.assertEqual(deadlines["stage_summary"], date(2026, 10, 30))
        self.assertEqual(deadlines["learning_plan"], date(2026, 10, 26))


@tagged("post_install", "-at_install")
class TestFollowupLog(FollowupCase):
    """SPEC §5: follow-ups logged from the inbox or the form, and the plans delivered."""

    def test_marking_a_deadline_done_logs_the_followup(self):
        with freeze_time("2026-10-02 10:00"):
            enrollment = self._sign()
        handover = self._activities(enrollment)
        with freeze_time("2026-10-06 11:00"):
            handover.with_user(self.counselor).action_feedback(feedback="File received")
        followup = self.Followup.search([("enrollment_id", "=", enrollment.id)])
        self.assertRecordValues(
            followup,
            [
                {
                    "kind": "handover",
                    "channel": "message",
                    "contact": "consultant",
                    "summary": "File received",
                    "student_id": self.student.id,
                    "user_id": self.counselor.id,
                    "company_id": self.company.id,
                    "date": datetime(2026, 10, 6, 11, 0),
                }
            ],
        )
        self.assertFalse(handover.exists())
        call = self._activities(enrollment, "first_call")
        sync = self._activities(enrollment, "consultant_sync")
        self.assertEqual((call.date_deadline, sync.date_deadline), (date(2026, 10, 7),) * 2)
        # "log a call": the first call done with feedback in the inbox
        with freeze_time("2026-10-07 15:00"):
            call.with_user(self.counselor).action_feedback(
                feedback="Mother called: Tuesdays are difficult"
            )
            sync.with_user(self.counselor).action_done()
        first_call = self.Followup.search(
            [("enrollment_id", "=", enrollment.id), ("kind", "=", "first_call")]
        )
        self.assertEqual(
            (first_call.channel, first_call.contact, first_call.summary),
            ("phone", "guardian", "Mother called: Tuesdays are difficult"),
        )
        sync_followup = self.Followup.search(
            [("enrollment_id", "=", enrollment.id), ("kind", "=", "consultant_sync")]
        )
        self.assertEqual(
            (sync_followup.channel, sync_followup.contact, sync_followup.summary),
            ("message", "consultant", f"Sync with the consultant about {self.student.name}"),
        )
        self.assertEqual(enrollment.followup_count, 3)
        self.assertEqual(self.student.followup_count, 3)
        # an ordinary to-do logs nothing
        todo = enrollment.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.counselor.id
        )
        todo.with_user(self.counselor).action_feedback(feedback="done")
        self.assertEqual(enrollment.followup_count, 3)

    def test_absence_call_done_logs_an_absence_followup(self):
        enrollment = self.enrollments[0]
        call_type = self.env.ref("training_attendance.mail_activity_absence_call")
        self.assertEqual(call_type.training_followup_kind, "absence")
        call = enrollment.activity_schedule(
            "training_attendance.mail_activity_absence_call", user_id=self.counselor.id
        )
        call.with_user(self.counselor).action_feedback(feedback="Sick, back next week")
        followup = enrollment.followup_ids
        self.assertEqual((followup.kind, followup.channel), ("absence", "phone"))

    def test_logging_a_followup_closes_the_open_deadline(self):
        enrollment, other = self.enrollments[:2]
        before = self.Followup.search_count([])
        routine = (enrollment | other).activity_schedule(
            "training_attendance.mail_activity_followup_routine", user_id=self.counselor.id
        )
        action = enrollment.with_user(self.counselor).action_log_followup()
        self.assertEqual(action["res_model"], "training.followup")
        self.assertEqual(action["target"], "new")
        with Form(
            self.Followup.with_user(self.counselor).with_context(**action["context"], tz="UTC")
        ) as form:
            self.assertEqual(form.student_id, enrollment.student_id)
            self.assertEqual(form.user_id, self.counselor)
            form.channel = "meeting"
            form.summary = "Homework every evening now"
            form.outcome = "Agreed on a reading plan"
            form.next_step = "Call after the test"
        self.assertEqual(enrollment.followup_ids, form.record)
        self.assertFalse(routine[0].exists(), "the routine follow-up is done")
        self.assertTrue(routine[1].exists(), "the other enrolment's is still open")
        self.assertEqual(self.Followup.search_count([]), before + 1, "no second one logged")
        # a follow-up of another kind closes nothing
        self._log(other, "exam_review")
        self.assertTrue(routine[1].exists())

    def test_followup_from_the_student_file(self):
        action = self.students[0].with_user(self.counselor).action_log_followup()
        context = action["context"]
        self.assertEqual(context["default_student_id"], self.students[0].id)
        self.assertEqual(context["default_enrollment_id"], self.enrollments[0].id)
        with Form(self.Followup.with_user(self.counselor).with_context(**context)) as form:
            form.kind = "growth_record"
            form.contact = "student"
            form.summary = "Proud of his drawing"
        self.assertEqual(form.record.enrollment_id, self.enrollments[0])
        self.assertEqual(self.students[0].followup_count, 1)
        view = self.students[0].action_view_followups()
        self.assertEqual(self.Followup.search(view["domain"]), form.record)

    def test_delivering_a_plan_closes_its_deadline(self):
        enrollment = self.enrollments[0]
        enrollment.activity_schedule(
            "training_attendance.mail_activity_followup_learning_plan", user_id=self.counselor.id
        )
        plan = self._plan(enrollment, "learning_plan")
        self.assertEqual(plan.attachment_ids.res_id, plan.id, "attached to the plan")
        self.assertEqual(plan.student_id, enrollment.student_id)
        with freeze_time("2026-09-20 10:00"):
            plan.action_deliver()
        self.assertEqual((plan.state, plan.delivered_on), ("delivered", date(2026, 9, 20)))
        self.assertFalse(self._activities(enrollment, "learning_plan"))
        self.assertEqual(enrollment.plan_count, 1)
        self.assertEqual(self.students[0].plan_count, 1)
        with self.assertRaisesRegex(UserError, "is Delivered"):
            plan.action_deliver()
        with self.assertRaisesRegex(UserError, "kept"):
            plan.unlink()
        with self.assertRaisesRegex(AccessError, "campus manager"):
            plan.action_reset()
        plan.with_user(self.manager).action_reset()
        self.assertEqual((plan.state, plan.delivered_on), ("draft", False))

    # ------------------------------------------------------------------ bad input
    def test_bad_followups_are_refused(self):
        enrollment, other = self.enrollments[:2]
        routine = enrollment.activity_schedule(
            "training_attendance.mail_activity_followup_routine", user_id=self.counselor.id
        )
        Followup = self.Followup.with_user(self.counselor)
        before = self.Followup.search_count([])
        good = {"student_id": enrollment.student_id.id, "kind": "routine", "summary": "Call"}
        for bad, message in (
            ({"enrollment_id": other.id}, "enrolment .* is Student 001's, not Student 000's"),
            ({"date": datetime.now() + timedelta(days=1)}, "cannot be later than now"),
            ({"summary": "   "}, "Write the summary"),
            ({"student_id": self.guardian.id}, "is not a student"),
        ):
            with self.assertRaisesRegex(ValidationError, message):
                Followup.create(dict(good, **bad))
        self.assertEqual(self.Followup.search_count([]), before, "nothing logged")
        self.assertTrue(routine.exists(), "nothing closed")
        with self.assertRaisesRegex(ValidationError, "cannot be negative|at least|between"):
            self.policy.with_user(self.manager).write({"handover_days": -1})
        with self.assertRaisesRegex(ValidationError, "cannot be negative|at least|between"):
            self.policy.with_user(self.manager).write({"routine_first_days": 0})
        self.assertEqual((self.policy.handover_days, self.policy.routine_first_days), (2, 7))

    def test_bad_plans_are_refused(self):
        enrollment = self.enrollments[0]
        plan = (
            self.env["training.student.plan"]
            .with_user(self.counselor)
            .create({"enrollment_id": enrollment.id, "kind": "stage_summary"})
        )
        enrollment.activity_schedule(
            "training_attendance.mail_activity_followup_stage_summary", user_id=self.counselor.id
        )
        with self.assertRaisesRegex(UserError, "Attach the document"):
            plan.action_deliver()
        self.assertEqual(plan.state, "draft")
        self.assertTrue(self._activities(enrollment, "stage_summary"))
        with self.assertRaisesRegex(ValidationError, "in the future"):
            plan.delivered_on = date.today() + timedelta(days=2)


@tagged("post_install", "-at_install")
class TestFollowupCadence(FollowupCase):
    """SPEC §5: routine follow-ups weekly for two months, then every two weeks; a growth
    record monthly; the daily job, twice, creates nothing twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls.enrollments[0]
        # the first lesson was on Wednesday 2 September 2026
        cls.enrollments.sudo().write({"date_first_lesson": date(2026, 9, 2)})
        # the job leaves out the other enrolments of the database (demo data)
        others = cls.Enrollment.sudo().search([]) - cls.enrollments
        others.followup_checked_on = date(2099, 1, 1)

    def _run(self, day):
        with freeze_time(f"{day} 01:00:00"):
            self.Enrollment._cron_followup_cadence()
        return self._activities(self.enrollment, "routine")

    def test_routine_followups_weekly_then_every_two_weeks(self):
        self.assertFalse(self._run("2026-09-08"))
        routine = self._run("2026-09-09")
        self.assertEqual(routine.date_deadline, date(2026, 9, 9))
        self.assertEqual(routine.user_id, self.counselor)
        self.assertEqual(len(self._activities(self.enrollments[1], "routine")), 1)
        self.assertEqual(self._run("2026-09-09"), routine, "the same day again: nothing")
        self.assertEqual(self._run("2026-09-11"), routine, "still open: not duplicated")
        with freeze_time("2026-09-12 10:00"):  # a Saturday call
            self._log(self.enrollment, "routine")
        self.assertFalse(routine.exists(), "the follow-up closes it")
        self.assertFalse(self._run("2026-09-18"))
        routine = self._run("2026-09-19")
        self.assertEqual(routine.date_deadline, date(2026, 9, 21), "Saturday: due Monday")
        # the last week of the first two months (until 2 November)
        with freeze_time("2026-10-30 10:00"):
            self._log(self.enrollment, "routine")
        self.assertFalse(self._run("2026-11-05"))
        self.assertEqual(self._run("2026-11-06").date_deadline, date(2026, 11, 6), "weekly")
        # afterwards, every two weeks
        with freeze_time("2026-11-03 10:00"):
            self._log(self.enrollment, "routine")
        self.assertFalse(self._run("2026-11-16"))
        self.assertEqual(self._run("2026-11-17").date_deadline, date(2026, 11, 17))
        self.assertEqual(self._run("2026-11-18").date_deadline, date(2026, 11, 17))

    def test_growth_record_at_least_monthly(self):
        def growth(day):
            self._run(day)
            return self._activities(self.enrollment, "growth_record")

        self.assertFalse(growth("2026-10-01"))
        activity = growth("2026-10-02")
        self.assertEqual(activity.date_deadline, date(2026, 10, 2), "30 days after")
        with freeze_time("2026-10-05 10:00"):
            self._plan(self.enrollment, "growth_record").action_deliver()
        self.assertFalse(activity.exists(), "delivering the record closes it")
        self.assertFalse(growth("2026-11-03"))
        self.assertEqual(growth("2026-11-04").date_deadline, date(2026, 11, 4))

    def test_only_active_enrolments_with_a_first_lesson(self):
        self.enrollments[1]._suspend(date(2026, 9, 5), "Travelling")
        self.enrollments[2].sudo().date_first_lesson = False
        self._run("2026-10-05")
        self.assertTrue(self._activities(self.enrollment, "routine"))
        self.assertFalse(self._activities(self.enrollments[1], "routine"))
        self.assertFalse(self._activities(self.enrollments[2], "routine"))

    def test_job_in_batches_resumes(self):
        self.enrollments.sudo().followup_checked_on = False
        with (
            freeze_time("2026-10-05 01:00:00"),
            patch.object(training_enrollment_followup, "CADENCE_BATCH_SIZE", 2),
        ):
            done = [self.Enrollment._cron_followup_cadence() for _run in range(3)]
        self.assertEqual(done, [2, 1, 0])
        self.assertEqual(set(self.enrollments.mapped("followup_checked_on")), {date(2026, 10, 5)})
        routine = self.env["mail.activity"].search(
            [
                ("res_model", "=", "training.enrollment"),
                ("res_id", "in", self.enrollments.ids),
                ("activity_type_id", "=", self.env.ref(TYPE % "routine").id),
            ]
        )
        self.assertEqual(sorted(routine.mapped("res_id")), sorted(self.enrollments.ids))

    # ------------------------------------------------------------------ queries
    def _cadence_batch(self, size):
        students = self._students(size, prefix=f"Cadence{size}")
        enrollments = self._enroll(students, self.klass, date(2026, 9, 1))
        enrollments.sudo().write({"date_first_lesson": date(2026, 9, 2)})
        return enrollments

    def _count(self, enrollments):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time("2026-10-05 01:00:00"):
            activities = enrollments._check_followup_cadence()
            self.env.flush_all()
        return self.cr.sql_log_count - before, activities

    def test_queries_do_not_grow_with_the_batch(self):
        warmup, small, large = (self._cadence_batch(n) for n in (5, 10, 30))
        self._count(warmup)
        (count_small, small_activities), (count_large, large_activities) = (
            self._count(small),
            self._count(large),
        )
        self.assertEqual(len(small_activities), 20, "a routine follow-up and a growth record")
        self.assertEqual(len(large_activities), 60)
        self.assertEqual(
            count_small,
            count_large,
            f"10 enrolments: {count_small} queries, 30 enrolments: {count_large} queries",
        )

    def test_query_budget_of_a_batch(self):
        self._cadence_batch(30)
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time("2026-10-05 01:00:00"), self.assertQueryCount(45):  # measured 41
            self.Enrollment._cron_followup_cadence()
            self.env.flush_all()
        with freeze_time("2026-10-06 01:00:00"), self.assertQueryCount(12):  # measured 10
            self.Enrollment._cron_followup_cadence()  # the next day: all open, nothing new
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestFollowupAccess(FollowupCase):
    """SPEC §9: counselors their own students, teachers read those of their classes,
    supervisors read the campus, clerks and managers handle all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_counselor = cls._user("ta_other_counselor", "training_attendance.group_counselor")
        cls.supervisor = cls._user(
            "ta_supervisor", "training_attendance.group_counselor_supervisor"
        )
        cls.other_class = cls.klass.copy(
            {"name": "Art Friday", "teacher_id": cls.teacher2.id, "head_teacher_id": False}
        )
        cls.other_student = cls._students(1, prefix="Other", counselor=cls.other_counselor)
        cls.other_enrollment = cls._enroll(cls.other_student, cls.other_class, date(2026, 9, 1))

    def test_counselor_sees_only_the_followups_of_own_students(self):
        mine = self._log(self.enrollments[0], "routine")
        theirs = self._log(self.other_enrollment, "routine", user=self.other_counselor)
        Followup = self.Followup.with_user(self.counselor)
        self.assertEqual(Followup.search([]), mine)
        self.assertEqual(self.Followup.with_user(self.other_counselor).search([]), theirs)
        with self.assertRaises(AccessError):
            theirs.with_user(self.counselor).read(["summary"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.counselor).write({"outcome": "x"})
        with self.assertRaises(AccessError):
            Followup.create(
                {
                    "enrollment_id": self.other_enrollment.id,
                    "student_id": self.other_student.id,
                    "summary": "Not my student",
                }
            )
        # the follow-ups are the student's history: the counselor deletes none
        with self.assertRaises(AccessError):
            mine.with_user(self.counselor).unlink()
        self.assertTrue(mine.exists(), "nothing changed")

    def test_teacher_reads_those_of_their_classes(self):
        mine = self._log(self.enrollments[0], "routine")
        theirs = self._log(self.other_enrollment, "routine", user=self.other_counselor)
        self.assertEqual(self.Followup.with_user(self.teacher).search([]), mine)
        self.assertEqual(self.Followup.with_user(self.teacher2).search([]), theirs)
        with self.assertRaises(AccessError):
            mine.with_user(self.teacher).write({"outcome": "x"})
        with self.assertRaises(AccessError):
            self.Followup.with_user(self.teacher).create(
                {"enrollment_id": self.enrollments[0].id, "summary": "Homework"}
            )

    def test_supervisor_reads_the_campus_clerk_and_manager_handle_all(self):
        mine = self._log(self.enrollments[0], "routine")
        theirs = self._log(self.other_enrollment, "routine", user=self.other_counselor)
        everything = self.Followup.search(
            [("company_id", "in", (mine | theirs).sudo().company_id.ids)]
        )
        self.assertGreaterEqual(everything, mine | theirs)
        self.assertEqual(self.Followup.with_user(self.supervisor).search([]), everything)
        with self.assertRaises(AccessError):
            theirs.with_user(self.supervisor).write({"outcome": "x"})
        self.assertEqual(self.Followup.with_user(self.clerk).search([]), everything)
        theirs.with_user(self.clerk).write({"outcome": "Checked by the clerk"})
        mine.with_user(self.manager).unlink()
        self.assertFalse(mine.exists())
        # another campus sees nothing
        campus2 = self.env["res.company"].create({"name": "Campus 2"})
        self.supervisor.write({"company_ids": [Command.link(campus2.id)], "company_id": campus2.id})
        self.assertFalse(
            self.Followup.with_user(self.supervisor)
            .with_context(allowed_company_ids=campus2.ids)
            .search([])
        )

    def test_plans_of_own_students_only(self):
        plan = self._plan(self.enrollments[0], "learning_plan")
        with self.assertRaises(AccessError):
            self._plan(self.other_enrollment, "learning_plan")
        self.assertFalse(
            self.env["training.student.plan"].with_user(self.other_counselor).search([])
        )
        self.assertEqual(self.env["training.student.plan"].with_user(self.teacher).search([]), plan)
        self.assertEqual(
            self.env["training.student.plan"].with_user(self.supervisor).search([]), plan
        )

    def test_overdue_board_per_counselor(self):
        self.env["mail.activity"].search([("res_model", "=", "training.enrollment")]).unlink()
        today = date(2026, 10, 5)
        for enrollment, user in (
            (self.enrollments[0], self.counselor),
            (self.enrollments[1], self.counselor),
            (self.other_enrollment, self.other_counselor),
        ):
            enrollment.activity_schedule(
                "training_attendance.mail_activity_followup_routine",
                user_id=user.id,
                date_deadline=today - timedelta(days=3),
            )
        self.enrollments[2].activity_schedule(
            "training_attendance.mail_activity_followup_routine",
            user_id=self.counselor.id,
            date_deadline=today + timedelta(days=3),
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_followup_overdue_action"
        )
        self.assertEqual(action["res_model"], "mail.activity")
        self.assertIn("search_default_filter_date_deadline_past", action["context"])
        self.assertIn("search_default_group_by_user_id", action["context"])
        self.assertEqual(
            [view_type for _view, view_type in action["views"]], ["list", "pivot", "form"]
        )
        # what the search view's "Overdue" filter adds to the action's domain
        domain = [*literal_eval(action["domain"]), ("date_deadline", "<", today)]

        def board(user):
            Activity = self.env["mail.activity"].with_user(user)
            Activity.get_views([(view, kind) for view, kind in action["views"]])
            return dict(Activity._read_group(domain, ["user_id"], ["__count"]))

        self.assertEqual(board(self.supervisor), {self.counselor: 2, self.other_counselor: 1})
        self.assertEqual(board(self.counselor), {self.counselor: 2})
