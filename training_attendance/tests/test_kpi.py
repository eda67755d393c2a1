import base64
import io
import zipfile
from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TrainingCase, enroll

# Campus A (UTC): the class meets on Wednesdays 16:00; 7 and 14 October 2026 are Wednesdays.
# Campus B (Asia/Shanghai, UTC+8): 30 October 15:00 UTC is 23:00 on 30 October locally, but
# 31 October 17:00 UTC is already 1 November 01:00: the period boundary of the campus.
OCTOBER = [("date", ">=", date(2026, 10, 1)), ("date", "<=", date(2026, 10, 31))]
NOVEMBER = [("date", ">=", date(2026, 11, 1)), ("date", "<=", date(2026, 11, 30))]


@tagged("post_install", "-at_install")
class TestKpi(TrainingCase):
    """Each indicator's formula on a small known data set, by hand:

    campus A, October: attendance 3 of 6 lessons; notification timeliness 1 of 2
    unexcused absences told the same day; make-ups 2 done of 3 due; satisfaction 1
    satisfied of 2 ratings; follow-up deadlines 1 met on time of 3 due.
    campus B: October attendance 1 of 1, November 0 of 1 and its notice 1 of 1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Kpi = cls.env["training.kpi"]
        cls.s0, cls.s1, cls.s2 = cls.students
        cls.b0 = cls._students(
            1,
            prefix="Campus B",
            counselor=cls._user("ta_counselor_b", "training_attendance.group_counselor"),
        )
        for student in cls.students | cls.b0:
            cls.env["training.guardian.link"].create(
                {
                    "student_id": student.id,
                    "guardian_id": cls.env["res.partner"]
                    .create({"name": f"Parent of {student.name}", "email": "p@example.com"})
                    .id,
                    "is_primary": True,
                }
            )
        cls.campus_b = cls.env["res.company"].create({"name": "Campus B"})
        cls.campus_b.partner_id.tz = "Asia/Shanghai"
        cls.counselor_b = cls.b0.counselor_id
        cls.director = cls._user("ta_director", "training_attendance.group_director")
        for user in (cls.teacher2, cls.counselor_b, cls.director):
            user.company_ids |= cls.campus_b
        course_b = cls.env["training.course"].create(
            {"name": "Art", "company_id": cls.campus_b.id, "lesson_duration": 2}
        )
        cls.class_b = cls.env["training.class"].create(
            {
                "name": "Art B",
                "course_id": course_b.id,
                "company_id": cls.campus_b.id,
                "teacher_id": cls.teacher2.id,
                "head_teacher_id": cls.counselor_b.id,
            }
        )
        env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.campus_b.ids))
        cls.enrollment_b = enroll(env_b, cls.b0, cls.class_b, date(2026, 9, 1))
        cls._build_facts()

    @classmethod
    def _take(cls, session, absent=(), excused=()):
        session.action_open()
        for line in session.attendance_line_ids:
            if line.student_id in absent:
                line.action_set_absent()
            elif line.student_id in excused:
                line.action_set_excused()
        session.action_mark_rest_present()
        cls._validate_and_follow(session)

    @classmethod
    def _build_facts(cls):
        with freeze_time("2026-10-07 18:00:00"):
            first = cls._session(date(2026, 10, 7))
            cls._take(first, absent=cls.s1, excused=cls.s2)  # s1's guardian told the same day
        with freeze_time("2026-10-15 09:00:00"):
            second = cls._session(date(2026, 10, 14))
            cls._take(second, absent=cls.s0)  # validated the next day: told the next day
        with freeze_time("2026-10-30 16:00:00"):
            cls._take(cls._session(date(2026, 10, 30), klass=cls.class_b, hour=15))
        with freeze_time("2026-10-31 18:00:00"):  # 1 November 02:00 in Shanghai
            late = cls._session(date(2026, 10, 31), klass=cls.class_b, hour=17)
            cls._take(late, absent=cls.b0)
        Makeup = cls.env["training.makeup"]
        cls.m_s1 = Makeup.search(
            [("line_id.session_id", "=", first.id), ("student_id", "=", cls.s1.id)]
        )
        cls.m_s2 = Makeup.search(
            [("line_id.session_id", "=", first.id), ("student_id", "=", cls.s2.id)]
        )
        cls.m_s0 = Makeup.search([("line_id.session_id", "=", second.id)])
        with freeze_time("2026-10-20 10:00:00"):
            (cls.m_s1 | cls.m_s2).write({"state": "done", "date_done": datetime(2026, 10, 20, 10)})
        # the counselor's deadlines: only those of this test
        enrollments = cls.enrollments | cls.enrollment_b
        cls.env["mail.activity"].search(
            [("res_model", "=", "training.enrollment"), ("res_id", "in", enrollments.ids)]
        ).unlink()
        cls.env["training.kpi.deadline"].search([("enrollment_id", "in", enrollments.ids)]).unlink()
        routine = cls.env.ref("training_attendance.mail_activity_followup_routine")
        e0, e1, e2 = cls.enrollments

        def deadline(enrollment, day):
            return enrollment.activity_schedule(
                activity_type_id=routine.id, date_deadline=day, user_id=cls.counselor.id
            )

        with freeze_time("2026-10-05 09:00:00"):
            on_time = deadline(e0, date(2026, 10, 10))
            late_one = deadline(e1, date(2026, 10, 12))
            cls.open_one = deadline(e2, date(2026, 10, 20))
            cls.future = deadline(e0, date(2026, 11, 20))
        with freeze_time("2026-10-09 09:00:00"):
            on_time.action_feedback(feedback="Called the mother")
            cls.env.flush_all()  # the done date is computed at the flush
        with freeze_time("2026-10-13 09:00:00"):
            late_one.action_feedback(feedback="Called the father")
            cls.env.flush_all()

    def _table(self, domain, groupby="company_id", user=None):
        Kpi = self.Kpi.with_user(user) if user else self.Kpi
        return {
            (group, kpi): (hit, total, rate, target)
            for group, kpi, hit, total, rate, target, *_hours in Kpi._kpi_table(domain, [groupby])
        }

    @freeze_time("2026-11-05 12:00:00")
    def test_each_formula_per_campus_with_the_campus_period_boundary(self):
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "training.makeup"), ("res_id", "in", (self.m_s1 | self.m_s2).ids)]
        )
        self.assertEqual(len(ratings), 2)  # one rating request per make-up done
        self.m_s1.rating_apply(
            5, token=ratings.filtered(lambda r: r.res_id == self.m_s1.id).access_token
        )
        self.m_s2.rating_apply(
            1, token=ratings.filtered(lambda r: r.res_id == self.m_s2.id).access_token
        )
        a, b = self.company, self.campus_b
        table = self._table(OCTOBER)
        self.assertEqual(table[a, "attendance"], (3, 6, 50.0, 90.0))
        self.assertEqual(table[a, "notice"], (1, 2, 50.0, 95.0))
        self.assertEqual(table[a, "makeup"], (2, 3, 66.7, 90.0))
        self.assertEqual(table[a, "satisfaction"], (1, 2, 50.0, 90.0))
        self.assertEqual(table[a, "followup"], (1, 3, 33.3, 90.0))
        self.assertEqual(table[b, "attendance"], (1, 1, 100.0, 90.0))
        self.assertNotIn((b, "notice"), table)  # its absence is on 1 November locally
        table = self._table(NOVEMBER)
        self.assertEqual(table[b, "attendance"], (0, 1, 0.0, 90.0))
        self.assertEqual(table[b, "notice"], (1, 1, 100.0, 95.0))
        self.assertNotIn((a, "followup"), table)  # the 20 November deadline is not due yet
        # per teacher and per counselor, and the policy's target
        self.env["training.policy"]._get_for_company(a).kpi_notice_target = 40
        by_teacher = self._table(OCTOBER, "teacher_id")
        self.assertEqual(by_teacher[self.teacher, "notice"], (1, 2, 50.0, 40.0))
        self.assertEqual(by_teacher[self.teacher2, "attendance"], (1, 1, 100.0, 90.0))
        by_counselor = self._table(OCTOBER, "counselor_id")
        self.assertEqual(by_counselor[self.counselor, "followup"], (1, 3, 33.3, 90.0))
        self.assertEqual(by_counselor[self.counselor_b, "attendance"], (1, 1, 100.0, 90.0))

    def test_a_deadline_put_off_once_passed_still_counts_as_missed(self):
        """Moving an overdue follow-up to a later date keeps the missed deadline in the
        indicator; the new deadline counts in its turn."""
        with freeze_time("2026-10-25 09:00:00"):  # the 20 October deadline has passed
            self.open_one.with_user(self.counselor).date_deadline = date(2026, 11, 2)
        with freeze_time("2026-11-05 12:00:00"):
            self.assertEqual(self._table(OCTOBER)[self.company, "followup"], (1, 3, 33.3, 90.0))
            # the new deadline (2 November) is past too: counted, not met
            self.assertEqual(self._table(NOVEMBER)[self.company, "followup"], (0, 1, 0.0, 90.0))
            # a deadline not due yet moves freely
            self.future.with_user(self.counselor).date_deadline = date(2026, 11, 27)
        kept = self.env["training.kpi.deadline"].search(
            [("enrollment_id", "in", self.enrollments.ids)]
        )
        self.assertEqual(
            sorted((k.date_deadline, k.date_done) for k in kept),
            [
                (date(2026, 10, 10), date(2026, 10, 9)),
                (date(2026, 10, 12), date(2026, 10, 13)),
                (date(2026, 10, 20), date(2026, 10, 25)),
            ],
        )

    def test_a_deadline_cancelled_once_passed_still_counts_as_missed(self):
        """Cancelling (deleting) a follow-up activity does not take a missed deadline out
        of the indicator; cancelling one not due yet does."""
        with freeze_time("2026-10-25 09:00:00"):  # the 20 October deadline has passed
            self.open_one.with_user(self.counselor).unlink()
        with freeze_time("2026-11-05 12:00:00"):
            self.future.with_user(self.counselor).unlink()  # due 20 November
            table = self._table(OCTOBER)
            self.assertEqual(table[self.company, "followup"], (1, 3, 33.3, 90.0))
            self.assertNotIn((self.company, "followup"), self._table(NOVEMBER))
        [kept] = self.env["training.kpi.deadline"].search(
            [("date_deadline", "=", date(2026, 10, 20))]
        )
        self.assertEqual((kept.user_id, kept.date_done), (self.counselor, date(2026, 10, 25)))
        # done, the activity is kept once (as met or late), not again when Odoo deletes it
        self.assertEqual(
            self.env["training.kpi.deadline"].search_count(
                [("enrollment_id", "in", self.enrollments.ids)]
            ),
            3,
        )

    @freeze_time("2026-11-05 12:00:00")
    def test_a_make_up_still_to_plan_counts_once_its_delay_is_over(self):
        with freeze_time("2026-10-27 12:00:00"):  # 13 days after the 14 October lesson
            self.assertEqual(self._table(OCTOBER)[self.company, "makeup"][:2], (2, 2))
        self.assertEqual(self._table(OCTOBER)[self.company, "makeup"][:2], (2, 3))

    @freeze_time("2026-11-05 12:00:00")
    def test_each_role_sees_its_own_indicators(self):
        a, b = self.company, self.campus_b
        mine = self._table(OCTOBER, "teacher_id", user=self.teacher2)
        self.assertEqual({group for group, _kpi in mine}, {self.teacher2})
        mine = self._table(OCTOBER, "counselor_id", user=self.counselor_b)
        self.assertEqual({group for group, _kpi in mine}, {self.counselor_b})
        # campus A's manager: all of campus A, nothing of campus B
        self.assertEqual({g for g, _k in self._table(OCTOBER, user=self.manager)}, {a})
        # a director of both campuses sees both
        self.assertEqual({g for g, _k in self._table(OCTOBER, user=self.director)}, {a, b})
        # the teacher sees their lessons only, not the counselor's deadlines of them
        rows = self.Kpi.with_user(self.teacher).search(OCTOBER)
        self.assertEqual(set(rows.mapped("teacher_id")), {self.teacher})
        self.assertEqual(set(rows.mapped("kpi")), {"attendance", "notice", "makeup"})

    @freeze_time("2026-11-05 12:00:00")
    def test_xlsx_export_writes_values_never_formulas(self):
        self.s0.name = '=HYPERLINK("http://evil")'
        self.company.name = "=1+1"
        summary = (
            self.env["training.kpi.summary"]
            .with_user(self.manager)
            .create({"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)})
        )
        summary.action_compute()
        line = summary.line_ids.filtered(lambda row: row.kpi == "notice")
        self.assertEqual((line.group_name, line.rate, line.below_target), ("=1+1", 50.0, True))
        action = summary.action_export_xlsx()
        self.assertIn("/xlsx_file/", action["url"])
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(summary.xlsx_file))) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
            strings = book.read("xl/sharedStrings.xml").decode()
        self.assertNotIn("<f>", sheet)
        self.assertIn("=1+1", strings)

    def test_rating_request_goes_to_the_guardian_when_a_make_up_is_done(self):
        message = self.env["mail.message"].search(
            [
                ("model", "=", "training.makeup"),
                ("res_id", "=", self.m_s1.id),
                ("body", "ilike", "/rate/"),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.s1.guardian_link_ids.guardian_id)
        self.assertEqual(self.m_s1._rating_get_operator(), self.m_s1.teacher_id.partner_id)
        rating = self.m_s1.rating_ids
        self.assertEqual((rating.partner_id, rating.consumed), (message.partner_ids, False))
        # the guardian clicks a face: the rating is stored on the make-up
        self.m_s1.rating_apply(3, token=rating.access_token, feedback="OK")
        self.assertEqual((self.m_s1.rating_last_value, rating.consumed), (3.0, True))
        # a make-up still to plan asks nothing
        self.assertFalse(self.m_s0.rating_ids)

    def test_the_dashboard_is_for_managers_and_directors(self):
        dashboard = self.env.ref("training_attendance.spreadsheet_dashboard_training_kpi")
        Dashboard = self.env["spreadsheet.dashboard"]
        for user, sees in (
            (self.teacher, False),
            (self.counselor, False),
            (self.manager, True),
            (self.director, True),
        ):
            self.assertEqual(dashboard in Dashboard.with_user(user).search([]), sees, user.login)
