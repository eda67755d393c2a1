from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TrainingCase

# 9 October 2026 is a Friday; Monday 12 October is a public holiday of the campus
FRIDAY = date(2026, 10, 9)
HOLIDAY = date(2026, 10, 12)
STAGE = "training_attendance.mail_activity_retention_stage"
ESCALATION = "training_attendance.mail_activity_retention_escalation"


@tagged("post_install", "-at_install")
class TestRetention(TrainingCase):
    """SPEC §5: the retention case from the signal to retained or lost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.company.resource_calendar_id
        cls.calendar.tz = "UTC"
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 10, 12, 0, 0),
                "date_to": datetime(2026, 10, 12, 23, 59, 59),
            }
        )
        cls.head = cls._user("ta_head", "training_attendance.group_counselor")
        cls.supervisor = cls._user(
            "ta_supervisor", "training_attendance.group_counselor_supervisor"
        )
        cls.director = cls._user("ta_director", "training_attendance.group_director")
        cls.klass.head_teacher_id = cls.head
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.policy.write(
            {"counselor_supervisor_id": cls.supervisor.id, "campus_director_id": cls.director.id}
        )
        cls.student = cls.students[0]
        cls.enrollment = cls.enrollments[0]
        cls.guardian = cls.env["res.partner"].create({"name": "Parent 000", "is_guardian": True})
        cls.env["training.guardian.link"].create(
            {"student_id": cls.student.id, "guardian_id": cls.guardian.id, "is_primary": True}
        )
        cls.enrollment.guardian_id = cls.guardian
        cls.Case = cls.env["training.retention.case"]
        cls.reason = cls.env.ref("training_attendance.loss_reason_no_follow_up")

    def _open(self, origin="risk", user=None, enrollment=None, when=FRIDAY, **vals):
        with freeze_time(datetime.combine(when, datetime.min.time().replace(hour=10))):
            return self.Case.with_user(user or self.counselor).create(
                {
                    "enrollment_id": (enrollment or self.enrollment).id,
                    "origin": origin,
                    "description": "The mother says he does not want to come any more.",
                    **vals,
                }
            )

    def _activities(self, case, xmlid=STAGE):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", case._name),
                ("res_id", "=", case.id),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def _next(self, case, when, user=None, **vals):
        with freeze_time(datetime.combine(when, datetime.min.time().replace(hour=11))):
            case = case.with_user(user or self.counselor)
            if vals:
                case.write(vals)
            case.action_next_stage()
            # the end of the request: tracking and automation rules done
            self.env.flush_all()
            self.cr.flush()
        return case

    def _to_director(self, case):
        self._next(case, FRIDAY, stabilisation_note="Called the mother twice.")
        self._next(case, date(2026, 10, 13), team_note="Teacher change offered.")
        self._next(case, date(2026, 10, 14), report="<p>Family moves to another district.</p>")
        return case

    # ------------------------------------------------------------------ stages
    def test_each_stage_has_its_leader_and_deadline_from_a_friday(self):
        self.assertEqual(self.policy._add_working_days(FRIDAY, 1), date(2026, 10, 13))
        case = self._open(origin="complaint")
        self.assertEqual(case.name[:4], "RET/")
        self.assertEqual(case.stage, "signal")
        self.assertEqual(case.counselor_id, self.counselor)
        self.assertEqual(case.leader_id, self.counselor)
        self.assertEqual(case.date_stage, FRIDAY)
        self.assertEqual(case.stage_deadline, HOLIDAY, "3 calendar days: the holiday counts")
        signal = self._activities(case)
        self.assertEqual(signal.user_id, self.counselor)
        self.assertEqual(signal.date_deadline, HOLIDAY)
        # team retention, led by the head teacher for a complaint: 2 working days after
        # Friday, over the weekend and the holiday
        with self.assertRaisesRegex(UserError, "write the stabilising work"):
            self._next(case, FRIDAY)
        self.assertEqual(case.stage, "signal")
        self._next(case, FRIDAY, stabilisation_note="Called the mother twice.")
        self.assertEqual(case.stage, "team")
        self.assertEqual(case.leader_id, self.head)
        self.assertEqual(case.stage_deadline, date(2026, 10, 14))
        self.assertFalse(signal.exists(), "the signal's activity is done")
        self.assertTrue(
            any("Moved to Team retention" in body for body in case.message_ids.mapped("body"))
        )
        team = self._activities(case)
        self.assertEqual((team.user_id, team.date_deadline), (self.head, date(2026, 10, 14)))
        # report to management within 1 working day, by the counselor
        self.assertNotIn(self.supervisor.partner_id, case.sudo().message_partner_ids)
        self._next(case, date(2026, 10, 13), user=self.head, team_note="Teacher change offered.")
        self.assertEqual(case.stage, "management")
        self.assertEqual(case.leader_id, self.counselor)
        followers = case.sudo().message_partner_ids
        self.assertIn(self.supervisor.partner_id, followers, "the report goes to them")
        self.assertIn(self.director.partner_id, followers)
        self.assertEqual(case.stage_deadline, date(2026, 10, 14))
        # the director's responsibility analysis within 1 working day
        self._next(case, date(2026, 10, 14), report="<p>Family moves away.</p>")
        self.assertEqual(case.stage, "director_review")
        self.assertEqual(case.leader_id, self.director)
        self.assertEqual(case.stage_deadline, date(2026, 10, 15))
        review = self._activities(case)
        self.assertEqual(
            (review.user_id, review.date_deadline), (self.director, date(2026, 10, 15))
        )
        # each stage is tracked in the chatter
        tracked = case.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "stage"
        )
        self.assertEqual(len(tracked), 3)

    def test_team_leader_follows_the_origin(self):
        expected = {
            "risk": self.counselor,
            "complaint": self.head,
            "refund_intent": self.supervisor,
        }
        for index, (origin, leader) in enumerate(expected.items()):
            case = self._open(origin=origin, enrollment=self.enrollments[index])
            self._next(case, FRIDAY, stabilisation_note="Done")
            self.assertEqual(case.leader_id, leader, origin)
            self.assertEqual(self._activities(case).user_id, leader)
        risk_case = self.Case.search(
            [("origin", "=", "risk"), ("enrollment_id", "=", self.enrollments[0].id)]
        )
        self._next(risk_case, date(2026, 10, 13), team_note="Done")
        self._next(risk_case, date(2026, 10, 13), report="<p>Done</p>")
        self.assertEqual(risk_case.leader_id, self.director, "the director's review")
        # a hard case: the director leads the team retention
        hard_case = self._open(origin="complaint", enrollment=self.enrollments[0], hard_case=True)
        self._next(hard_case, FRIDAY, stabilisation_note="Done")
        self.assertEqual(hard_case.leader_id, self.director)
        # no supervisor in the policy: a supervisor of the campus
        self.policy.counselor_supervisor_id = False
        case = self.Case.search(
            [("origin", "=", "refund_intent"), ("enrollment_id", "=", self.enrollments[2].id)]
        )
        # the only counselor supervisor of the campus
        self.assertEqual(case._stage_leader("team"), self.supervisor)

    def test_leader_and_deadline_changes_move_the_activity(self):
        case = self._open()
        activity = self._activities(case)
        case.with_user(self.supervisor).write(
            {"leader_id": self.head.id, "stage_deadline": date(2026, 10, 20)}
        )
        self.assertEqual(self._activities(case), activity, "the same activity, moved")
        self.assertEqual(
            (activity.user_id, activity.date_deadline), (self.head, date(2026, 10, 20))
        )

    def test_skipping_a_stage_is_refused_and_changes_nothing(self):
        case = self._open(stabilisation_note="Called", team_note="Met", report="<p>Report</p>")
        activity = self._activities(case)
        for stage in ("management", "director_review", "lost"):
            with self.assertRaisesRegex(UserError, "one stage at a time|after the director"):
                case.with_user(self.counselor).write({"stage": stage})
            self.assertEqual(case.stage, "signal")
            self.assertEqual(case.leader_id, self.counselor)
            self.assertEqual(case.stage_deadline, HOLIDAY)
            self.assertEqual(self._activities(case), activity)
        case.with_user(self.counselor).write({"stage": "signal", "description": "Same stage"})
        self.assertEqual(case.stage_deadline, HOLIDAY, "the same stage: nothing moves")
        self.assertEqual(self._activities(case), activity)
        with self.assertRaisesRegex(UserError, "starts at the signal"):
            self._open(stage="team", enrollment=self.enrollments[1])
        # Form-driven, the statusbar is not clickable: only the buttons move it
        with self.assertRaisesRegex(UserError, "after the director's review only"):
            case.with_user(self.counselor).action_lost()
        self.assertEqual(case.stage, "signal")

    def test_retained_closes_the_case(self):
        case = self._open()
        with self.assertRaisesRegex(UserError, "retention report"):
            case.with_user(self.counselor).action_retained()
        with Form(case.with_user(self.counselor)) as form:
            form.stabilisation_note = "Schedule changed to Saturday."
            form.report = "<p>Saved: new schedule suits the family.</p>"
        with freeze_time("2026-10-10 09:00:00"):
            case.with_user(self.counselor).action_retained()
        self.assertEqual(case.stage, "retained")
        self.assertEqual(case.date_closed, date(2026, 10, 10))
        self.assertFalse(case.stage_deadline)
        self.assertFalse(self._activities(case))
        with self.assertRaisesRegex(UserError, "is closed"):
            case.with_user(self.counselor).action_next_stage()
        with self.assertRaisesRegex(UserError, "is closed"):
            case.write({"stage": "lost"})
        self.assertEqual(case.stage, "retained")
        # a closed case is kept
        with self.assertRaisesRegex(UserError, "Only a case still at the signal"):
            case.with_user(self.manager).unlink()

    # ------------------------------------------------------------------ lost
    def test_lost_needs_the_director_and_prepares_the_refund(self):
        case = self._to_director(self._open())
        with self.assertRaises(AccessError):
            case.with_user(self.counselor).action_lost()
        case = case.with_user(self.director)
        with self.assertRaisesRegex(UserError, "loss reason"):
            case.action_lost()
        self.assertEqual(case.stage, "director_review")
        Request = self.env["training.refund.request"]
        self.assertFalse(Request.search_count([("enrollment_id", "=", self.enrollment.id)]))
        case.write(
            {
                "loss_reason_id": self.reason.id,
                "accountable_user_id": self.counselor.id,
                "responsibility_analysis": "<p>No follow-up for five weeks.</p>",
            }
        )
        with freeze_time("2026-10-15 10:00:00"):
            action = case.action_lost()
        self.assertEqual(case.stage, "lost")
        self.assertEqual(case.date_closed, date(2026, 10, 15))
        request = case.refund_request_id
        self.assertEqual(action["res_model"], "training.refund.request")
        self.assertEqual(action["res_id"], request.id)
        self.assertEqual(request.state, "draft")
        self.assertEqual(request.enrollment_id, self.enrollment)
        self.assertEqual(request.guardian_id, self.guardian)
        self.assertEqual(request.loss_reason_id, self.reason)
        self.assertEqual(request.accountable_user_id, self.counselor)
        self.assertIn("No follow-up for five weeks.", request.lessons_learned)
        self.assertIn(case.name, request.reason)
        self.assertFalse(self._activities(case))
        # the loss report groups the lost cases by cause
        groups = self.Case.with_user(self.director)._read_group(
            [("stage", "=", "lost")], ["loss_reason_id"], ["__count"]
        )
        self.assertEqual(groups, [(self.reason, 1)])

    def test_lost_opens_the_refund_request_in_progress(self):
        existing = self.env["training.refund.request"].create(
            {"enrollment_id": self.enrollment.id, "reason": "Guardian's letter"}
        )
        case = self._to_director(self._open(origin="refund_intent"))
        case.with_user(self.director).write(
            {"loss_reason_id": self.reason.id, "responsibility_analysis": "<p>Late handover.</p>"}
        )
        case.with_user(self.director).action_lost()
        self.assertEqual(case.refund_request_id, existing)
        self.assertEqual(
            self.env["training.refund.request"].search_count(
                [("enrollment_id", "=", self.enrollment.id)]
            ),
            1,
        )

    # ------------------------------------------------------------------ escalation
    def test_overdue_stage_escalates_once_up_the_line(self):
        Case = self.env["training.retention.case"]
        case = self._open()
        self.assertEqual(case.stage_deadline, HOLIDAY)
        with freeze_time("2026-10-12 12:00:00"):  # the deadline day: not overdue yet
            self.assertEqual(Case._cron_escalate_overdue(), 0)
        with freeze_time("2026-10-13 02:00:00"):
            self.assertEqual(Case._cron_escalate_overdue(), 1)
            self.assertEqual(Case._cron_escalate_overdue(), 0, "once")
        escalation = self._activities(case, ESCALATION)
        self.assertEqual(escalation.user_id, self.supervisor, "above the counselor")
        self.assertEqual(escalation.date_deadline, date(2026, 10, 13))
        self.assertTrue(case.escalated)
        self.assertEqual(case.escalated_to_id, self.supervisor)
        self.assertIn(f"escalated to {self.supervisor.name}", case.message_ids[0].body)
        self.assertEqual(len(self._activities(case)), 1, "the leader keeps their activity")
        with freeze_time("2026-10-20 02:00:00"):
            self.assertEqual(Case._cron_escalate_overdue(), 0)
        self.assertEqual(len(self._activities(case, ESCALATION)), 1)
        # the next stage starts afresh; its leader is the supervisor (refund intent):
        # overdue, it goes to the director
        case.origin = "refund_intent"
        self._next(case, date(2026, 10, 20), stabilisation_note="Done")
        self.assertFalse(case.escalated)
        self.assertFalse(self._activities(case, ESCALATION), "closed with the stage")
        self.assertEqual(case.leader_id, self.supervisor)
        self.assertEqual(case.stage_deadline, date(2026, 10, 22))
        with freeze_time("2026-10-23 02:00:00"):
            self.assertEqual(Case._cron_escalate_overdue(), 1)
        self.assertEqual(self._activities(case, ESCALATION).user_id, self.director)
        # the director's own stage: nobody above, noted once
        self._next(case, date(2026, 10, 23), team_note="Done")
        self._next(case, date(2026, 10, 23), report="<p>Done</p>")
        with freeze_time("2026-11-02 02:00:00"):
            self.assertEqual(Case._cron_escalate_overdue(), 1)
            self.assertEqual(Case._cron_escalate_overdue(), 0)
        self.assertTrue(case.escalated)
        self.assertFalse(self._activities(case, ESCALATION))
        self.assertIn("nobody above the campus director", case.message_ids[0].body)

    def test_escalation_job_works_in_batches(self):
        cases = self.Case
        for enrollment in self.enrollments:
            cases |= self._open(enrollment=enrollment)
        with freeze_time("2026-10-14 02:00:00"):
            self.assertEqual(self.Case._cron_escalate_overdue(batch_size=2), 2)
            self.assertEqual(self.Case._cron_escalate_overdue(batch_size=2), 1)
            self.assertEqual(self.Case._cron_escalate_overdue(batch_size=2), 0)
        self.assertTrue(all(cases.mapped("escalated")))

    # ------------------------------------------------------------------ churn risk
    def test_churn_risk_opens_a_case_from_the_student(self):
        self.student.write({"churn_risk": True, "churn_risk_reason": "Attendance 20 %"})
        with freeze_time("2026-10-09 10:00:00"):
            action = self.student.with_user(self.counselor).action_open_retention_case()
        case = self.Case.browse(action["res_id"])
        self.assertEqual(case.origin, "risk")
        self.assertEqual(case.enrollment_id, self.enrollment)
        self.assertEqual(case.description, "Attendance 20 %")
        self.assertEqual(case.stage, "signal")
        again = self.student.with_user(self.counselor).action_open_retention_case()
        self.assertEqual(again["res_id"], case.id, "the open case, not a second one")
        self.assertEqual(self.student.with_user(self.counselor).retention_case_count, 1)
        self.enrollments[1]._withdraw(date(2026, 10, 1), "Moved")
        with self.assertRaisesRegex(UserError, "no active enrolment"):
            self.students[1].with_user(self.counselor).action_open_retention_case()

    # ------------------------------------------------------------------ access
    def test_access_of_counselors_supervisor_director_and_teacher(self):
        other_counselor = self._user("ta_other_counselor", "training_attendance.group_counselor")
        other_student = self._students(1, prefix="Other", counselor=other_counselor)
        other_enrollment = self._enroll(
            other_student, self.klass.copy({"head_teacher_id": False}), date(2026, 9, 1)
        )
        mine = self._open()
        theirs = self._open(user=other_counselor, enrollment=other_enrollment)
        # a counselor: their own students' cases only
        self.assertEqual(self.Case.with_user(self.counselor).search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.counselor).read(["stage"])
        with self.assertRaises(AccessError):
            self._open(user=self.counselor, enrollment=other_enrollment)
        self.assertEqual(self.Case.with_user(other_counselor).search([]), theirs)
        # the head teacher sees the cases of the class they head
        self.assertEqual(self.Case.with_user(self.head).search([]), mine)
        # supervisor and director: every case of the campus, and they act on them
        for user in (self.supervisor, self.director):
            self.assertEqual(self.Case.with_user(user).search([]), mine | theirs)
        self._next(theirs, FRIDAY, user=self.supervisor, stabilisation_note="Called")
        self.assertEqual(theirs.stage, "team")
        # a teacher has no access to retention cases
        with self.assertRaises(AccessError):
            self.Case.with_user(self.teacher).search([])
        with self.assertRaises(AccessError):
            mine.with_user(self.counselor).unlink()

    def test_campus_isolation(self):
        case = self._open()
        campus2 = self.env["res.company"].create({"name": "Campus 2"})
        self.director.write({"company_ids": [(4, campus2.id)]})
        Case = self.Case.with_user(self.director).with_context(allowed_company_ids=campus2.ids)
        self.assertFalse(Case.search([]))
        self.assertEqual(
            self.Case.with_user(self.director)
            .with_context(allowed_company_ids=(self.company | campus2).ids)
            .search([]),
            case,
        )

    # ------------------------------------------------------------------ data
    def test_seed_loss_reasons_and_rules(self):
        reasons = self.env["training.loss.reason"].search([])
        for name in (
            "Service attitude",
            "Needs not understood",
            "Incomplete student file",
            "Late file handover",
            "Schedule or plan not delivered",
            "No regular follow-up",
            "Requests not answered",
            "Poor coordination",
            "Teacher change not announced",
            "Time or place change not announced",
        ):
            self.assertIn(name, reasons.mapped("name"))
        rule = self.env.ref("training_attendance.automation_retention_case_stage")
        self.assertTrue(rule.active)
        self.assertEqual(
            set(rule.trigger_field_ids.mapped("name")), {"stage", "leader_id", "stage_deadline"}
        )
