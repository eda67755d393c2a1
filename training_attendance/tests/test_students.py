from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TrainingCase

# data/sequences.xml: "S", the year on two digits, a number on five digits
STUDENT_CODE_2026 = r"^S26\d{5}$"


@tagged("post_install", "-at_install")
class TestStudents(TrainingCase):
    @freeze_time("2026-09-01 10:00:00")
    def test_student_number_assigned_once_and_unique(self):
        student, other = self._students(2, prefix="Numbered")
        self.assertRegex(student.student_code, STUDENT_CODE_2026)
        self.assertRegex(other.student_code, STUDENT_CODE_2026)
        self.assertEqual(int(other.student_code[3:]), int(student.student_code[3:]) + 1)
        code = student.student_code
        student.write({"name": "Renamed", "is_student": True})
        self.assertEqual(student.student_code, code, "a student keeps their number")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            other.write({"student_code": code})

    @freeze_time("2026-09-01 10:00:00")
    def test_plain_contact_gets_no_number_until_it_becomes_a_student(self):
        contact = self.env["res.partner"].create({"name": "Walk-in"})
        self.assertFalse(contact.student_code)
        contact.is_student = True
        self.assertRegex(contact.student_code, STUDENT_CODE_2026)

    def test_campus_with_its_own_sequence_numbers_its_students(self):
        campus = self.env["res.company"].create({"name": "East Campus"})
        self.env["ir.sequence"].create(
            {
                "name": "East students",
                "code": "training.student",
                "prefix": "EAST-",
                "padding": 3,
                "company_id": campus.id,
            }
        )
        student = (
            self.env["res.partner"]
            .with_company(campus)
            .create({"name": "East kid", "is_student": True})
        )
        self.assertEqual(student.company_id, campus)
        self.assertEqual(student.student_code, "EAST-001")

    @freeze_time("2026-09-01 10:00:00")
    def test_student_created_in_the_form_by_a_counselor(self):
        form = Form(
            self.env["res.partner"]
            .with_user(self.counselor)
            .with_context(default_is_student=True, default_counselor_id=self.counselor.id)
        )
        form.name = "Form Kid"
        form.birthdate = date(2016, 5, 1)
        form.health_notes = "Peanut allergy"
        student = form.save()
        self.assertRegex(student.student_code, STUDENT_CODE_2026)
        self.assertEqual(student.health_notes, "Peanut allergy")
        self.assertEqual(student.student_state, "prospect")

    def test_birthdate_in_future_or_implausible_is_rejected(self):
        student = self.students[0]
        for bad, message in (
            (date(2999, 1, 1), "is in the future"),
            (date(1900, 1, 1), "is more than 100 years ago"),
        ):
            with self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
                student.birthdate = bad
            self.assertFalse(student.birthdate)

    def test_health_data_hidden_from_teachers(self):
        student = self.students[0]
        student.health_notes = "Asthma, inhaler in bag"
        with self.assertRaises(AccessError):
            student.with_user(self.teacher).read(["health_notes"])
        self.assertEqual(
            student.with_user(self.counselor).read(["health_notes"])[0]["health_notes"],
            "Asthma, inhaler in bag",
        )
        # the teacher still sees the rest of the file of a student of their class
        self.assertEqual(student.with_user(self.teacher).read(["name"])[0]["name"], student.name)

    def test_guardian_links(self):
        student = self.students[0]
        mother, father = self.env["res.partner"].create([{"name": "Mum"}, {"name": "Dad"}])
        link = self.env["training.guardian.link"].create(
            {"student_id": student.id, "guardian_id": mother.id, "is_primary": True}
        )
        self.assertTrue(mother.is_guardian, "a linked guardian is flagged as guardian")
        self.assertEqual(mother.student_link_ids, link)
        with self.assertRaisesRegex(ValidationError, "primary contact"), self.cr.savepoint():
            self.env["training.guardian.link"].create(
                {"student_id": student.id, "guardian_id": father.id, "is_primary": True}
            )
        self.assertEqual(len(student.guardian_link_ids), 1, "nothing was created")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["training.guardian.link"].create(
                {"student_id": student.id, "guardian_id": mother.id}
            )
        with self.assertRaisesRegex(ValidationError, "own guardian"), self.cr.savepoint():
            self.env["training.guardian.link"].create(
                {"student_id": student.id, "guardian_id": student.id}
            )

    def test_enrolment_defaults_come_from_the_student_file(self):
        student = self._students(1, prefix="Defaults")
        mother = self.env["res.partner"].create({"name": "Payer"})
        self.env["training.guardian.link"].create(
            {"student_id": student.id, "guardian_id": mother.id, "is_primary": True}
        )
        form = Form(self.env["training.enrollment"].with_user(self.counselor))
        form.student_id = student
        form.class_id = self.klass
        form.hours_purchased = 40
        enrollment = form.save()
        self.assertEqual(enrollment.guardian_id, mother)
        self.assertEqual(enrollment.counselor_id, self.counselor)
        self.assertEqual(enrollment.price_unit, 100)
        # data/sequences.xml: ENR/<year>/<five digits>
        self.assertRegex(enrollment.name, rf"^ENR/{enrollment.create_date.year}/\d{{5}}$")

    def test_student_state_follows_enrolments(self):
        student = self.students[0]
        self.assertEqual(student.student_state, "active")
        self.enrollments[0].write({"state": "completed", "date_end": date(2026, 10, 1)})
        self.assertEqual(student.student_state, "former")

    def test_a_used_student_file_is_archived_not_deleted(self):
        student = self.students[0]
        with self.assertRaisesRegex(UserError, "Archive it instead"):
            student.with_user(self.manager).unlink()
        self.assertTrue(student.exists())
        student.with_user(self.manager).action_archive()
        self.assertFalse(student.active)
        self._students(1, prefix="Typo").unlink()  # never enrolled: may go

    def test_course_product_created_automatically(self):
        course = self.env["training.course"].create(
            {"name": "Piano", "lesson_duration": 1, "price_per_hour": 80}
        )
        self.assertEqual(course.product_id.type, "service")
        self.assertEqual(course.product_id.list_price, 80)
        with (
            self.assertRaisesRegex(ValidationError, "lesson duration must be positive"),
            self.cr.savepoint(),
        ):
            self.env["training.course"].create({"name": "Broken", "lesson_duration": 0})
        self.assertFalse(self.env["training.course"].search([("name", "=", "Broken")]))
