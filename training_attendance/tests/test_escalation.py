import base64
from datetime import date, datetime, time, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TrainingCase, enroll

# the class meets on Wednesdays at 16:00 (UTC); sessions are validated at 18:30
WEDNESDAYS = [date(2026, 9, 2) + timedelta(weeks=week) for week in range(8)]
ACTIVITY_TYPE = "training_attendance.mail_activity_escalation"


@tagged("post_install", "-at_install")
class TestEscalation(TrainingCase):
    """SPEC §4: the escalation ladder on unexcused absences and the cause analysis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head = cls._user("ta_head", "training_attendance.group_counselor")
        cls.director = cls._user("ta_director", "training_attendance.group_director")
        cls.klass.head_teacher_id = cls.head
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.policy.campus_director_id = cls.director
        cls.student = cls.students[0]
        cls.enrollment = cls.enrollments[0]
        cls.Escalation = cls.env["training.escalation"]

    def _run(self, week, marks=None, klass=None, students=None):
        """Open, mark (student index -> vals) and validate, as the teacher, the session of
        ``week``; the other students are present."""
        day = WEDNESDAYS[week]
        session = self._session(day, klass=klass).with_user(self.teacher)
        with freeze_time(datetime.combine(day, time(18, 30))):
            session.action_open()
            lines = {line.student_id: line for line in session.attendance_line_ids}
            for index, vals in (marks or {}).items():
                lines[(students or self.students)[index]].write(vals)
            session.action_mark_rest_present()
            self._validate_and_follow(session)
        return lines

    def _absent(self, week, *indexes):
        return self._run(week, {index: {"status": "absent"} for index in indexes})

    def _escalations(self, enrollment=None):
        return self.Escalation.search(
            [("enrollment_id", "=", (enrollment or self.enrollment).id)], order="id"
        )

    def _activities(self, escalations):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "training.escalation"),
                    ("res_id", "in", escalations.ids),
                    ("activity_type_id", "=", self.env.ref(ACTIVITY_TYPE).id),
                ]
            )
        )

    def _letter(self, user):
        return (
            self.env["ir.attachment"]
            .with_user(user)
            .create(
                {
                    "name": "commitment.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 signed letter"),
                    "res_model": "training.escalation",
                    "res_id": 0,
                }
            )
        )

    def _jump(self, absences, student_index=0):
        """Validate ``absences`` sessions with everybody present, then have the clerk
        correct the student's lines to absent in one write."""
        lines = self.env["training.attendance.line"]
        for week in range(absences):
            lines |= self._run(week)[self.students[student_index]]
        with freeze_time(datetime.combine(WEDNESDAYS[absences], time(9, 0))):
            lines.with_user(self.clerk).write({"status": "absent"})
        return lines

    # ------------------------------------------------------------------ the ladder
    def test_absences_count_per_enrolment(self):
        """A student in two classes: the absences of one enrolment do not climb the
        ladder of the other."""
        other = self.klass.copy({"name": "Maths G5 Friday"})
        second = self._enroll(self.student, other, date(2026, 9, 1))
        self._absent(0, 0)
        self._run(1, {0: {"status": "absent"}}, klass=other, students=self.student)
        self.assertEqual(self._escalations().mapped("level"), ["reminder"])
        self.assertEqual(self._escalations(second).mapped("level"), ["reminder"])
        self._absent(2, 0)
        self.assertEqual(self._escalations().mapped("level"), ["reminder", "commitment"])
        self.assertEqual(self._escalations(second).mapped("level"), ["reminder"])

    def test_ladder_with_default_thresholds(self):
        self.assertEqual(
            (
                self.policy.commitment_threshold,
                self.policy.warning_threshold,
                self.policy.cancellation_threshold,
            ),
            (2, 3, 5),
            "SPEC defaults",
        )
        # 1st unexcused absence: a reminder to the guardian, by the attendance clerk
        self._absent(0, 0)
        reminder = self._escalations()
        self.assertEqual(reminder.mapped("level"), ["reminder"])
        self.assertEqual(reminder.count, 1)
        self.assertEqual(reminder.user_id, self.clerk)
        self.assertEqual(reminder.date_deadline, WEDNESDAYS[0] + timedelta(days=2))
        self.assertEqual(reminder.state, "open")
        self.assertFalse(self._escalations(self.enrollments[1]), "present: nothing")
        # 2nd: commitment with the head teacher, and a cause analysis proposed
        self._absent(1, 0)
        commitment = self._escalations() - reminder
        self.assertEqual(commitment.level, "commitment")
        self.assertEqual(commitment.count, 2)
        self.assertEqual(commitment.user_id, self.head)
        analysis = commitment.analysis_ids
        self.assertEqual(len(analysis), 1)
        self.assertEqual(analysis.state, "draft")
        self.assertEqual(analysis.enrollment_id, self.enrollment)
        self.assertEqual(analysis.student_id, self.student)
        self.assertEqual(analysis.participant_ids, self.head)
        # 3rd: academic warning by the campus manager, a partial suspension (no make-up
        # nor trial class for 30 days, the student keeps attending), special meeting the
        # next day
        self._absent(2, 0)
        warning = self._escalations() - reminder - commitment
        self.assertEqual(warning.level, "warning")
        self.assertEqual(warning.user_id, self.manager)
        self.assertEqual(warning.date_deadline, WEDNESDAYS[2] + timedelta(days=1))
        self.assertEqual(self.enrollment.state, "active")
        self.assertEqual(
            self.enrollment.privileges_suspended_until, WEDNESDAYS[2] + timedelta(days=30)
        )
        self.assertIn("special meeting", warning.message_ids[:1].body)
        # the 4th absence adds nothing
        self._absent(3, 0)
        self.assertEqual(len(self._escalations()), 3)
        # 5th: the proposal to cancel, for the campus manager
        self._absent(4, 0)
        cancellation = self._escalations()[-1]
        self.assertEqual(cancellation.level, "cancellation")
        self.assertEqual(cancellation.count, 5)
        self.assertEqual(cancellation.user_id, self.manager)
        self.assertEqual(cancellation.date_deadline, WEDNESDAYS[4] + timedelta(days=3))
        self.assertEqual(self.enrollment.state, "active", "only a proposal")

    def test_absence_equivalents_count(self):
        # 2-hour lesson, lateness threshold 50 %: 60 minutes late is one absence
        self._run(0, {0: {"late_minutes": 50}})
        self.assertFalse(self._escalations())
        self._run(1, {0: {"late_minutes": 15}})
        reminder = self._escalations()
        self.assertEqual(reminder.level, "reminder", "65 minutes crossed the threshold")
        self._absent(2, 0)
        self.assertEqual(self._escalations().mapped("level"), ["reminder", "commitment"])
        self.assertEqual(self._escalations()[-1].count, 2)
        self.assertEqual(self.enrollment._unexcused_absence_counts(), {self.enrollment.id: 2})

    def test_excused_absences_do_not_count(self):
        for week in range(3):
            self._run(week, {0: {"status": "excused"}})
        self.assertFalse(self._escalations())
        counts = self.enrollments._unexcused_absence_counts()
        self.assertEqual(set(counts.values()), {0})

    def test_sessions_not_validated_do_not_count(self):
        session = self._session(WEDNESDAYS[0]).with_user(self.teacher)
        session.action_open()
        session.attendance_line_ids.write({"status": "absent"})
        self.enrollments._check_escalations()
        self.assertFalse(self.Escalation.search([("enrollment_id", "in", self.enrollments.ids)]))

    def test_each_level_fires_once(self):
        self._absent(0, 0)
        reminder = self._escalations()
        reminder.with_user(self.counselor).write({"outcome": "Guardian called"})
        reminder.with_user(self.counselor).action_done()
        self._run(1)  # another validation, the student present
        self.enrollments._check_escalations()
        self.enrollments._check_escalations()
        self.assertEqual(self._escalations(), reminder)
        self.assertEqual(len(reminder.activity_ids), 0, "done: its activity is closed")
        self.assertFalse(self._activities(reminder), "nor kept archived")
        # a clerk's correction that changes nothing fires nothing either
        line = self._run(2)[self.student]
        line.with_user(self.clerk).write({"note": "checked"})
        self.assertEqual(self._escalations(), reminder)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(IntegrityError, "enrollment_level_live_uniq"),
            self.cr.savepoint(),
        ):
            self.Escalation.create(
                {"enrollment_id": self.enrollment.id, "level": "reminder", "count": 1}
            )

    def test_a_jump_fires_several_levels_at_once(self):
        self._jump(3)
        escalations = self._escalations()
        self.assertEqual(escalations.mapped("level"), ["reminder", "commitment", "warning"])
        self.assertEqual(escalations.mapped("count"), [3, 3, 3])
        self.assertEqual(self.enrollment.state, "active", "partially suspended only")
        self.assertTrue(self.enrollment.privileges_suspended_until)
        self.assertEqual(len(self._activities(escalations)), 3)
        self.assertEqual(self.enrollment.escalation_count, 3)
        action = self.enrollment.action_view_escalations()
        self.assertEqual(self.Escalation.search(action["domain"]), escalations)

    # ------------------------------------------------------------------ closing the steps
    def test_commitment_needs_the_signed_letter(self):
        self._absent(0, 0)
        self._absent(1, 0)
        commitment = self._escalations().filtered(lambda e: e.level == "commitment")
        commitment = commitment.with_user(self.head)
        commitment.outcome = "Plan agreed with the mother"
        with self.assertRaisesRegex(UserError, "commitment letter signed"):
            commitment.action_done()
        self.assertEqual(commitment.state, "open")
        self.assertEqual(len(commitment.activity_ids), 1)
        letter = self._letter(self.head)
        with Form(commitment) as form:
            form.attachment_ids.add(letter)
        self.assertEqual((letter.res_model, letter.res_id), (commitment._name, commitment.id))
        commitment.outcome = " "
        with self.assertRaisesRegex(UserError, "Write the outcome"):
            commitment.action_done()
        commitment.outcome = "Plan agreed with the mother"
        commitment.action_done()
        self.assertEqual(commitment.state, "done")
        self.assertFalse(commitment.activity_ids)
        with self.assertRaisesRegex(UserError, "is Done"):
            commitment.action_done()

    def test_cancellation_is_decided_by_a_manager_or_the_director(self):
        self._jump(5)
        cancellation = self._escalations().filtered(lambda e: e.level == "cancellation")
        self.assertEqual(cancellation.count, 5)
        self.assertEqual(self.enrollment.state, "active", "the warning suspended it partially")
        for user in (self.teacher, self.counselor, self.head, self.clerk):
            with self.assertRaises(AccessError):
                cancellation.with_user(user).action_accept()
        self.assertEqual(cancellation.state, "open")
        self.assertEqual(self.enrollment.state, "active")
        with self.assertRaisesRegex(UserError, "proposal"):
            cancellation.with_user(self.director).action_done()
        with freeze_time("2026-10-08 10:00:00"):
            cancellation.with_user(self.director).action_accept()
        self.assertEqual(cancellation.state, "accepted")
        self.assertEqual(cancellation.decided_by_id, self.director)
        self.assertEqual(cancellation.decided_at, datetime(2026, 10, 8, 10, 0))
        self.assertFalse(cancellation.activity_ids)
        self.assertEqual(self.enrollment.state, "withdrawn")
        self.assertEqual(self.enrollment.date_end, date(2026, 10, 8))
        withdraw = self.enrollment.event_ids.filtered(lambda e: e.kind == "withdraw")
        self.assertEqual(withdraw.date, date(2026, 10, 8))
        with self.assertRaisesRegex(UserError, "is Accepted"):
            cancellation.with_user(self.manager).action_reject()

    def test_rejected_cancellation_keeps_the_enrolment(self):
        self._jump(5, student_index=1)
        enrollment = self.enrollments[1]
        cancellation = self._escalations(enrollment).filtered(lambda e: e.level == "cancellation")
        with freeze_time("2026-12-01 09:30:00"):
            cancellation.with_user(self.manager).action_reject()
        self.assertEqual(cancellation.state, "rejected")
        self.assertEqual(cancellation.decided_by_id, self.manager)
        self.assertEqual(cancellation.decided_at, datetime(2026, 12, 1, 9, 30))
        self.assertEqual(enrollment.state, "active")
        self.assertNotIn("withdraw", enrollment.event_ids.mapped("kind"))

    def test_cancellation_goes_to_the_policy_campus_manager(self):
        other = self._user("ta_manager2", "training_attendance.group_manager")
        self.policy.campus_manager_id = other
        self._jump(5)
        cancellation = self._escalations()[-1]
        self.assertEqual(cancellation.level, "cancellation")
        self.assertEqual(cancellation.user_id, other)

    # ------------------------------------------------------------------ activities
    def test_activities_land_in_the_responsible_inbox(self):
        self._jump(3)
        reminder, commitment, warning = self._escalations()
        for escalation, user in (
            (reminder, self.clerk),
            (commitment, self.head),
            (warning, self.manager),
        ):
            activity = self._activities(escalation)
            self.assertEqual(activity.user_id, user)
            self.assertEqual(activity.date_deadline, escalation.date_deadline)
        mine = (
            self.env["mail.activity"]
            .with_user(self.head)
            .search([("user_id", "=", self.head.id), ("res_model", "=", "training.escalation")])
        )
        self.assertEqual(mine.mapped("res_id"), commitment.ids)
        self.assertFalse(self._activities(reminder).filtered(lambda a: a.user_id == self.head))

    def test_reminder_goes_to_the_policy_attendance_clerk(self):
        other = self._user("ta_clerk2", "training_attendance.group_attendance_clerk")
        self.policy.attendance_clerk_id = other
        self._absent(0, 0)
        reminder = self._escalations()
        self.assertEqual(reminder.user_id, other)
        self.assertEqual(self._activities(reminder).user_id, other)

    # ------------------------------------------------------------------ campuses
    def test_two_campuses_have_their_own_thresholds(self):
        campus2 = self.env["res.company"].create({"name": "Campus 2"})
        campus2.partner_id.tz = "UTC"
        self.env["training.policy"]._get_for_company(campus2).write(
            {"commitment_threshold": 3, "warning_threshold": 4, "cancellation_threshold": 6}
        )
        self.teacher.company_ids |= campus2
        self.clerk.company_ids |= campus2  # the reminders of campus 2 are theirs too
        course2 = self.env["training.course"].create(
            {"name": "Art", "company_id": campus2.id, "lesson_duration": 2}
        )
        class2 = self.env["training.class"].create(
            {
                "name": "Art Wednesday",
                "course_id": course2.id,
                "company_id": campus2.id,
                "teacher_id": self.teacher.id,
            }
        )
        student2 = self._students(1, prefix="Campus2")
        enrollment2 = enroll(
            self.env(context=dict(self.env.context, allowed_company_ids=campus2.ids)),
            student2,
            class2,
            date(2026, 9, 1),
        )
        for week in range(2):
            self._absent(week, 0)
            self._run(week, {0: {"status": "absent"}}, klass=class2, students=student2)
        self.assertEqual(self._escalations().mapped("level"), ["reminder", "commitment"])
        self.assertEqual(self._escalations(enrollment2).mapped("level"), ["reminder"])
        self.assertEqual(self._escalations(enrollment2).company_id, campus2)

    # ------------------------------------------------------------------ cause analysis
    def test_cause_analysis_is_completed_by_the_head_teacher(self):
        self._jump(2)
        analysis = self._escalations()[-1].analysis_ids.with_user(self.head)
        with self.assertRaisesRegex(UserError, "needs its factors"):
            analysis.action_done()
        family = self.env.ref("training_attendance.absence_factor_family")
        teaching = self.env.ref("training_attendance.absence_factor_teaching")
        with Form(analysis) as form:
            form.factor_ids.add(family)
            form.factor_ids.add(teaching)
            form.analysis = "<p>Parents work late; the lesson is too fast.</p>"
            form.solution_plan = "<p>Grandmother brings him; weekly tutoring.</p>"
        analysis.action_done()
        self.assertEqual(analysis.state, "done")
        self.assertEqual(analysis.factor_ids, family | teaching)
        factors = self.env["training.absence.factor"].search([])
        self.assertEqual(factors.mapped("name"), ["Student", "Family", "Teaching", "External"])
        with self.assertRaisesRegex(UserError, "Only draft"):
            analysis.sudo().unlink()

    # ------------------------------------------------------------------ access
    def test_access_of_teacher_counselor_and_clerk(self):
        self._jump(2)
        reminder, commitment = self._escalations()
        # teacher of the class: reads, changes nothing
        self.assertEqual(reminder.with_user(self.teacher).level, "reminder")
        self.assertEqual(commitment.analysis_ids.with_user(self.teacher).state, "draft")
        with self.assertRaises(AccessError):
            reminder.with_user(self.teacher).write({"outcome": "x"})
        with self.assertRaises(UserError):  # fired by the addon only, whoever asks
            self.Escalation.with_user(self.teacher).create(
                {"enrollment_id": self.enrollments[1].id, "level": "reminder"}
            )
        self.assertFalse(self.Escalation.with_user(self.teacher2).search([]))
        # the student's counselor follows them; another counselor sees nothing
        reminder.with_user(self.counselor).write({"outcome": "Guardian called"})
        reminder.with_user(self.counselor).action_done()
        self.assertEqual(reminder.state, "done")
        other = self._user("ta_other_counselor", "training_attendance.group_counselor")
        self.assertFalse(self.Escalation.with_user(other).search([]))
        with self.assertRaises(AccessError):
            commitment.with_user(self.counselor).unlink()
        # the clerk sees and corrects all, deletes nothing
        clerk_sees = self.Escalation.with_user(self.clerk).search([])
        self.assertEqual(clerk_sees, reminder | commitment)
        commitment.with_user(self.clerk).write({"date_deadline": WEDNESDAYS[3]})
        with self.assertRaises(AccessError):
            commitment.with_user(self.clerk).unlink()
        # a fired step is part of the student's file: nobody deletes it, not even a
        # manager (SPEC §9: nothing used is lost)
        with self.assertRaisesRegex(UserError, "Only open"):
            reminder.with_user(self.manager).unlink()
        with self.assertRaises(AccessError):
            commitment.with_user(self.manager).unlink()
        self.assertTrue(commitment.exists())

    # ------------------------------------------------------------------ bad input
    def test_thresholds_must_increase(self):
        policy = self.policy.with_user(self.manager)
        for bad in (
            {"commitment_threshold": 3},
            {"warning_threshold": 6},
            {"commitment_threshold": 1},
            {"commitment_threshold": 0, "warning_threshold": -1},
            {"cancellation_threshold": 3},
        ):
            with self.assertRaisesRegex(ValidationError, "must increase"):
                policy.write(bad)
        self.assertEqual(
            (policy.commitment_threshold, policy.warning_threshold, policy.cancellation_threshold),
            (2, 3, 5),
        )
        with Form(policy) as form:
            form.commitment_threshold = 3
            form.warning_threshold = 4
            form.cancellation_threshold = 8
        self.assertEqual(policy.cancellation_threshold, 8)
