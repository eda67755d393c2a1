"""SPEC §9: every rule holds on the server, for any client.

Each test replays, as the low-privilege user and exactly as JSON-RPC does it
(``record.with_user(user).write(...)``, ``create``, ``unlink``), a bypass that got through
before, and checks the clear error and that nothing changed.
"""

import io
import zipfile
from contextlib import contextmanager
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import TrainingCase

GUARDED = "change only through its workflow buttons"
REFUSED = (UserError, AccessError, ValidationError)


@contextmanager
def refused(case, msg=None):
    """Odoo's ``assertRaises`` (rolled back in a savepoint) for any refusal, on a clean
    cache as Odoo does for access errors."""
    case.env.invalidate_all()
    with case.assertRaises(Exception, msg=msg) as caught:
        yield caught


@tagged("post_install", "-at_install")
class TestIntegrity(TrainingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.director = cls._user("ta_director", "training_attendance.group_director")
        with freeze_time("2026-10-07 18:10:00"):
            cls.session = cls._session(date(2026, 10, 7))
            cls.session.with_user(cls.teacher).action_open()
            lines = cls.session.attendance_line_ids
            lines[0].with_user(cls.teacher).action_set_absent()
            cls.session.with_user(cls.teacher).action_mark_rest_present()
            cls._validate_and_follow(cls.session.with_user(cls.teacher))
        cls.enrollment = cls.enrollments[0]
        cls.guardian = cls.env["res.partner"].create({"name": "Mother 0", "is_guardian": True})
        cls.env["training.guardian.link"].create(
            {"student_id": cls.students[0].id, "guardian_id": cls.guardian.id, "is_primary": True}
        )

    def _snapshot(self, record, fnames):
        record.invalidate_recordset()
        return {fname: record[fname] for fname in fnames}

    # ------------------------------------------------------------------ attendance
    def test_teacher_cannot_reopen_forge_signature_or_cancel_a_validated_session(self):
        session = self.session.with_user(self.teacher)
        before = self._snapshot(self.session, ["state", "validated_by_id", "validated_at"])
        hours = self.enrollment.hours_consumed
        self.assertEqual(hours, 2.0)
        for vals in (
            {"state": "open"},
            {"state": "cancelled"},
            {"state": "done", "validated_by_id": self.teacher2.id},
            {"validated_at": "2026-10-08 10:00:00"},
        ):
            with self.assertRaisesRegex(UserError, GUARDED):
                session.write(vals)
        self.assertEqual(self._snapshot(self.session, before), before)
        self.assertEqual(self.enrollment.hours_consumed, hours)

    def test_validated_session_keeps_its_times_class_and_teacher(self):
        for user in (self.teacher, self.clerk):
            for vals in (
                {"stop": "2026-10-08 12:00:00"},
                {"start": "2026-10-07 08:00:00"},
                {"teacher_id": self.teacher2.id},
            ):
                with self.assertRaisesRegex(UserError, "locked"):
                    self.session.with_user(user).write(vals)
        self.assertEqual(self.session.duration, 2.0)
        self.assertEqual(self.enrollment.hours_consumed, 2.0)
        # the note stays writable
        self.session.with_user(self.teacher).write({"note": "<p>Calm lesson</p>"})

    def test_teacher_creates_sessions_of_their_own_classes_only(self):
        Session = self.env["training.session"].with_user(self.teacher2)
        vals = {
            "class_id": self.klass.id,
            "start": "2026-10-14 16:00:00",
            "stop": "2026-10-14 18:00:00",
        }
        with self.assertRaises(AccessError):  # the record rule: not their session
            Session.create(vals)
        with self.assertRaisesRegex(AccessError, "own classes"):  # theirs, in another class
            Session.create(dict(vals, teacher_id=self.teacher2.id))
        self.assertFalse(
            self.env["training.session"].search(
                [("class_id", "=", self.klass.id), ("start", "=", "2026-10-14 16:00:00")]
            )
        )
        # the class's own teacher may, and cannot hand it to another teacher
        own = self.env["training.session"].with_user(self.teacher).create(vals)
        self.assertEqual(own.teacher_id, self.teacher)
        with self.assertRaisesRegex(AccessError, "another teacher"):
            own.write({"teacher_id": self.teacher2.id})

    def test_lines_stay_in_their_session_and_belong_to_enrolled_students(self):
        with freeze_time("2026-10-14 16:05:00"):
            other = self._session(date(2026, 10, 14))
            other.with_user(self.teacher).action_open()
        line = other.attendance_line_ids[0].with_user(self.teacher)
        for vals in (
            {"session_id": self.session.id},
            {"student_id": self.students[1].id},
        ):
            with self.assertRaisesRegex(UserError, "stays in its session"):
                line.write(vals)
        self.assertEqual(line.session_id, other)
        outsider = self.env["res.partner"].create({"name": "Not enrolled", "is_student": True})
        Line = self.env["training.attendance.line"].with_user(self.teacher)
        for partner, enrollment in (
            (outsider, False),
            (self.guardian, False),
            (outsider, self.enrollments[1].id),
        ):
            with self.assertRaisesRegex(ValidationError, "enrol"):
                Line.create(
                    {"session_id": other.id, "student_id": partner.id, "enrollment_id": enrollment}
                )
        self.assertEqual(len(other.attendance_line_ids), 3)
        # into a validated session: refused, whatever the student
        with self.assertRaisesRegex(UserError, "validated and locked"):
            Line.create({"session_id": self.session.id, "student_id": outsider.id})

    def test_clerk_corrects_but_cannot_reopen_unmark_or_delete(self):
        lines = self.session.attendance_line_ids
        clerk_session = self.session.with_user(self.clerk)
        with self.assertRaisesRegex(UserError, GUARDED):
            clerk_session.write({"state": "open"})
        with self.assertRaisesRegex(UserError, "unmarked again"):
            lines.with_user(self.clerk).write({"status": "pending"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            lines.with_user(self.clerk).unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.session.with_user(self.director).unlink()
        self.assertEqual(self.session.state, "done")
        self.assertEqual(len(self.session.attendance_line_ids), 3)
        # the correction path itself still works, and is logged
        lines[0].with_user(self.clerk).write({"status": "excused"})
        self.assertEqual(lines[0].status, "excused")

    # ------------------------------------------------------------------ enrolments
    def test_counselor_cannot_change_money_state_class_or_history(self):
        enrollment = self.enrollment.with_user(self.counselor)
        fnames = ["hours_purchased", "price_unit", "state", "class_id"]
        before = self._snapshot(self.enrollment, fnames)
        class2 = self.env["training.class"].create(
            {"name": "Other", "course_id": self.course.id, "teacher_id": self.teacher2.id}
        )
        with self.assertRaisesRegex(UserError, "hours and price"):
            enrollment.write({"hours_purchased": 600})
        with self.assertRaisesRegex(UserError, "hours and price"):
            enrollment.write({"price_unit": 0.01})
        with self.assertRaisesRegex(UserError, GUARDED):
            enrollment.write({"state": "withdrawn"})
        with self.assertRaisesRegex(UserError, "Transfer"):
            enrollment.write({"class_id": class2.id})
        self.assertEqual(self._snapshot(self.enrollment, fnames), before)
        # forged history
        events = self.env["training.enrollment.event"].with_user(self.counselor)
        with self.assertRaises(AccessError):
            events.create(
                {"enrollment_id": self.enrollment.id, "kind": "resume", "date": "2020-01-01"}
            )
        self.enrollment._log_event("resume", date(2026, 10, 1), "Back from holidays")
        event = self.enrollment.event_ids.filtered(lambda e: e.kind == "resume")
        self.assertEqual(len(event), 1)
        with self.assertRaises(AccessError):
            event.with_user(self.counselor).write({"date": "2020-01-01"})
        with self.assertRaises(AccessError):
            event.with_user(self.counselor).unlink()
        self.assertEqual(event.date, date(2026, 10, 1))
        # the campus manager may correct the price
        self.enrollment.with_user(self.manager).write({"price_unit": 90})
        self.assertEqual(self.enrollment.price_unit, 90)

    def test_withdrawn_enrolment_stays_withdrawn(self):
        self.enrollment._withdraw(date(2026, 10, 10), "Moved away")
        enrollment = self.enrollment.with_user(self.counselor)
        for vals in ({"state": "active"}, {"date_end": False}):
            with self.assertRaisesRegex(UserError, GUARDED):
                enrollment.write(vals)
        self.assertEqual(self.enrollment.state, "withdrawn")
        self.assertEqual(self.enrollment.date_end, date(2026, 10, 10))

    def test_enrolment_created_as_draft_only(self):
        Enrollment = self.env["training.enrollment"].with_user(self.counselor)
        student = self._students(1, prefix="New")
        vals = {"student_id": student.id, "class_id": self.klass.id, "hours_purchased": 10}
        with self.assertRaisesRegex(UserError, GUARDED):
            Enrollment.create(dict(vals, state="active"))
        with self.assertRaisesRegex(UserError, GUARDED):
            Enrollment.create(dict(vals, guardian_confirmed_at="2026-10-01 10:00:00"))
        self.assertFalse(self.env["training.enrollment"].search([("student_id", "=", student.id)]))
        # a default from the caller's context is no way round
        enrollment = Enrollment.with_context(default_state="active").create(vals)
        self.assertEqual(enrollment.state, "draft")

    def test_one_open_enrolment_per_student_and_class_whoever_can_see_it(self):
        counselor2 = self._user("ta_counselor_b", "training_attendance.group_counselor")
        mine = self._students(1, prefix="Mine", counselor=counselor2)
        draft = (
            self.env["training.enrollment"]
            .with_user(counselor2)
            .create({"student_id": mine.id, "class_id": self.klass.id})
        )
        # the other counselor's student, already in the class, is invisible to counselor2
        self.assertFalse(
            self.env["res.partner"].with_user(counselor2).search([("id", "=", self.students[0].id)])
        )
        with self.assertRaisesRegex(ValidationError, "already has an open enrolment"):
            draft.with_user(counselor2).write({"student_id": self.students[0].id})
        self.assertEqual(draft.student_id, mine)

    def test_computed_and_job_fields_cannot_be_written(self):
        """Hours consumed and remaining, the payment state, a line's consumed hours and
        the notice and follow-up markers are the addon's: nobody writes them."""
        line = self.session.attendance_line_ids.filtered(lambda ln: ln.status == "absent")
        before = self._snapshot(self.enrollment, ["hours_consumed", "hours_remaining"])
        for record, user, vals in (
            (self.enrollment, self.counselor, {"hours_remaining": 999.0}),
            (self.enrollment, self.counselor, {"hours_consumed": 0.0}),
            (self.enrollment, self.manager, {"invoice_state": "paid"}),
            (self.enrollment, self.counselor, {"renewal_notified": True}),
            (line, self.clerk, {"hours_consumed": 50.0}),
            (line, self.clerk, {"absence_equivalent": 0}),
            (line, self.clerk, {"notice_state": "sent"}),
            (line, self.clerk, {"followup_scheduled": True}),
        ):
            with self.assertRaisesRegex(UserError, "computed or kept by the addon"):
                record.with_user(user).write(vals)
        self.assertEqual(self._snapshot(self.enrollment, before), before)
        self.assertNotEqual(line.notice_state, "sent")

    def test_enrolment_with_attendance_or_invoice_is_never_deleted(self):
        with self.assertRaisesRegex(UserError, "Only draft enrolments"):
            self.enrollment.with_user(self.manager).unlink()
        self.assertTrue(self.enrollment.exists())

    # ------------------------------------------------------------------ leave, escalation
    def _sick_leave(self):
        return self.env["training.leave.request"].create(
            {
                "student_id": self.students[1].id,
                "leave_type": "sick",
                "reason": "Flu",
                "session_ids": [Command.set(self.session.ids)],
            }
        )

    def test_sick_leave_without_certificate_cannot_be_forced_through(self):
        leave = self._sick_leave()
        with self.assertRaisesRegex(UserError, GUARDED):
            leave.with_user(self.counselor).write({"state": "submitted"})
        with self.assertRaisesRegex(UserError, GUARDED):
            leave.with_user(self.counselor).write({"approved_by_id": self.counselor.id})
        self.assertEqual(leave.state, "draft")
        with self.assertRaisesRegex(UserError, "medical certificate"):
            leave.with_user(self.counselor).action_submit()
        self.assertEqual(leave.state, "draft")
        self.assertEqual(self.session.attendance_line_ids[1].status, "present")

    def test_only_a_manager_decides_a_cancellation_proposal(self):
        escalation = (
            self.env["training.escalation"]
            .sudo()
            .create({"enrollment_id": self.enrollment.id, "level": "cancellation", "count": 5})
        )
        with self.assertRaisesRegex(UserError, GUARDED):
            escalation.with_user(self.counselor).write({"state": "accepted"})
        with self.assertRaisesRegex(UserError, GUARDED):
            escalation.with_user(self.clerk).write({"level": "reminder"})
        with self.assertRaises(AccessError):
            escalation.with_user(self.counselor).action_accept()
        self.assertEqual(escalation.state, "open")
        self.assertEqual(self.enrollment.state, "active")
        # steps are fired by the addon, never created by hand
        with refused(self) as caught:
            self.env["training.escalation"].with_user(self.clerk).create(
                {"enrollment_id": self.enrollments[1].id, "level": "cancellation"}
            )
        self.assertIsInstance(caught.exception, REFUSED)

    # ------------------------------------------------------------------ bad values
    def test_numbers_are_finite_and_bounded(self):
        draft = self.env["training.enrollment"].create(
            {"student_id": self._students(1, "Draft").id, "class_id": self.klass.id}
        )
        for value in ("NaN", "inf", 1e308, float("nan"), -5):
            with self.assertRaisesRegex(ValidationError, "Hours purchased must be between 0"):
                draft.with_user(self.counselor).write({"hours_purchased": value})
        with self.assertRaisesRegex(ValidationError, "Hours purchased must be a number"):
            draft.with_user(self.counselor).write({"hours_purchased": "sixty"})
        with self.assertRaisesRegex(ValidationError, "Price per hour must be between"):
            self.course.with_user(self.manager).write({"price_per_hour": float("inf")})
        line = self.session.attendance_line_ids[2]
        with self.assertRaisesRegex(ValidationError, "Minutes late must be between 0 and 1440"):
            line.with_user(self.clerk).write({"late_minutes": 10**9})
        self.assertEqual(draft.hours_purchased, 0)
        self.assertEqual(self.course.price_per_hour, 100)
        self.assertEqual(line.late_minutes, 0)
        # the JSON answer of a list of enrolments holds finite numbers only
        values = self.env["training.enrollment"].search_read(
            [("id", "=", draft.id)], ["hours_purchased", "price_unit", "hours_remaining"]
        )
        self.assertEqual(values[0]["hours_purchased"], 0.0)

    def test_dates_and_durations_are_plausible(self):
        Session = self.env["training.session"].with_user(self.teacher)
        with self.assertRaisesRegex(ValidationError, "between 1900-01-01 and 2199-12-31"):
            Session.create(
                {"class_id": self.klass.id, "start": "9999-12-31 10:00", "stop": "9999-12-31 11:00"}
            )
        with self.assertRaisesRegex(ValidationError, "at most 12 hours"):
            Session.create(
                {"class_id": self.klass.id, "start": "2026-10-01 10:00", "stop": "2027-10-01 10:00"}
            )
        with self.assertRaisesRegex(ValidationError, "Contract date must be between"):
            self.env["training.enrollment"].with_user(self.counselor).create(
                {
                    "student_id": self._students(1, "Late").id,
                    "class_id": self.klass.id,
                    "date_contract": "9999-12-31",
                }
            )
        with self.assertRaisesRegex(ValidationError, "must be a date"):
            self.env["training.leave.request"].with_user(self.counselor).create(
                {"student_id": self.students[0].id, "reason": "x", "date_from": "tomorrow"}
            )
        with self.assertRaisesRegex(ValidationError, "From must be between"):
            self.env["training.leave.request"].with_user(self.counselor).create(
                {
                    "student_id": self.students[0].id,
                    "reason": "x",
                    "date_from": "9999-12-30",
                    "date_to": "9999-12-31",
                }
            )
        self.assertFalse(
            self.env["training.session"].search(
                [("class_id", "=", self.klass.id), ("start", ">", "2026-10-08")]
            )
        )

    # ------------------------------------------------------------------ reading
    def test_daily_report_is_the_clerks_and_never_a_formula(self):
        line = self.session.attendance_line_ids.filtered(lambda ln: ln.status == "absent")
        line.with_user(self.clerk).write({"note": '=HYPERLINK("http://evil.example","x")'})
        with self.assertRaises(AccessError):
            self.env["training.absence.report"].with_user(self.teacher2).create(
                {"date": date(2026, 10, 7)}
            )
        report = (
            self.env["training.absence.report"]
            .with_user(self.clerk)
            .create({"company_id": self.company.id, "date": date(2026, 10, 7)})
        )
        action = report.action_export_xlsx()
        attachment_id = int(action["url"].split("/")[-1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        # the clerk reads the file, a teacher who reads the policy does not
        content = attachment.with_user(self.clerk).raw
        with self.assertRaises(AccessError):
            attachment.with_user(self.teacher).read(["raw"])
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(self.teacher)
            .search([("res_model", "=", "training.policy")])
        )
        with zipfile.ZipFile(io.BytesIO(content)) as xlsx:
            sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
            strings = xlsx.read("xl/sharedStrings.xml").decode()
        self.assertNotIn("<f>", sheet)
        self.assertIn("=HYPERLINK", strings.replace("&quot;", '"'))

    def test_medical_certificate_is_read_like_health_notes(self):
        certificate = self.env["ir.attachment"].create(
            {"name": "diagnosis.pdf", "raw": b"%PDF flu", "res_model": "training.leave.request"}
        )
        leave = self._sick_leave()
        leave.write({"attachment_ids": [Command.set(certificate.ids)]})
        self.assertEqual(certificate.res_id, leave.id)
        self.assertEqual(leave.with_user(self.counselor).attachment_ids, certificate)
        with self.assertRaises(AccessError):
            leave.with_user(self.teacher).read(["attachment_ids"])
        with self.assertRaises(AccessError):
            certificate.with_user(self.teacher).read(["raw"])
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(self.teacher)
            .search([("res_model", "=", "training.leave.request")])
        )

    def test_teachers_see_no_amounts(self):
        for model, fname in (
            ("training.enrollment", "price_unit"),
            ("training.course", "price_per_hour"),
        ):
            records = self.env[model].with_user(self.teacher).search([])
            self.assertTrue(records)
            with self.assertRaises(AccessError):
                records.read([fname])
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.teacher).read_group([], [f"{fname}:sum"], [])
            self.assertNotIn(fname, self.env[model].with_user(self.teacher).fields_get())
        self.assertEqual(self.enrollment.with_user(self.counselor).price_unit, 100)

    def test_guardians_are_seen_by_their_students_staff_only(self):
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.with_user(self.teacher).search([("id", "=", self.guardian.id)]), self.guardian
        )
        self.assertEqual(
            Partner.with_user(self.counselor).search([("id", "=", self.guardian.id)]),
            self.guardian,
        )
        for login in ("ta_teacher_x", "ta_counselor_x"):
            group = "group_teacher" if "teacher" in login else "group_counselor"
            other = self._user(login, f"training_attendance.{group}")
            self.assertFalse(Partner.with_user(other).search([("id", "=", self.guardian.id)]))
            with self.assertRaises(AccessError):
                self.guardian.with_user(other).read(["email", "phone"])

    def test_counselors_do_not_administer_the_address_book(self):
        vendor = self.env["res.partner"].create({"name": "Paper supplier", "is_company": True})
        counselor = self.env["res.partner"].with_user(self.counselor)
        self.assertFalse(self.counselor.has_group("base.group_partner_manager"))
        with self.assertRaises(AccessError):
            counselor.create({"name": "A new customer", "is_company": True})
        with self.assertRaises(AccessError):
            vendor.with_user(self.counselor).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            vendor.with_user(self.counselor).unlink()
        with self.assertRaises(AccessError):
            self.env["res.partner.bank"].with_user(self.counselor).create(
                {"partner_id": vendor.id, "acc_number": "123"}
            )
        self.assertEqual(vendor.name, "Paper supplier")
        # their own students and the guardians they add, yes
        guardian = counselor.create({"name": "Father 1", "is_guardian": True})
        self.students[1].with_user(self.counselor).write({"hobbies": "Chess"})
        self.assertEqual(guardian.name, "Father 1")
        with self.assertRaisesRegex(UserError, "sequence"):
            self.students[1].with_user(self.counselor).write({"student_code": "S-FAKE"})


@tagged("post_install", "-at_install")
class TestProtectedFields(TrainingCase):
    """For every model with a state: each protected field, written or created by every
    role that has write access, is refused and left unchanged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = cls._user(
            "ta_supervisor", "training_attendance.group_counselor_supervisor"
        )
        cls.finance = cls._user("ta_finance", "training_attendance.group_finance")
        cls.director = cls._user("ta_director", "training_attendance.group_director")
        with freeze_time("2026-10-07 18:10:00"):
            session = cls._session(date(2026, 10, 7))
            session.action_open()
            session.attendance_line_ids[0].action_set_absent()
            session.action_mark_rest_present()
            cls._validate_and_follow(session)
        enrollment = cls.enrollments[0]
        cls.guardian = cls.env["res.partner"].create({"name": "Parent", "is_guardian": True})
        Env = cls.env
        cls.records = [
            session,
            enrollment,
            Env["training.leave.request"].create(
                {
                    "student_id": cls.students[1].id,
                    "reason": "Trip",
                    "session_ids": [Command.set(session.ids)],
                }
            ),
            Env["training.escalation"]
            .sudo()
            .create({"enrollment_id": cls.enrollments[1].id, "level": "commitment"}),
            Env["training.makeup"].search([("line_id.session_id", "=", session.id)], limit=1),
            Env["training.absence.analysis"].create({"enrollment_id": enrollment.id}),
            Env["training.refund.request"].create(
                {"enrollment_id": enrollment.id, "reason": "x", "guardian_id": cls.guardian.id}
            ),
        ]

    def _value(self, record, fname):
        field = record._fields[fname]
        if fname == "state":
            states = [key for key, _label in field.selection if key != record.state]
            return states[-1]
        return {
            "many2one": lambda: (
                self.teacher2.id
                if field.comodel_name == "res.users"
                else self.env[field.comodel_name].sudo().search([], limit=1).id or 1
            ),
            "many2many": lambda: [Command.set([])],
            "datetime": lambda: fields.Datetime.to_string(datetime(2026, 1, 1, 9)),
            "date": lambda: "2026-01-01",
            "boolean": lambda: not record[fname],
            "float": lambda: 1.0,
            "integer": lambda: 99,
            "monetary": lambda: 1.0,
            "selection": lambda: field.selection[0][0],
            "text": lambda: "forged",
            "char": lambda: "forged",
            # a 1x1 PNG (an image field: the enrolment's signature)
            "binary": lambda: (
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
                "AAAABJRU5ErkJggg=="
            ),
        }[field.type]()

    def test_every_protected_field_is_refused_to_every_role(self):
        users = [
            self.teacher,
            self.counselor,
            self.clerk,
            self.manager,
            self.supervisor,
            self.director,
            self.finance,
        ]
        tried = 0
        for record in self.records:
            self.assertTrue(record, "a record of each workflow model")
            for fname in record._protected_fields:
                value = self._value(record, fname)
                before = record[fname]
                for user in users:
                    with refused(self, f"{record._name}.{fname} by {user.login}") as caught:
                        record.with_user(user).write({fname: value})
                    self.assertIsInstance(caught.exception, REFUSED)
                    tried += 1
                record.invalidate_recordset()
                self.assertEqual(record[fname], before, f"{record._name}.{fname}")
        self.assertGreater(tried, 200)

    def test_protected_fields_at_create_are_refused(self):
        base = {
            "training.session": {
                "class_id": self.klass.id,
                "start": "2026-11-04 16:00:00",
                "stop": "2026-11-04 18:00:00",
            },
            "training.enrollment": {
                "student_id": self._students(1, "Created").id,
                "class_id": self.klass.id,
            },
            "training.leave.request": {"student_id": self.students[2].id, "reason": "Trip"},
            "training.refund.request": {
                "enrollment_id": self.enrollments[2].id,
                "reason": "x",
                "guardian_id": self.guardian.id,
            },
        }
        user_for = {
            "training.session": self.teacher,
            "training.enrollment": self.counselor,
            "training.leave.request": self.counselor,
            "training.refund.request": self.counselor,
        }
        for record in self.records:
            if record._name not in base:
                continue
            Model = self.env[record._name].with_user(user_for[record._name])
            count = Model.sudo().search_count([])
            for fname in record._protected_fields:
                vals = dict(base[record._name], **{fname: self._value(record, fname)})
                with refused(self, f"{record._name}.{fname} at create") as caught:
                    Model.create(vals)
                self.assertIsInstance(caught.exception, REFUSED)
            self.assertEqual(Model.sudo().search_count([]), count)
