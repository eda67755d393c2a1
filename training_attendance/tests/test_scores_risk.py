from datetime import date, datetime, time, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import TrainingCase

# the class meets on Wednesdays at 16:00 (UTC), from 2 September 2026
WEDNESDAYS = [date(2026, 9, 2) + timedelta(weeks=week) for week in range(12)]
SCORE_ENTRY = "training_attendance.mail_activity_score_entry"
CHURN_RISK = "training_attendance.mail_activity_churn_risk"
RENEWAL = "training_attendance.mail_activity_renewal"


@tagged("post_install", "-at_install")
class RiskCase(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.Score = cls.env["training.score"]
        cls.Partner = cls.env["res.partner"]

    def _validate(self, week, statuses=None, klass=None):
        """Validate the session of ``week``: ``statuses`` maps students to a status, the
        others are present."""
        day = WEDNESDAYS[week]
        session = self._session(day, klass=klass)
        with freeze_time(datetime.combine(day, time(18, 30))):
            session.action_open()
            for line in session.attendance_line_ids:
                status = (statuses or {}).get(line.student_id)
                if status:
                    line.status = status
            session.action_mark_rest_present()
            self._validate_and_follow(session)
            # what the end of the request does: balances are recomputed, rules run
            self.env.flush_all()
        return session

    def _activities(self, records, xmlid):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def _score(self, student, day, score, subject="Maths", **vals):
        return self.Score.create(
            {
                "student_id": student.id,
                "subject": subject,
                "date": day,
                "score": score,
                "kind": "monthly",
                **vals,
            }
        )


@tagged("post_install", "-at_install")
class TestScores(RiskCase):
    """SPEC §5: exam scores, entered within a week with analysis."""

    def test_score_out_of_range_is_refused_and_changes_nothing(self):
        score = self._score(self.students[0], date(2026, 9, 30), 80)
        self.assertEqual(score.state, "recorded")
        self.assertEqual(score.percentage, 80.0)
        self.assertEqual(score.subject, "Maths")
        for bad in ({"score": 120}, {"score": -1}, {"maximum": 0}, {"maximum": 50}):
            with self.assertRaisesRegex(ValidationError, "score|maximum|Score|Maximum"):
                score.write(bad)
            score.invalidate_recordset()
            self.assertEqual((score.score, score.maximum), (80.0, 100.0))
        count = self.Score.search_count([])
        with (
            self.assertRaisesRegex(ValidationError, "between 0 and its maximum"),
            self.cr.savepoint(),
        ):
            self._score(self.students[0], date(2026, 9, 30), 101)
        self.assertEqual(self.Score.search_count([]), count)
        score.write({"score": 45, "maximum": 50})
        self.assertEqual(score.percentage, 90.0)

    def test_subject_and_campus_come_from_the_enrolment(self):
        with Form(self.Score.with_user(self.teacher)) as form:
            form.student_id = self.students[1]
            form.enrollment_id = self.enrollments[1]
            form.kind = "midterm"
            form.score = 72
        score = form.record
        self.assertEqual(score.course_id, self.course)
        self.assertEqual(score.subject, "Maths G5")
        self.assertEqual(score.company_id, self.company)
        self.assertEqual(score.counselor_id, self.counselor)
        with self.assertRaisesRegex(ValidationError, "student's own"):
            score.enrollment_id = self.enrollments[0]

    @freeze_time("2026-10-01 09:00:00")
    def test_planned_exam_reminds_the_counselor_until_its_score_is_entered(self):
        self.assertEqual(self.policy.score_entry_days, 7)
        with Form(self.Score.with_context(default_state="planned").with_user(self.teacher)) as form:
            form.student_id = self.students[0]
            form.subject = "Maths"
            form.kind = "final"
            form.date = date(2026, 10, 5)
        exam = form.record
        self.assertEqual(exam.state, "planned")
        activity = self._activities(exam, SCORE_ENTRY)
        self.assertEqual(activity.user_id, self.counselor, "the student's counselor")
        self.assertEqual(activity.date_deadline, date(2026, 10, 12), "one week after the exam")
        # the exam moves: so does the deadline, and no second activity
        exam.with_user(self.teacher).date = date(2026, 10, 6)
        self.assertEqual(self._activities(exam, SCORE_ENTRY), activity)
        self.assertEqual(activity.date_deadline, date(2026, 10, 13))
        # the teacher enters the score: recorded, the counselor's activity is done
        with Form(exam.with_user(self.teacher)) as form:
            form.score = 64
            form.analysis = "Fractions still weak."
        self.assertEqual(exam.state, "recorded")
        self.assertEqual(exam.percentage, 64.0)
        self.assertFalse(self._activities(exam, SCORE_ENTRY))
        self.assertIn("Score recorded", exam.message_ids.mapped("body")[0])

    def test_a_zero_is_recorded_with_the_button(self):
        exam = self._score(self.students[0], date(2026, 10, 5), 0, state="planned")
        self.assertTrue(self._activities(exam, SCORE_ENTRY))
        self.assertEqual(exam.percentage, 0.0)
        exam.with_user(self.counselor).action_record()
        self.assertEqual(exam.state, "recorded")
        # SPEC §5: "within one week with analysis": the reminder waits for the analysis
        self.assertTrue(self._activities(exam, SCORE_ENTRY))
        exam.with_user(self.counselor).analysis = "Did not sit the exam: ill."
        self.assertFalse(self._activities(exam, SCORE_ENTRY))
        with self.assertRaisesRegex(UserError, "already recorded"):
            exam.action_record()
        # back to planned: the score is to enter again
        exam.action_plan()
        self.assertEqual(exam.state, "planned")
        self.assertEqual(len(self._activities(exam, SCORE_ENTRY)), 1)

    def test_score_access(self):
        student = self.students[0]
        score = self.Score.with_user(self.teacher).create(
            {"student_id": student.id, "subject": "Maths", "score": 55}
        )
        self.assertEqual(score.with_user(self.counselor).score, 55)
        # a teacher of another class and another counselor see nothing
        other = self._user("ta_other_counselor", "training_attendance.group_counselor")
        for user in (self.teacher2, other):
            self.assertFalse(self.Score.with_user(user).search([]))
            with self.assertRaises(AccessError):
                score.with_user(user).read(["score"])
            with self.assertRaises(AccessError), self.cr.savepoint():
                self.Score.with_user(user).create(
                    {"student_id": student.id, "subject": "Maths", "score": 1}
                )
        with self.assertRaises(AccessError):
            score.with_user(self.teacher).unlink()
        score.with_user(self.counselor).unlink()
        self.assertFalse(score.exists())


@tagged("post_install", "-at_install")
class TestChurnRisk(RiskCase):
    """SPEC §5: a monthly attendance rate below the policy's or two consecutive
    declining scores raise the churn risk and an activity for the counselor."""

    def _run_job(self, when):
        with freeze_time(when):
            for _batch in range(100):  # bounded: a job that never ends fails the test
                if not self.Partner._cron_check_churn_risk():
                    break
            else:
                self.fail("the churn-risk job did not end within 100 batches")

    def test_attendance_risk_raised_once_and_cleared(self):
        s0, s1, s2 = self.students
        self.assertEqual(self.policy.risk_attendance_rate, 50.0)
        # 2, 9, 16 September: s0 misses the last two lessons, s1 is on leave for them
        for week in range(3):
            self._validate(week, {s0: "absent", s1: "excused"} if week else {})
        self._run_job("2026-09-17 03:00:00")
        self.assertTrue(s0.churn_risk, "1 lesson attended of 3")
        self.assertEqual(s0.churn_risk_date, date(2026, 9, 17))
        self.assertIn("33 % (1 of 3 lessons), below 50 %", s0.churn_risk_reason)
        self.assertFalse(s1.churn_risk, "excused absences do not count: 1 of 1")
        self.assertFalse(s2.churn_risk)
        activity = self._activities(s0, CHURN_RISK)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.counselor)
        self.assertEqual(activity.date_deadline, date(2026, 9, 17))
        self.assertIn("33 %", str(activity.note))
        self.assertFalse(self._activities(s1 | s2, CHURN_RISK))
        # twice the same day, and the next day: nobody is notified twice
        self._run_job("2026-09-17 05:00:00")
        self._run_job("2026-09-18 03:00:00")
        self.assertEqual(self._activities(s0, CHURN_RISK), activity)
        self.assertEqual(s0.churn_risk_date, date(2026, 9, 17))
        # four lessons attended: 4 of 5 over the last month, the risk clears
        for week in range(3, 7):  # 23, 30 September, 7, 14 October
            self._validate(week)
        self._run_job("2026-10-15 03:00:00")
        self.assertFalse(s0.churn_risk)
        self.assertFalse(s0.churn_risk_reason)
        self.assertFalse(s0.churn_risk_date)
        self.assertFalse(activity.exists(), "the open risk activity is taken away")
        # the policy's rate is a setting: at 90 %, 4 of 5 is a risk again
        self.policy.risk_attendance_rate = 90
        self._run_job("2026-10-16 03:00:00")
        self.assertTrue(s0.churn_risk)
        self.assertIn("80 % (4 of 5 lessons), below 90 %", s0.churn_risk_reason)
        self.assertEqual(len(self._activities(s0, CHURN_RISK)), 1, "a new raise, a new activity")

    def test_declining_scores_raise_and_clear(self):
        s0, s1, _s2 = self.students
        days = [date(2026, 9, 10), date(2026, 9, 20), date(2026, 9, 30), date(2026, 10, 10)]
        # s0: 90, 80, 70 % in Maths (the English one in between does not matter)
        self._score(s0, days[0], 90)
        self._score(s0, days[1], 40, maximum=50)
        self._score(s0, days[1], 60, subject="English")
        self._score(s0, days[2], 70)
        # s1: 90, 90, 80: not two consecutive declines
        for day, score in zip(days, (90, 90, 80), strict=False):
            self._score(s1, day, score)
        # a planned exam does not count
        self._score(s1, days[3], 0, state="planned")
        self._run_job("2026-10-01 03:00:00")
        self.assertTrue(s0.churn_risk)
        self.assertEqual(s0.churn_risk_reason, "Scores declining in Maths: 90 % > 80 % > 70 %.")
        self.assertFalse(s1.churn_risk)
        self.assertEqual(len(self._activities(s0, CHURN_RISK)), 1)
        # a better score: the last three are 80, 70, 85: the risk clears
        self._score(s0, days[3], 85)
        self._run_job("2026-10-11 03:00:00")
        self.assertFalse(s0.churn_risk)
        self.assertFalse(self._activities(s0, CHURN_RISK))

    def test_job_resumes_batch_by_batch(self):
        students = self._students(5, prefix="Batch")
        self._enroll(students, self.klass, date(2026, 9, 1))
        everybody = self.students | students
        self._validate(0, dict.fromkeys(everybody, "absent"))
        Partner = self.Partner.with_context(active_test=False)
        scope = Partner.search(Partner._churn_risk_scope(), order="id")
        self.assertLessEqual(everybody, scope, "other students (demo data) may be there too")
        params = self.env["ir.config_parameter"]
        with freeze_time("2026-09-03 03:00:00"):
            done = []
            while not done or done[-1]:
                done.append(self.Partner._cron_check_churn_risk(batch_size=3))
                self.assertLess(len(done), 100)
            self.assertEqual(sum(done), len(scope))
            self.assertEqual(done[:-2], [3] * (len(done) - 2), "full batches, then the rest")
            self.assertEqual(
                params.get_param("training_attendance.churn_risk_cursor"),
                f"2026-09-03:{scope[-1].id}",
            )
            self.assertEqual(self.Partner._cron_check_churn_risk(batch_size=3), 0, "done today")
        self.assertTrue(all(everybody.mapped("churn_risk")))
        self.assertEqual(len(self._activities(everybody, CHURN_RISK)), 8)
        with freeze_time("2026-09-04 03:00:00"):
            self.assertEqual(
                self.Partner._cron_check_churn_risk(batch_size=len(scope)), len(scope), "a new day"
            )
            self.assertEqual(self.Partner._cron_check_churn_risk(batch_size=len(scope)), 0)
        self.assertEqual(len(self._activities(everybody, CHURN_RISK)), 8, "no second activity")

    def _risky_class(self, size):
        """``size`` students, absent from their only lesson and with declining scores."""
        klass = self.klass.copy({"name": f"Risk class of {size}"})
        students = self._students(size, prefix=f"Risk{size}")
        self._enroll(students, klass, date(2026, 9, 1))
        self._validate(0, dict.fromkeys(students, "absent"), klass=klass)
        self.Score.create(
            [
                {"student_id": student.id, "subject": "Maths", "date": day, "score": score}
                for student in students
                for day, score in (
                    (date(2026, 9, 5), 90),
                    (date(2026, 9, 6), 80),
                    (date(2026, 9, 7), 70),
                )
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        return students

    def _count_queries(self, students):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time("2026-09-08 03:00:00"):
            students._check_churn_risk()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_job_queries_do_not_grow_with_the_students(self):
        """A batch of the job costs the same queries for 10 or 30 students, all raised (a
        flag, a reason and an activity each), cache cold; a quiet day costs fewer."""
        small, large, warmup = self._risky_class(10), self._risky_class(30), self._risky_class(3)
        self._count_queries(warmup)
        counts = []
        for students in (small, large):
            self.env.flush_all()
            self.cr.flush()  # what building the classes left to do, out of the count
            self.env.invalidate_all()
            with self.assertQueryCount(22), freeze_time("2026-09-08 03:00:00"):
                before = self.cr.sql_log_count
                students._check_churn_risk()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1], f"10 students: {counts[0]}, 30: {counts[1]}")
        self.assertTrue(all((small | large).mapped("churn_risk")))
        self.assertEqual(len(self._activities(small, CHURN_RISK)), 10)
        self.assertEqual(len(self._activities(large, CHURN_RISK)), 30)
        for students in (small, large):
            self.env.invalidate_all()
            with self.assertQueryCount(7), freeze_time("2026-09-09 03:00:00"):
                students._check_churn_risk()

    def test_flag_shows_on_the_student(self):
        self._validate(0, {self.students[0]: "absent"})
        self._run_job("2026-09-03 03:00:00")
        Student = self.Partner.with_user(self.counselor)
        self.assertEqual(
            Student.search([("is_student", "=", True), ("churn_risk", "=", True)]),
            self.students[0],
        )
        form = Form(self.students[0].with_user(self.counselor))
        self.assertTrue(form.churn_risk)
        self.assertIn("0 %", form.churn_risk_reason)


@tagged("post_install", "-at_install")
class TestRenewal(RiskCase):
    """SPEC §5: below ``renewal_hours_threshold`` hours remaining, a renewal activity for
    the counselor, once per crossing."""

    def test_renewal_fires_once_and_again_after_a_renewal(self):
        enrollment = self.enrollments[0]
        enrollment.hours_purchased = 8
        self.assertEqual(self.policy.renewal_hours_threshold, 6)
        self._validate(0)  # 6 hours left: not below
        self.assertEqual(enrollment.hours_remaining, 6)
        self.assertFalse(self._activities(enrollment, RENEWAL))
        self.assertFalse(enrollment.renewal_notified)
        self._validate(1)  # 4 hours left: the counselor is told
        first = self._activities(enrollment, RENEWAL)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.user_id, self.counselor)
        self.assertEqual(first.date_deadline, WEDNESDAYS[1])
        self.assertIn("4.0 hours left", first.summary)
        self.assertTrue(enrollment.renewal_notified)
        self._validate(2)  # 2 hours left: still the same activity
        self.assertEqual(self._activities(enrollment, RENEWAL), first)
        self.assertFalse(self._activities(self.enrollments[1:], RENEWAL), "36 hours left")
        # a paid renewal invoice adds 4 hours: back at 6, the marker is reset
        enrollment.hours_purchased += 4
        self.env.flush_all()
        self.assertEqual(enrollment.hours_remaining, 6)
        self.assertFalse(enrollment.renewal_notified)
        self.assertFalse(first.exists(), "the renewal activity is done")
        # and the next lesson brings it below again: a second activity
        self._validate(3)
        second = self._activities(enrollment, RENEWAL)
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second, first)
        # the daily backstop finds nothing more to do
        self.assertEqual(self.env["training.enrollment"]._cron_check_renewals(), 0)
        self.assertEqual(self._activities(enrollment, RENEWAL), second)

    def test_backstop_job_follows_the_policy_threshold(self):
        self.assertFalse(self._activities(self.enrollments, RENEWAL))
        # the threshold is raised above every balance (40 hours): the job tells all three
        self.policy.renewal_hours_threshold = 41
        Enrollment = self.env["training.enrollment"]
        with freeze_time("2026-09-10 03:00:00"):
            self.assertEqual(Enrollment._cron_check_renewals(batch_size=2), 2)
            self.assertEqual(Enrollment._cron_check_renewals(batch_size=2), 1)
            self.assertEqual(Enrollment._cron_check_renewals(batch_size=2), 0)
        self.assertEqual(len(self._activities(self.enrollments, RENEWAL)), 3)
        self.assertTrue(all(self.enrollments.mapped("renewal_notified")))
        # back down: the markers are reset, the activities done
        self.policy.renewal_hours_threshold = 6
        self.assertEqual(Enrollment._cron_check_renewals(), 3)
        self.assertFalse(any(self.enrollments.mapped("renewal_notified")))
        self.assertFalse(self._activities(self.enrollments, RENEWAL))

    def test_enrolment_without_counselor_is_told_once_one_is_named(self):
        enrollment = self.enrollments[2]
        enrollment.counselor_id = False
        enrollment.hours_purchased = 2
        self.env.flush_all()
        self.assertFalse(enrollment.renewal_notified, "nobody to tell yet")
        Enrollment = self.env["training.enrollment"]
        self.assertEqual(Enrollment._cron_check_renewals(), 0, "and the job does not loop on it")
        enrollment.counselor_id = self.counselor
        self.assertEqual(Enrollment._cron_check_renewals(), 1)
        self.assertEqual(self._activities(enrollment, RENEWAL).user_id, self.counselor)
        self.assertTrue(enrollment.renewal_notified)

    def test_withdrawn_enrolment_gets_no_renewal_activity(self):
        enrollment = self.enrollments[2]
        enrollment._withdraw(date(2026, 9, 5), "Moved away")
        enrollment.hours_purchased = 2
        self.env.flush_all()
        self.assertFalse(self._activities(enrollment, RENEWAL))
        self.assertFalse(enrollment.renewal_notified)

    def test_renewal_rule_is_tunable_data(self):
        rule = self.env.ref("training_attendance.automation_enrollment_renewal")
        self.assertTrue(rule.active)
        self.assertEqual(rule.trigger, "on_create_or_write")
        self.assertIn("hours_remaining", rule.trigger_field_ids.mapped("name"))
        # an administrator switches it off: only the daily backstop tells the counselor
        rule.active = False
        enrollment = self.enrollments[0]
        enrollment.hours_purchased = 3
        self.env.flush_all()
        self.assertFalse(self._activities(enrollment, RENEWAL))
        self.env["training.enrollment"]._cron_check_renewals()
        self.assertEqual(len(self._activities(enrollment, RENEWAL)), 1)
