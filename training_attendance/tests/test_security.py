from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestSecurity(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.counselor2 = cls._user("ta_counselor2", "training_attendance.group_counselor")
        cls.class2 = cls.env["training.class"].create(
            {"name": "English", "course_id": cls.course.id, "teacher_id": cls.teacher2.id}
        )
        cls.others = cls._students(2, prefix="Other", counselor=cls.counselor2)
        cls._enroll(cls.others, cls.class2, date(2026, 9, 1))
        cls.mine = cls._session(date(2026, 10, 7))
        cls.theirs = cls._session(date(2026, 10, 8), klass=cls.class2)
        (cls.mine | cls.theirs).action_open()
        # a second campus that none of the test users may access
        cls.campus2 = cls.env["res.company"].create({"name": "Campus 2"})
        course2 = cls.env["training.course"].create(
            {"name": "Art", "company_id": cls.campus2.id, "lesson_duration": 1}
        )
        cls.class3 = cls.env["training.class"].create(
            {"name": "Art", "course_id": course2.id, "company_id": cls.campus2.id}
        )
        cls.session3 = cls.env["training.session"].create(
            {"class_id": cls.class3.id, "start": "2026-10-07 10:00", "stop": "2026-10-07 11:00"}
        )

    def _visible(self, user, model, domain=()):
        return self.env[model].with_user(user).search(list(domain))

    def test_teacher_sees_own_classes_sessions_lines_and_students(self):
        self.assertEqual(self._visible(self.teacher, "training.class"), self.klass)
        self.assertEqual(self._visible(self.teacher, "training.session"), self.mine)
        self.assertEqual(
            self._visible(self.teacher, "training.attendance.line").student_id, self.students
        )
        self.assertEqual(
            self._visible(self.teacher, "res.partner", [("is_student", "=", True)]), self.students
        )
        with self.assertRaises(AccessError):
            self.theirs.attendance_line_ids[0].with_user(self.teacher).action_set_present()
        self.assertEqual(self.theirs.attendance_line_ids[0].status, "pending")

    def test_counselor_sees_own_students_and_reads_their_attendance(self):
        self.assertEqual(
            self._visible(self.counselor2, "res.partner", [("is_student", "=", True)]), self.others
        )
        self.assertEqual(
            self._visible(self.counselor2, "training.enrollment").student_id, self.others
        )
        lines = self._visible(self.counselor2, "training.attendance.line")
        self.assertEqual(lines.student_id, self.others)
        with self.assertRaises(AccessError):
            lines[0].write({"status": "present"})
        self.assertEqual(lines[0].status, "pending")

    def test_clerk_sees_the_whole_campus_but_not_other_campuses(self):
        sessions = self._visible(self.clerk, "training.session")
        self.assertEqual(sessions, self.mine | self.theirs)
        self.assertNotIn(self.session3, sessions)
        with self.assertRaises(AccessError):
            self.session3.with_user(self.clerk).read(["start"])
        self.assertEqual(
            len(self._visible(self.clerk, "res.partner", [("is_student", "=", True)])), 5
        )

    def test_campus_user_sees_their_campus(self):
        clerk2 = new_test_user(
            self.env,
            login="ta_clerk_campus2",
            groups="base.group_user,training_attendance.group_attendance_clerk",
            company_id=self.campus2.id,
            company_ids=[(6, 0, self.campus2.ids)],
        )
        self.assertEqual(self._visible(clerk2, "training.session"), self.session3)
        self.assertEqual(self._visible(clerk2, "training.class"), self.class3)

    def test_configuration_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["training.course"].with_user(self.teacher).create({"name": "Nope"})
        policy = self.env["training.policy"]._get_for_company(self.company)
        with self.assertRaises(AccessError):
            policy.with_user(self.clerk).write({"late_threshold_percent": 10})
        policy.with_user(self.manager).write({"late_threshold_percent": 40})
        self.assertEqual(policy.late_threshold_percent, 40)

    def test_each_role_opens_the_forms_of_its_work(self):
        """The forms load every field a role's view shows, without an access error."""
        student = self.students[0]
        self.env["training.guardian.link"].create(
            {
                "student_id": student.id,
                "guardian_id": self.env["res.partner"].create({"name": "Mum"}).id,
            }
        )
        line = self.mine.attendance_line_ids[0]
        enrollment = self.enrollments[0]
        for user in (self.teacher, self.counselor, self.clerk, self.manager):
            self.assertEqual(Form(self.mine.with_user(user)).state, "open")
            self.assertEqual(Form(student.with_user(user)).name, student.name)
            self.assertEqual(Form(enrollment.with_user(user)).state, "active")
            self.assertEqual(Form(self.klass.with_user(user)).name, self.klass.name)
            self.assertEqual(line.with_user(user).read(["status"])[0]["status"], "pending")
