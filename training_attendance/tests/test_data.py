import unittest
from collections import Counter
from datetime import datetime, timedelta

import pytz
from lxml import etree

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

# what an administrator tunes: a module update must not reset it
TUNED_MODELS = {
    "ir.cron",
    "mail.activity.type",
    "mail.template",
    "sms.template",
    "base.automation",
    "ir.actions.server",
}


@tagged("post_install", "-at_install")
class TestData(TransactionCase):
    def _records(self):
        """``(file, xml id, model, noupdate)`` of every record of the data files."""
        for name in get_manifest("training_attendance")["data"]:
            if not name.endswith(".xml"):
                continue
            root = etree.parse(file_path(f"training_attendance/{name}")).getroot()
            for record in root.iter("record"):
                noupdate = False
                for node in reversed(list(record.iterancestors())):
                    if node.get("noupdate") is not None:
                        noupdate = node.get("noupdate") in ("1", "True", "true")
                yield name, record.get("id"), record.get("model"), noupdate

    def test_records_an_administrator_tunes_are_not_reset_by_updates(self):
        """Scheduled jobs, activity types, templates, automated rules and server actions
        are declared in ``noupdate`` blocks, as in Odoo's hr_holidays and event."""
        tuned = [r for r in self._records() if r[2] in TUNED_MODELS]
        self.assertGreater(len(tuned), 30)
        self.assertEqual([r[:3] for r in tuned if not r[3]], [])
        # and they are installed under their XML ids
        for _name, xmlid, _model, _noupdate in tuned:
            self.assertTrue(self.env.ref(f"training_attendance.{xmlid}", raise_if_not_found=False))


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo story of demo/*.xml, on a database created with demo data: built through
    the addon's public actions, dated relative to the day the database was created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("training_attendance.class_maths_a_demo", raise_if_not_found=False):
            raise unittest.SkipTest("the database has no demo data")
        cls.classes = cls._ref("class_maths_a_demo", "class_homework_demo", "class_english_demo")
        cls.sessions = cls.env["training.session"].search([("class_id", "in", cls.classes.ids)])
        cls.enrollments = cls.env["training.enrollment"].search(
            [("class_id", "in", cls.classes.ids)]
        )
        # the demo's "today": the day of the open attendance sheets (in Shanghai)
        open_sessions = cls.sessions.filtered(lambda s: s.state == "open")
        cls.demo_day = (
            max(cls._local_day(s.start) for s in open_sessions) if open_sessions else None
        )

    @classmethod
    def _ref(cls, *names):
        """The demo records of these XML ids, as one recordset."""
        records = [cls.env.ref(f"training_attendance.{name}") for name in names]
        return records[0].browse([record.id for record in records])

    @staticmethod
    def _local_day(moment):
        return pytz.utc.localize(moment).astimezone(pytz.timezone("Asia/Shanghai")).date()

    def _student_lines(self, xmlid):
        return self.sessions.filtered(lambda s: s.state == "done").attendance_line_ids.filtered(
            lambda line: line.student_id == self._ref(xmlid)
        )

    def test_enrolments_went_through_their_lifecycle(self):
        waiting = self._ref("enrollment_n01_homework_demo")
        self.assertEqual(waiting.state, "review", "waits for the portal guardian's signature")
        story = self.enrollments - waiting
        self.assertEqual(len(story), 26)
        self.assertEqual(
            Counter(story.mapped("state")),
            {"active": 24, "suspended": 1, "withdrawn": 1},
        )
        self.assertEqual(self._ref("enrollment_n03_maths_a_demo").state, "suspended")
        self.assertEqual(self._ref("enrollment_s08_english_demo").state, "withdrawn")
        for enrollment in story:
            history = {event.kind: event.date for event in enrollment.event_ids}
            confirmed = enrollment.date_contract + timedelta(days=2)
            self.assertEqual(history["submit"], enrollment.date_contract, enrollment.name)
            self.assertEqual(history["confirm"], confirmed, enrollment.name)
            self.assertEqual(history["activate"], enrollment.date_start, enrollment.name)
            self.assertEqual(enrollment.guardian_confirmed_at.date(), confirmed, enrollment.name)
            self.assertLessEqual(confirmed, enrollment.date_start)
        suspended = self._ref("enrollment_n03_maths_a_demo")
        self.assertEqual(
            suspended.event_ids.filtered(lambda e: e.kind == "suspend").date,
            suspended.date_suspended,
        )
        self.assertGreater(suspended.date_suspended, suspended.date_start)

    def test_a_month_of_validated_attendance(self):
        done = self.sessions.filtered(lambda s: s.state == "done")
        self.assertGreaterEqual(len(done), 55, "about 60 lessons in the month before today")
        cancelled = self.sessions.filtered(lambda s: s.state == "cancelled")
        self.assertEqual(cancelled.class_id, self._ref("class_maths_a_demo", "class_homework_demo"))
        self.assertTrue(all(session.note for session in cancelled))
        self.assertFalse(cancelled.attendance_line_ids)
        for session in done:
            self.assertEqual(session.validated_by_id, session.class_id.teacher_id)
            self.assertGreater(session.validated_at, session.stop)
            self.assertEqual(self._local_day(session.validated_at), self._local_day(session.start))
        lines = done.attendance_line_ids
        self.assertNotIn("pending", lines.mapped("status"))
        self.assertEqual(
            Counter(lines.mapped("status")),
            {"present": len(lines) - 39, "absent": 19, "excused": 20},
        )
        self.assertEqual(len(lines.filtered("late_minutes")), 47)
        self.assertEqual(len(lines.filtered("left_early_minutes")), 22)
        # the habits of three students
        self.assertEqual(len(self._student_lines("student_n04_demo").filtered("late_minutes")), 7)
        self.assertEqual(
            len(self._student_lines("student_s03_demo").filtered("left_early_minutes")), 6
        )
        self.assertEqual(
            len(
                self._student_lines("student_n11_demo").filtered(
                    lambda line: line.status == "absent"
                )
            ),
            5,
        )
        # no lesson after the suspension or the withdrawal
        suspended = self._ref("enrollment_n03_maths_a_demo")
        self.assertTrue(suspended.attendance_line_ids)
        self.assertTrue(
            all(
                self._local_day(line.session_start) < suspended.date_suspended
                for line in suspended.attendance_line_ids
            )
        )

    def test_todays_sheets_are_open_for_the_teachers(self):
        teacher = self._ref("user_teacher1_demo")
        sheets = self.env["training.session"].with_user(teacher).search([("state", "=", "open")])
        self.assertIn(self._ref("class_homework_demo"), sheets.class_id, "the club runs daily")
        self.assertEqual({self._local_day(s.start) for s in sheets}, {self.demo_day})
        today = datetime.now(pytz.timezone("Asia/Shanghai")).date()
        self.assertIn((today - self.demo_day).days, (0, 1), "today (or yesterday, after midnight)")
        self.assertEqual(set(sheets.attendance_line_ids.mapped("status")), {"pending"})
        for session in self.sessions:
            day = self._local_day(session.start)
            if day < self.demo_day:
                self.assertIn(session.state, ("done", "cancelled"), session.display_name)
            elif day > self.demo_day:
                self.assertEqual(session.state, "planned", session.display_name)
            else:
                self.assertEqual(session.state, "open", session.display_name)

    def test_the_follow_up_of_the_validations_happened(self):
        lines = self.sessions.filtered(lambda s: s.state == "done").attendance_line_ids
        absences = lines.filtered(lambda line: line.status in ("absent", "excused"))
        unexcused = lines.filtered(lambda line: line._is_unexcused())
        self.assertTrue(unexcused)
        self.assertTrue(all(line.notice_state for line in unexcused), "guardians told")
        self.assertTrue(all(line.followup_scheduled for line in unexcused | absences))
        makeups = self.env["training.makeup"].search([("line_id", "in", lines.ids)])
        self.assertEqual(makeups.line_id, absences, "one make-up to plan per absence")
        ladder = self.env["training.escalation"].search(
            [("enrollment_id", "=", self._ref("enrollment_n11_homework_demo").id)]
        )
        self.assertEqual(
            set(ladder.mapped("level")), {"reminder", "commitment", "warning", "cancellation"}
        )
        active = self.enrollments.filtered(lambda e: e.state == "active")
        self.assertTrue(all(active.mapped("date_first_lesson")), "first lessons followed up")
        for enrollment in self.enrollments:
            self.assertAlmostEqual(
                enrollment.hours_consumed,
                sum(enrollment.attendance_line_ids.mapped("hours_consumed")),
            )
        self.assertGreater(sum(self.enrollments.mapped("hours_consumed")), 0)

    def test_no_overdue_activity_from_the_demo_past(self):
        staff = self._ref(
            "user_teacher1_demo",
            "user_teacher2_demo",
            "user_counselor_demo",
            "user_clerk_demo",
            "user_supervisor_demo",
            "user_director_demo",
            "user_finance_demo",
        )
        Activity = self.env["mail.activity"]
        self.assertFalse(
            Activity.search([("user_id", "in", staff.ids), ("date_deadline", "<", self.demo_day)])
        )
        counselor = self._ref("user_counselor_demo")
        self.assertTrue(Activity.search([("user_id", "=", counselor.id)]), "today's and later")
        # what was due before was done, by the counselor: it is in the follow-up log
        calls = self.env["training.followup"].search(
            [("user_id", "=", counselor.id), ("kind", "=", "absence")]
        )
        self.assertTrue(calls)

    def test_guardians_rated_make_ups_and_the_kpi_counts_them(self):
        """Five guardians answered the satisfaction e-mail of a make-up done: four
        satisfied, one not (the demo's story); the KPI reads 4 of 5."""
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "training.makeup"), ("consumed", "=", True)]
        )
        self.assertEqual(sorted(ratings.mapped("rating")), [2, 4, 5, 5, 5])
        self.assertTrue(all(ratings.partner_id.mapped("is_guardian")))
        makeups = self.env["training.makeup"].browse(ratings.mapped("res_id"))
        self.assertEqual(set(makeups.mapped("state")), {"done"})
        self.assertEqual(sorted(makeups.mapped("rating_last_value")), [2, 4, 5, 5, 5])
        [(met, counted)] = self.env["training.kpi"]._read_group(
            [("kpi", "=", "satisfaction")], [], ["hit:sum", "total:sum"]
        )
        self.assertEqual((met, counted), (4, 5))

    def test_class_a_is_invoiced_and_a_refund_waits_for_finance(self):
        invoices = self.env["account.move"].search(
            [("training_enrollment_id.class_id", "=", self._ref("class_maths_a_demo").id)]
        )
        self.assertEqual(len(invoices), 9)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        half_paid = invoices.filtered(
            lambda m: m.training_enrollment_id == self._ref("enrollment_n02_maths_a_demo")
        )
        self.assertEqual(half_paid.payment_state, "partial")
        self.assertEqual(half_paid.amount_residual, half_paid.amount_total / 2)
        self.assertEqual(set((invoices - half_paid).mapped("payment_state")), {"paid"})
        request = self._ref("refund_request_n01_demo")
        self.assertEqual(request.state, "director_approved")
        self.assertTrue(request.application_attachment_ids)
        self.assertEqual(request.submitted_by_id, self._ref("user_counselor_demo"))
        self.assertEqual(request.supervisor_id, self._ref("user_supervisor_demo"))
        self.assertEqual(request.director_id, self._ref("user_director_demo"))
