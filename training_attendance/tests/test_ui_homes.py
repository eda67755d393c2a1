from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import enroll, run_followup_job

ROLES = {
    "teacher": "training_attendance.group_teacher",
    "counselor": "training_attendance.group_counselor",
    "clerk": "training_attendance.group_attendance_clerk",
    "finance": "training_attendance.group_finance",
    "manager": "training_attendance.group_manager",
}


@tagged("post_install", "-at_install")
class TestUiHomes(HttpCase):
    """Issue #17: each role's day starts on its own page. One fixture, five short tours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(
                cls.env, login=f"ta_home_{role}", groups=f"base.group_user,{group}", tz="UTC"
            )
            for role, group in ROLES.items()
        }
        course = cls.env["training.course"].create({"name": "Tour course", "lesson_duration": 2})
        cls.klass = cls.env["training.class"].create(
            {"name": "Tour class", "course_id": course.id, "teacher_id": cls.users["teacher"].id}
        )
        students = cls.env["res.partner"].create(
            [
                {
                    "name": f"Tour Student {x}",
                    "is_student": True,
                    "counselor_id": cls.users["counselor"].id,
                }
                for x in "ABC"
            ]
        )
        # today as the browser (UTC) sees it; started an hour ago (or at midnight)
        now = fields.Datetime.now().replace(microsecond=0)
        today = now.date()
        enroll(cls.env, students, cls.klass, today - timedelta(days=30))
        start = max(fields.Datetime.to_datetime(today), now - timedelta(hours=1))
        cls.lesson = cls.env["training.session"].create(
            {"class_id": cls.klass.id, "start": start, "stop": start + timedelta(hours=2)}
        )

    def _tour(self, role, tour=None):
        self.start_tour(
            "/odoo", f"training_attendance_home_{tour or role}", login=f"ta_home_{role}"
        )

    def test_homes_of_every_role(self):
        # the teacher, on a phone: validates with one absence, one excused
        self.browser_size = "390x844"
        self.touch_enabled = True
        self._tour("teacher", "teacher_phone")
        self.assertEqual(self.lesson.state, "done")
        statuses = sorted(self.lesson.attendance_line_ids.mapped("status"))
        self.assertEqual(statuses, ["absent", "excused", "present"])
        late = self.lesson.attendance_line_ids.filtered("late_minutes")
        self.assertEqual(late.student_id.name, "Tour Student C")
        self.assertEqual(late.late_minutes, 15, "typed on the phone card")
        run_followup_job(self.env)
        self.browser_size = "1366x768"
        self.touch_enabled = False
        for role in ("counselor", "clerk", "finance", "manager"):
            with self.subTest(role=role):
                self._tour(role)

    def test_login_activates_every_campus_of_a_manager(self):
        campus = self.env["res.company"].create({"name": "Tour second campus"})
        manager = self.users["manager"]
        manager.company_ids = [(4, campus.id)]
        self.url_open("/web/session/logout")
        page = self.url_open("/web/login")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.url_open(
            "/web/login",
            data={"login": manager.login, "password": manager.login, "csrf_token": csrf},
            allow_redirects=False,
        )
        self.assertEqual(
            response.cookies.get("cids"), f"{manager.company_id.id}-{campus.id}", response.text
        )
