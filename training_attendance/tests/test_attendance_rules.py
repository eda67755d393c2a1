from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TrainingCase


@tagged("post_install", "-at_install")
class TestAttendanceRules(TrainingCase):
    """SPEC §3: absence equivalents from lateness, and hours consumed."""

    def _run(self, day, marks):
        """Open, mark (student index -> vals) and validate the session of ``day``."""
        session = self._session(day)
        session.action_open()
        lines = {line.student_id: line for line in session.attendance_line_ids}
        for index, vals in marks.items():
            lines[self.students[index]].write(vals)
        session.action_mark_rest_present()
        self._validate_and_follow(session)
        return session, lines

    def test_lateness_accumulates_into_absence_equivalents(self):
        # lesson of 2 h, threshold 50 %: one absence equivalent per 60 minutes
        student = self.students[0]
        days = [date(2026, 9, 2) + timedelta(weeks=w) for w in range(4)]
        _s1, l1 = self._run(days[0], {0: {"late_minutes": 30}})
        _s2, l2 = self._run(days[1], {0: {"late_minutes": 20, "left_early_minutes": 15}})
        _s3, l3 = self._run(days[2], {0: {"late_minutes": 55}})
        _s4, l4 = self._run(days[3], {0: {"late_minutes": 10}})
        counted = [line[student].absence_equivalent for line in (l1, l2, l3, l4)]
        self.assertEqual(counted, [0, 1, 1, 0], "65 min passes 60, 120 min passes 120")
        # correcting an earlier line moves the later counts
        l1[student].with_user(self.clerk).write({"late_minutes": 0})
        counted = [line[student].absence_equivalent for line in (l1, l2, l3, l4)]
        self.assertEqual(counted, [0, 0, 1, 0], "35, 90, 100 min: only the 90 passes 60")
        self.assertEqual(l2[self.students[1]].absence_equivalent, 0)

    def test_one_long_lateness_can_count_twice(self):
        _s, lines = self._run(
            date(2026, 9, 2), {0: {"late_minutes": 100, "left_early_minutes": 20}}
        )
        self.assertEqual(lines[self.students[0]].absence_equivalent, 2)

    def test_threshold_is_the_campus_policy(self):
        policy = self.env["training.policy"]._get_for_company(self.company)
        self.assertEqual(policy.late_threshold_percent, 50, "SPEC default")
        policy.late_threshold_percent = 25  # 30 minutes of a 2-hour lesson
        _s, lines = self._run(date(2026, 9, 2), {0: {"late_minutes": 30}, 1: {"late_minutes": 29}})
        self.assertEqual(lines[self.students[0]].absence_equivalent, 1)
        self.assertEqual(lines[self.students[1]].absence_equivalent, 0)
        for bad in (0, 101, -10):
            with (
                self.assertRaisesRegex(ValidationError, "between 1 and 100 percent"),
                self.cr.savepoint(),
            ):
                policy.late_threshold_percent = bad
        self.assertEqual(policy.late_threshold_percent, 25)

    def test_cancelled_sessions_do_not_count(self):
        session = self._session(date(2026, 9, 2))
        session.action_open()
        session.attendance_line_ids[0].write({"late_minutes": 50})
        session.action_cancel()
        _s, lines = self._run(date(2026, 9, 9), {0: {"late_minutes": 30}})
        self.assertEqual(lines[self.students[0]].absence_equivalent, 0)

    def test_hours_consumed_by_status_and_policy(self):
        _s, lines = self._run(
            date(2026, 9, 2),
            {0: {"status": "absent"}, 1: {"status": "excused"}, 2: {"late_minutes": 20}},
        )
        hours = [lines[s].hours_consumed for s in self.students]
        self.assertEqual(hours, [0.0, 0.0, 2.0], "absent (default policy), excused, late")
        self.assertEqual(self.enrollments.mapped("hours_consumed"), [0.0, 0.0, 2.0])
        self.assertEqual(self.enrollments.mapped("hours_remaining"), [40.0, 40.0, 38.0])
        policy = self.env["training.policy"]._get_for_company(self.company)
        policy.unexcused_absence_consumes_hours = True
        _s, lines = self._run(date(2026, 9, 9), {0: {"status": "absent"}, 1: {"status": "excused"}})
        self.assertEqual([lines[s].hours_consumed for s in self.students], [2.0, 0.0, 2.0])
        self.assertEqual(self.enrollments.mapped("hours_remaining"), [38.0, 40.0, 36.0])

    def test_hours_count_only_once_validated(self):
        session = self._session(date(2026, 9, 2))
        session.action_open()
        session.action_mark_rest_present()
        self.assertEqual(self.enrollments.mapped("hours_consumed"), [0.0] * 3)
        self._validate_and_follow(session)
        self.assertEqual(self.enrollments.mapped("hours_consumed"), [2.0] * 3)

    def test_every_campus_has_its_own_policy_with_the_defaults(self):
        campus = self.env["res.company"].create({"name": "New campus"})
        policy = self.env["training.policy"].search([("company_id", "=", campus.id)])
        self.assertEqual(len(policy), 1)
        self.assertEqual(
            (policy.late_threshold_percent, policy.unexcused_absence_consumes_hours), (50, False)
        )
        main = self.env["training.policy"]._get_for_company(self.company)
        main.late_threshold_percent = 30
        self.assertEqual(policy.late_threshold_percent, 50, "campuses do not share a policy")
