from contextlib import contextmanager
from datetime import date, datetime, timedelta

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged


def enroll(env, students, klass, start, hours=40.0):
    """Active enrolments of ``students`` in ``klass`` since ``start``, through the
    workflow's buttons as a campus takes them: submitted, confirmed by the paying
    guardian (the student's primary guardian, else one made for the fixture), activated."""
    enrollments = env["training.enrollment"].create(
        [
            {
                "student_id": student.id,
                "class_id": klass.id,
                "date_contract": start,
                "date_start": start,
                "hours_purchased": hours,
            }
            for student in students
        ]
    )
    unpaid = enrollments.filtered(lambda e: not e.guardian_id)
    if unpaid:
        unpaid.guardian_id = env["res.partner"].create(
            {"name": "Paying guardian", "is_guardian": True}
        )
    enrollments.action_submit()
    enrollments.action_guardian_confirm()
    enrollments.action_activate()
    return enrollments


def run_followup_job(env):
    """The follow-up job that a validation starts right after its commit (no cron runs
    inside a test): batch after batch, as Odoo's cron runner calls it, until nothing is
    left (bounded)."""
    Line = env["training.attendance.line"]
    for _batch in range(100):
        if not Line._cron_process_absences():
            return
    raise AssertionError("the follow-up job did not finish in 100 batches")


def validate_and_follow(sessions):
    """The teacher's "Validate" (as ``sessions``' user), then the follow-up job."""
    sessions.action_validate()
    run_followup_job(sessions.env)


@tagged("post_install", "-at_install")
class TrainingCase(TransactionCase):
    """A campus with a course, a class taught by ``teacher``, head teacher ``counselor``,
    and ``students`` actively enrolled since 1 September 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.company.partner_id.tz = "UTC"
        cls.teacher = cls._user("ta_teacher", "training_attendance.group_teacher")
        cls.teacher2 = cls._user("ta_teacher2", "training_attendance.group_teacher")
        cls.counselor = cls._user("ta_counselor", "training_attendance.group_counselor")
        cls.clerk = cls._user("ta_clerk", "training_attendance.group_attendance_clerk")
        cls.manager = cls._user("ta_manager", "training_attendance.group_manager")
        cls.course = cls.env["training.course"].create(
            {"name": "Maths G5", "code": "M5", "lesson_duration": 2.0, "price_per_hour": 100}
        )
        cls.klass = cls.env["training.class"].create(
            {
                "name": "Maths G5 Wednesday",
                "course_id": cls.course.id,
                "teacher_id": cls.teacher.id,
                "head_teacher_id": cls.counselor.id,
                "room": "R101",
                "timetable_ids": [
                    Command.create({"weekday": "2", "start_time": 16.0, "end_time": 18.0})
                ],
            }
        )
        cls.students = cls._students(3)
        cls.enrollments = cls._enroll(cls.students, cls.klass, date(2026, 9, 1))

    @contextmanager
    def assertRaisesRegex(self, exception, regex):
        """Like Odoo's ``assertRaises``: inside a savepoint, so that the failed operation
        is rolled back and the test can check that nothing changed."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    @classmethod
    def _run_followup_job(cls):
        run_followup_job(cls.env)

    @classmethod
    def _validate_and_follow(cls, sessions):
        validate_and_follow(sessions)

    @classmethod
    def _user(cls, login, group):
        return new_test_user(cls.env, login=login, groups=f"base.group_user,{group}", tz="UTC")

    @classmethod
    def _students(cls, count, prefix="Student", counselor=None):
        return cls.env["res.partner"].create(
            [
                {
                    "name": f"{prefix} {i:03d}",
                    "is_student": True,
                    "counselor_id": (counselor or cls.counselor).id,
                }
                for i in range(count)
            ]
        )

    @classmethod
    def _enroll(cls, students, klass, start, hours=40.0):
        return enroll(cls.env, students, klass, start, hours)

    @classmethod
    def _session(cls, day, klass=None, hour=16, hours=2):
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
        return cls.env["training.session"].create(
            {
                "class_id": (klass or cls.klass).id,
                "start": start,
                "stop": start + timedelta(hours=hours),
            }
        )
