from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase

# The class meets on Wednesdays at 16:00 (UTC); 7 October 2026 is a Wednesday.
WEDNESDAY = date(2026, 10, 7)


@tagged("post_install", "-at_install")
class TestMakeup(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Makeup = cls.env["training.makeup"]
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.s0, cls.s1, cls.s2 = cls.students
        cls.other_class = cls.klass.copy({"name": "Maths G5 Friday", "teacher_id": cls.teacher2.id})
        cls.other_students = cls._students(1, prefix="Friday")
        cls._enroll(cls.other_students, cls.other_class, date(2026, 9, 1))

    def _take(self, session, absent=(), excused=(), late=(), early=()):
        """Open, mark and validate ``session`` (everyone else present)."""
        session.action_open()
        for line in session.attendance_line_ids:
            if line.student_id in early:
                line.action_add_left_early()
            elif line.student_id in absent:
                line.action_set_absent()
            elif line.student_id in excused:
                line.action_set_excused()
            elif line.student_id in late:
                line.action_add_late()
        session.action_mark_rest_present()
        self._validate_and_follow(session)

    def _makeups(self, session):
        return self.Makeup.search([("missed_session_id", "=", session.id)]).sorted(
            lambda m: m.student_id.name
        )

    def _makeup_session(self, day, hour=10):
        session = self._session(day, hour=hour)
        session.kind = "makeup"
        return session

    @staticmethod
    def _line(session, student):
        return session.attendance_line_ids.filtered(lambda line: line.student_id == student)

    # ------------------------------------------------------------------ creation
    def test_validation_creates_one_makeup_per_absence_once(self):
        session = self._session(WEDNESDAY)
        self._take(session, absent=self.s0, excused=self.s1)
        makeups = self._makeups(session)
        self.assertEqual(makeups.student_id, self.s0 | self.s1)
        self.assertEqual(makeups.line_id.mapped("status"), ["absent", "excused"])
        self.assertEqual(set(makeups.mapped("state")), {"to_plan"})
        self.assertEqual(makeups.teacher_id, self.teacher)
        self.assertEqual(makeups.enrollment_id, self.enrollments[:2])
        self.assertEqual(makeups.company_id, self.company)
        self.assertEqual(makeups[0].date_due, date(2026, 10, 21), "policy: 14 days")
        # a second pass adds none
        self.Makeup._sync_lines(session.attendance_line_ids)
        self.assertEqual(self._makeups(session), makeups)
        # a clerk's corrections: absent later gets a make-up, present cancels it
        self._line(session, self.s2).with_user(self.clerk).status = "absent"
        self._line(session, self.s0).with_user(self.clerk).status = "present"
        makeups = self._makeups(session)
        self.assertEqual(makeups.student_id, self.students)
        self.assertEqual(makeups.mapped("state"), ["cancelled", "to_plan", "to_plan"])

    # ------------------------------------------------------------------ planning
    @freeze_time("2026-10-08 10:00:00")
    def test_plan_into_a_makeup_session_attended_done_absent_missed(self):
        missed = self._session(WEDNESDAY)
        self._take(missed, absent=self.s0 | self.s1)
        m0, m1 = self._makeups(missed)
        session = self._makeup_session(date(2026, 10, 10))
        for makeup in (m0, m1):
            with Form(makeup.with_user(self.teacher)) as form:
                form.mode = "group"
                form.session_id = session
            makeup.with_user(self.teacher).action_plan()
        self.assertEqual((m0 | m1).mapped("state"), ["planned", "planned"])
        self.assertEqual(m0.date_planned, datetime(2026, 10, 10, 10, 0))
        self.assertFalse(session.attendance_line_ids, "a planned session has no line yet")
        session.with_user(self.teacher).action_open()
        lines = session.attendance_line_ids
        self.assertEqual(lines.student_id, self.s0 | self.s1, "only the make-up students")
        self.assertEqual(lines.makeup_id, m0 | m1)
        self.assertFalse(lines.enrollment_id, "a make-up seat uses no enrolment")
        self._line(session, self.s1).with_user(self.teacher).action_set_absent()
        session.with_user(self.teacher).action_mark_rest_present()
        # validated once the make-up lesson has started (issue #17)
        with freeze_time("2026-10-10 12:00:00"):
            self._validate_and_follow(session.with_user(self.teacher))
        self.assertEqual(m0.state, "done")
        self.assertEqual(m0.date_done, datetime(2026, 10, 10, 12, 0))
        self.assertEqual(m1.state, "missed")
        self.assertFalse(self._makeups(session), "a missed make-up gets no make-up of its own")

    @freeze_time("2026-10-08 10:00:00")
    def test_makeup_seat_in_another_classs_regular_session(self):
        missed = self._session(WEDNESDAY)
        self._take(missed, absent=self.students)
        m0, m1, m2 = self._makeups(missed)
        planned = self._session(date(2026, 10, 9), klass=self.other_class)
        opened = self._session(date(2026, 10, 9), klass=self.other_class, hour=9)
        opened.action_open()
        m0.with_user(self.clerk).write({"session_id": planned.id})
        m1.with_user(self.clerk).write({"session_id": opened.id})
        (m0 | m1).with_user(self.clerk).action_plan()
        # an open session gets the student's line at once
        self.assertEqual(opened.attendance_line_ids.student_id, self.other_students | self.s1)
        self.assertEqual(self._line(opened, self.s1).makeup_id, m1)
        self.assertEqual(self._line(opened, self.s1).status, "pending")
        # a planned one when it is opened, with its own students
        self.assertFalse(planned.attendance_line_ids)
        planned.with_user(self.teacher2).action_open()
        self.assertEqual(planned.attendance_line_ids.student_id, self.other_students | self.s0)
        self.assertEqual(self._line(planned, self.s0).makeup_id, m0)
        # a session of the student's own class is no make-up
        own = self._session(date(2026, 10, 14))
        m2.session_id = own
        with self.assertRaisesRegex(ValidationError, "cannot host the make-up"):
            m2.action_plan()
        self.assertEqual(m2.state, "to_plan")
        self.assertFalse(own.attendance_line_ids)

    def test_online_replay_needs_a_link(self):
        missed = self._session(WEDNESDAY)
        self._take(missed, absent=self.s0)
        makeup = self._makeups(missed).with_user(self.counselor)
        makeup.mode = "online_replay"
        with self.assertRaisesRegex(ValidationError, "online replay: give the replay link"):
            makeup.action_plan()
        self.assertEqual(makeup.state, "to_plan")
        makeup.replay_url = "https://replay.example.com/maths-g5/2026-10-07"
        makeup.action_plan()
        self.assertEqual(makeup.state, "planned")
        with freeze_time("2026-10-09 18:00:00"):
            makeup.write({"assessment": "Watched, exercises done", "satisfaction": "4"})
            makeup.action_done()
        self.assertEqual(makeup.state, "done")
        self.assertEqual(makeup.date_done, datetime(2026, 10, 9, 18, 0))

    @freeze_time("2026-10-12 10:00:00")
    def test_planning_into_a_past_session_is_refused(self):
        missed = self._session(WEDNESDAY)
        self._take(missed, absent=self.s0)
        makeup = self._makeups(missed)
        past = self._makeup_session(date(2026, 10, 10))
        makeup.session_id = past
        with self.assertRaisesRegex(ValidationError, "in the past or closed"):
            makeup.with_user(self.teacher).action_plan()
        self.assertEqual(makeup.state, "to_plan")
        self.assertFalse(past.attendance_line_ids)
        with self.assertRaisesRegex(ValidationError, "in the past or closed"):
            makeup.write({"state": "planned"})
        self.assertEqual(makeup.state, "to_plan")
        # without a session at all
        makeup.session_id = False
        with self.assertRaisesRegex(ValidationError, "Choose the make-up session"):
            makeup.action_plan()
        self.assertEqual(makeup.state, "to_plan")

    def test_replanning_frees_the_pending_seat(self):
        missed = self._session(WEDNESDAY)
        self._take(missed, absent=self.s0)
        makeup = self._makeups(missed)
        with freeze_time("2026-10-08 10:00:00"):
            session = self._makeup_session(date(2026, 10, 10))
            session.action_open()
            makeup.session_id = session
            makeup.action_plan()
            self.assertEqual(session.attendance_line_ids.makeup_id, makeup)
            makeup.action_reset_to_plan()
        self.assertEqual(makeup.state, "to_plan")
        self.assertFalse(makeup.session_id)
        self.assertFalse(session.attendance_line_ids)

    # ------------------------------------------------------------------ completion
    def test_completion_rate_per_teacher_and_campus(self):
        first = self._session(WEDNESDAY)
        self._take(first, absent=self.students)
        later = self._session(date(2026, 10, 14))
        self._take(later, absent=self.s0)
        done, missed, overdue = self._makeups(first)
        recent = self._makeups(later)
        done.write({"state": "done"})
        missed.write({"state": "missed", "teacher_id": self.teacher2.id})
        with freeze_time("2026-10-25 12:00:00"):  # 18 and 11 days after
            due_here = [("is_due", "=", True), ("company_id", "=", self.company.id)]
            self.assertEqual(self.Makeup.search(due_here), done | missed | overdue)
            self.assertEqual(
                (done | missed | overdue | recent).mapped("is_due"), [True, True, True, False]
            )
            by_teacher = self.Makeup._completion_rates("teacher_id")
            self.assertEqual(by_teacher[self.teacher], (1, 2, 50.0))
            self.assertEqual(by_teacher[self.teacher2], (0, 1, 0.0))
            done_count, due, rate = self.Makeup._completion_rates("company_id")[self.company]
            self.assertEqual((done_count, due), (1, 3))
            self.assertAlmostEqual(rate, 100 / 3)
            # the pivot's measure: the average completion of the due make-ups
            [(avg,)] = self.Makeup._read_group(due_here, [], ["completion:avg"])
            self.assertAlmostEqual(avg, 100 / 3)
            # the campus policy's delay is followed at once
            self.policy.makeup_due_days = 20
            overdue.invalidate_recordset(["is_due"])
            self.assertFalse(overdue.is_due)
            self.assertEqual(self.Makeup._completion_rates("company_id")[self.company][:2], (1, 2))

    # ------------------------------------------------------------------ reward
    def test_reward_list_follows_the_policy_weeks(self):
        # Wednesdays 9 September to 7 October: s1 late once, s2 absent the first week
        for day in (9, 16, 23, 30):
            self._take(
                self._session(date(2026, 9, day)),
                absent=self.s2 if day == 9 else (),
                late=self.s1 if day == 16 else (),
            )
        self._take(self._session(WEDNESDAY), late=self.s0)  # in the week of the date

        def rewarded(weeks):
            self.policy.reward_weeks = weeks
            with Form(self.env["training.reward.wizard"].with_user(self.counselor)) as form:
                form.date = date(2026, 10, 8)
                self.assertEqual(form.reward_weeks, weeks)
            return form.record.student_ids

        self.assertEqual(rewarded(4), self.s0, "s1 was late, s2 missed a week")
        self.assertEqual(rewarded(3), self.s0 | self.s2, "s2's absence is out of 3 weeks")
        self.assertFalse(rewarded(5), "no session in the fifth week back")
        wizard = self.env["training.reward.wizard"].create({"date": date(2026, 10, 8)})
        action = wizard.action_open_students()
        self.assertEqual(action["domain"], [("id", "in", wizard.student_ids.ids)])
        with self.assertRaisesRegex(ValidationError, "at least one week"):
            self.policy.reward_weeks = 0
        self.assertEqual(self.policy.reward_weeks, 5)

    def test_an_early_leave_also_keeps_a_student_off_the_reward_list(self):
        for day in (9, 16, 23, 30):
            self._take(self._session(date(2026, 9, day)), early=self.s1 if day == 23 else ())
        with Form(self.env["training.reward.wizard"].with_user(self.counselor)) as form:
            form.date = date(2026, 10, 8)
        self.assertEqual(form.record.student_ids, self.s0 | self.s2)

    # ------------------------------------------------------------------ access
    def test_access_of_teacher_counselor_and_clerk(self):
        missed = self._session(WEDNESDAY)
        self._take(missed, absent=self.s0)
        makeup = self._makeups(missed)
        # the class's teacher reads and assesses, does not create
        makeup.with_user(self.teacher).write({"assessment": "Revised fractions"})
        with self.assertRaises(AccessError):
            self.Makeup.with_user(self.teacher).create({"line_id": makeup.line_id.id})
        # another teacher sees it only once they teach the make-up
        self.assertFalse(self.Makeup.with_user(self.teacher2).search([("id", "=", makeup.id)]))
        with freeze_time("2026-10-08 10:00:00"):
            seat = self._session(date(2026, 10, 9), klass=self.other_class)
            makeup.with_user(self.counselor).write({"session_id": seat.id})
            makeup.with_user(self.counselor).action_plan()
        self.assertEqual(makeup.teacher_id, self.teacher2)
        self.assertEqual(
            self.Makeup.with_user(self.teacher2).search([("id", "=", makeup.id)]), makeup
        )
        # another counselor's students are out of sight
        counselor2 = self._user("ta_counselor2", "training_attendance.group_counselor")
        self.assertFalse(self.Makeup.with_user(counselor2).search([("id", "=", makeup.id)]))
        with self.assertRaises(AccessError):
            makeup.with_user(counselor2).write({"assessment": "x"})
        # the clerk manages all
        self.assertEqual(self.Makeup.with_user(self.clerk).search([("id", "=", makeup.id)]), makeup)
        makeup.with_user(self.clerk).action_reset_to_plan()
        self.assertEqual(makeup.state, "to_plan")
