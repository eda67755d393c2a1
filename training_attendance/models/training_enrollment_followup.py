import math
from collections import defaultdict
from datetime import timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.osv import expression

CADENCE_BATCH_SIZE = 1000
XMLID = "training_attendance.mail_activity_followup_%s"
# deadlines that fire once per enrolment, marked in followup_deadline_type_ids
HANDOVER = "handover"
NOTICE = "pre_lesson_notice"
# deadlines that come back: one open at a time
ROUTINE = "routine"
GROWTH = "growth_record"


class TrainingEnrollment(models.Model):
    """Counselor follow-up of SPEC §5: the deadlines of an enrolment, as activities of
    the counselor, from the contract to the regular follow-ups."""

    _inherit = "training.enrollment"

    followup_ids = fields.One2many(
        comodel_name="training.followup",
        inverse_name="enrollment_id",
        string="Follow-ups",
        groups="training_attendance.group_teacher",
    )
    followup_count = fields.Integer(
        string="Follow-up count",
        compute="_compute_followup_count",
        groups="training_attendance.group_teacher",
    )
    plan_ids = fields.One2many(
        comodel_name="training.student.plan",
        inverse_name="enrollment_id",
        string="Plans and reports",
        groups="training_attendance.group_teacher",
    )
    plan_count = fields.Integer(
        string="Plan count",
        compute="_compute_followup_count",
        groups="training_attendance.group_teacher",
    )
    date_first_lesson = fields.Date(
        string="First lesson",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Day of the first lesson the student attended: the plans, the growth records "
        "and the routine follow-ups count from it.",
    )
    followup_deadline_type_ids = fields.Many2many(
        comodel_name="mail.activity.type",
        relation="training_enrollment_followup_deadline_rel",
        string="Follow-up deadlines scheduled",
        readonly=True,
        copy=False,
        help="Technical: the one-time follow-up deadlines already given to the counselor, "
        "so that none is scheduled twice.",
    )
    followup_checked_on = fields.Date(
        string="Follow-up cadence checked on",
        readonly=True,
        copy=False,
        help="Technical: last run of the daily follow-up cadence job on this enrolment.",
    )

    def _compute_followup_count(self):
        followups = dict(
            self.env["training.followup"]._read_group(
                [("enrollment_id", "in", self.ids)], ["enrollment_id"], ["__count"]
            )
        )
        plans = dict(
            self.env["training.student.plan"]._read_group(
                [("enrollment_id", "in", self.ids)], ["enrollment_id"], ["__count"]
            )
        )
        for enrollment in self:
            enrollment.followup_count = followups.get(enrollment, 0)
            enrollment.plan_count = plans.get(enrollment, 0)

    # ------------------------------------------------------------------ actions
    def action_log_followup(self):
        self.ensure_one()
        return self.env["training.followup"]._action_log(
            {"enrollment_id": self.id, "student_id": self.student_id.id}
        )

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_followup_action"
        )
        action["domain"] = [("enrollment_id", "=", self.id)]
        action["context"] = {
            "default_enrollment_id": self.id,
            "default_student_id": self.student_id.id,
        }
        return action

    def action_view_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_attendance.training_student_plan_action"
        )
        action["domain"] = [("enrollment_id", "=", self.id)]
        action["context"] = {"default_enrollment_id": self.id}
        return action

    # ------------------------------------------------------------------ deadlines
    def _followup_user(self):
        self.ensure_one()
        return self.counselor_id or self.student_id.counselor_id

    @api.model
    def _followup_type(self, kind):
        return self.env.ref(XMLID % kind)

    @api.model
    def _deadline_summary(self, kind, enrollment):
        student = enrollment.student_id.name
        return {
            "handover": self.env._("Receive the file of %(student)s", student=student),
            "first_call": self.env._("First call to the family of %(student)s", student=student),
            "consultant_sync": self.env._(
                "Sync with the consultant about %(student)s", student=student
            ),
            "pre_lesson_notice": self.env._(
                "Tell the family of %(student)s the time, place and subject of the first lesson",
                student=student,
            ),
            "first_lesson_call": self.env._(
                "Call the family of %(student)s after the first lesson", student=student
            ),
            "learning_plan": self.env._(
                "Deliver the learning management plan of %(student)s", student=student
            ),
            "tutoring_plan": self.env._(
                "Deliver the personalised tutoring plan of %(student)s", student=student
            ),
            "stage_summary": self.env._(
                "Deliver the stage summary of %(student)s", student=student
            ),
            "growth_record": self.env._(
                "Deliver the growth record of %(student)s", student=student
            ),
            "routine": self.env._("Routine follow-up of %(student)s", student=student),
        }[kind]

    def _schedule_deadlines(self, deadlines, once=True):
        """Create the counselor's activities of ``deadlines``, a list of ``(enrollment,
        kind, date)``. With ``once``, a kind is given to an enrolment only once ever
        (remembered in ``followup_deadline_type_ids``); enrolments without counselor are
        left for later."""
        types = {kind: self._followup_type(kind) for kind in {d[1] for d in deadlines}}
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        marks = defaultdict(list)
        # the summary in the counselor's language, one env per language
        readers = self.env["res.users"]._training_reader_envs(self)
        for enrollment, kind, day in deadlines:
            activity_type = types[kind]
            user = enrollment._followup_user()
            if not user or (once and activity_type in enrollment.followup_deadline_type_ids):
                continue
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": enrollment.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "summary": readers(user)[self._name]._deadline_summary(kind, enrollment),
                    "date_deadline": day,
                    "automated": True,
                }
            )
            if once:
                marks[activity_type.id].append(enrollment.id)
        activities = self._create_followup_activities(vals_list)
        for type_id, enrollment_ids in marks.items():
            self.browse(enrollment_ids).sudo().write(
                {"followup_deadline_type_ids": [Command.link(type_id)]}
            )
        return activities

    @api.model
    def _create_followup_activities(self, vals_list):
        """Batch-create activities without an e-mail each (the inbox is the notice). One
        create per "round", as mail.activity's batch create subscribes the same user to
        the same record twice when a batch holds two of their activities on it."""
        rounds = defaultdict(list)
        seen = defaultdict(int)
        for vals in vals_list:
            key = (vals["res_id"], vals["user_id"])
            rounds[seen[key]].append(vals)
            seen[key] += 1
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        activities = Activity.browse()
        for batch in rounds.values():
            activities |= Activity.create(batch)
        return activities

    def _policies(self):
        return self.env["training.policy"]._get_for_companies(self.company_id)

    @staticmethod
    def _working_day_memo():
        """``memo(policy, day, days)``: ``policy._add_working_days`` computed once per
        distinct arguments, for a batch of enrolments that share their dates."""
        cache = {}

        def memo(policy, day, days):
            key = (policy.id, day, days)
            if key not in cache:
                cache[key] = policy._add_working_days(day, days)
            return cache[key]

        return memo

    def _schedule_handover(self):
        """Contract signed: the counselor receives the file within ``handover_days``
        working days after the contract date."""
        enrollments = self.sudo().filtered(
            lambda e: e.state in ("confirmed", "active") and e._followup_user()
        )
        if not enrollments:
            return self.env["mail.activity"]
        policies = enrollments._policies()
        memo = self._working_day_memo()
        return self._schedule_deadlines(
            [
                (
                    enrollment,
                    HANDOVER,
                    memo(
                        policies[enrollment.company_id.id],
                        enrollment.date_contract,
                        policies[enrollment.company_id.id].handover_days,
                    ),
                )
                for enrollment in enrollments
            ]
        )

    def _schedule_after_handover(self, day):
        """File received on ``day``: first guardian call within ``first_call_days``
        working days, consultant sync within ``consultant_sync_hours``."""
        enrollments = self.sudo().filtered(lambda e: e._followup_user())
        if not enrollments:
            return self.env["mail.activity"]
        policies = enrollments._policies()
        memo = self._working_day_memo()
        deadlines = []
        for enrollment in enrollments:
            policy = policies[enrollment.company_id.id]
            deadlines += [
                (enrollment, "first_call", memo(policy, day, policy.first_call_days)),
                (
                    enrollment,
                    "consultant_sync",
                    memo(policy, day, math.ceil(policy.consultant_sync_hours / 24)),
                ),
            ]
        return self._schedule_deadlines(deadlines)

    def _schedule_first_lesson_notice(self):
        """First lesson known: the guardian is told of it at least
        ``first_lesson_notice_hours`` before, by the last working day before."""
        notice_type = self._followup_type(NOTICE)
        enrollments = self.sudo().filtered(
            lambda e: (
                e.state == "active"
                and not e.date_first_lesson
                and e._followup_user()
                and notice_type not in e.followup_deadline_type_ids
            )
        )
        if not enrollments:
            return self.env["mail.activity"]
        return self._schedule_deadlines(
            [(e, NOTICE, day) for e, day in enrollments._first_lesson_notice_dates().items()]
        )

    def _first_lesson_notice_dates(self):
        """``{enrollment: day}``: the last working day at least
        ``first_lesson_notice_hours`` before the first lesson to come of each enrolment
        of ``self`` (those without a lesson planned are left out)."""
        enrollments = self.sudo()
        if not enrollments:
            return {}
        now = fields.Datetime.now()
        sessions = (
            self.env["training.session"]
            .sudo()
            .search_fetch(
                [
                    ("class_id", "in", enrollments.class_id.ids),
                    ("start", ">", now),
                    ("state", "in", ("planned", "open")),
                    ("kind", "!=", "makeup"),
                ],
                ["class_id", "start", "company_id"],
                order="start, id",
            )
        )
        policies = enrollments._policies()
        memo = self._working_day_memo()
        dates = {}
        for enrollment in enrollments:
            since = enrollment.date_class or enrollment.date_start or enrollment.date_contract
            first = next(
                (
                    s
                    for s in sessions
                    if s.class_id == enrollment.class_id and s._local_date() >= since
                ),
                None,
            )
            if not first:
                continue
            policy = policies[enrollment.company_id.id]
            notice_at = first.start - timedelta(hours=policy.first_lesson_notice_hours)
            notice_day = pytz.utc.localize(notice_at).astimezone(first._tz()).date()
            # the last working day on or before it
            dates[enrollment] = memo(policy, notice_day + timedelta(days=1), -1)
        return dates

    def _schedule_first_lesson_followups(self, lines):
        """First lesson attended (``lines``: validated attendance): the same-day call,
        the learning plan, the tutoring plan and stage summary (weeks or lessons, whichever
        first) and the first growth record."""
        attended = lines.sudo().filtered(
            lambda line: (
                line.status == "present"
                and line.session_id.state == "done"
                and line.enrollment_id
                and not line.enrollment_id.date_first_lesson
            )
        )
        if not attended:
            return self.env["mail.activity"]
        firsts = {}
        for line in attended.sorted(lambda line: (line.session_id.start, line.id)):
            firsts.setdefault(line.enrollment_id, line.session_id)
        first_days = defaultdict(list)
        for enrollment, session in firsts.items():
            first_days[session._local_date()].append(enrollment.id)
        deadlines = self._first_lesson_deadlines(firsts)
        for day, ids in first_days.items():  # one write per day, not per student
            self.browse(ids).sudo().write({"date_first_lesson": day})
        return self._schedule_deadlines(deadlines)

    @api.model
    def _first_lesson_deadlines(self, firsts):
        """``[(enrollment, kind, day)]`` of the deadlines that count from the first lesson,
        ``firsts`` being ``{enrollment: session of its first lesson}``."""
        enrollments = self.browse([e.id for e in firsts]).sudo()
        policies = enrollments._policies()
        memo = self._working_day_memo()
        lesson_dates = {}  # (class, first start, lessons) -> date of that lesson
        deadlines = []
        for enrollment, session in firsts.items():
            policy = policies[enrollment.company_id.id]
            day = session._local_date()
            key = (session.class_id, session.start, policy.tutoring_plan_lessons)
            if key not in lesson_dates:
                lesson_dates[key] = self._nth_lesson_date(*key)
            tutoring = day + timedelta(weeks=policy.tutoring_plan_weeks)
            if lesson_dates[key]:
                tutoring = min(tutoring, lesson_dates[key])
            deadlines += [
                (enrollment, "first_lesson_call", day),
                (
                    enrollment,
                    "learning_plan",
                    memo(policy, day + timedelta(weeks=policy.learning_plan_weeks), 0),
                ),
                (enrollment, "tutoring_plan", memo(policy, tutoring, 0)),
                (enrollment, "stage_summary", memo(policy, tutoring, 0)),
                (
                    enrollment,
                    "growth_record",
                    memo(policy, day + timedelta(days=policy.growth_record_days), 0),
                ),
            ]
        return deadlines

    def _first_lesson_sessions(self):
        """``{enrollment: session}``: the session of the first lesson each enrolment of
        ``self`` with a ``date_first_lesson`` attended."""
        enrollments = self.sudo().filtered("date_first_lesson")
        if not enrollments:
            return {}
        lines = (
            self.env["training.attendance.line"]
            .sudo()
            .search(
                [
                    ("enrollment_id", "in", enrollments.ids),
                    ("status", "=", "present"),
                    ("session_id.state", "=", "done"),
                    ("makeup_id", "=", False),
                ],
                order="session_start, id",
            )
        )
        firsts = {}
        for line in lines:
            firsts.setdefault(line.enrollment_id, line.session_id)
        return firsts

    # ------------------------------------------------------------------ moving deadlines
    def _reschedule_session_deadlines(self):
        """Sessions created, moved or cancelled (SPEC §5): the deadlines that hang on them
        follow. The first-lesson notice of enrolments still waiting for their first lesson,
        and the tutoring plan and stage summary (week N or the Nth lesson, whichever
        first) of the others get their new date if still open; done ones stay."""
        enrollments = self.sudo().filtered(lambda e: e.state == "active")
        if not enrollments:
            return
        kinds = (NOTICE, "tutoring_plan", "stage_summary")
        types = {self._followup_type(kind).id: kind for kind in kinds}
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", enrollments.ids),
                    ("activity_type_id", "in", list(types)),
                ]
            )
        )
        if not activities:
            return
        concerned = self.browse(set(activities.mapped("res_id"))).sudo()
        wanted = {
            (enrollment.id, NOTICE): day
            for enrollment, day in concerned.filtered(lambda e: not e.date_first_lesson)
            ._first_lesson_notice_dates()
            .items()
        }
        firsts = concerned._first_lesson_sessions()
        wanted.update(
            {
                (enrollment.id, kind): day
                for enrollment, kind, day in self._first_lesson_deadlines(firsts)
                if kind in ("tutoring_plan", "stage_summary")
            }
        )
        moved = defaultdict(lambda: self.env["mail.activity"])
        for activity in activities:
            day = wanted.get((activity.res_id, types[activity.activity_type_id.id]))
            if day and day != activity.date_deadline:
                moved[day] |= activity
        for day, to_move in moved.items():  # one write per new date, not per activity
            to_move.with_context(mail_activity_quick_update=True).date_deadline = day

    # ------------------------------------------------------------------ counselor
    def write(self, vals):
        if "counselor_id" not in vals:
            return super().write(vals)
        before = {enrollment.id: enrollment.counselor_id for enrollment in self}
        res = super().write(vals)
        changed = self.filtered(lambda e: e.counselor_id != before[e.id])
        if changed:
            changed._hand_over_to_counselor(before)
        return res

    def _hand_over_to_counselor(self, before):
        """A counselor named or changed (SPEC §5): the open deadlines of the former one
        move to the new one, and what is due and was never given (nobody to give it to)
        is scheduled, counted from the contract date and the first lesson."""
        enrollments = self.sudo().filtered(lambda e: e.counselor_id)
        if not enrollments:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", enrollments.ids),
                    "|",
                    "|",
                    ("activity_type_id.training_followup_kind", "!=", False),
                    ("activity_type_id.training_plan_kind", "!=", False),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref("training_attendance.mail_activity_renewal").id,
                    ),
                ]
            )
        )
        by_id = {enrollment.id: enrollment for enrollment in enrollments}
        for activity in activities.with_context(mail_activity_quick_update=True):
            enrollment = by_id[activity.res_id]
            former = before.get(enrollment.id)
            if activity.user_id != enrollment.counselor_id and (
                not former or activity.user_id == former
            ):
                activity.user_id = enrollment.counselor_id
        enrollments._schedule_handover()
        enrollments._schedule_first_lesson_notice()
        firsts = enrollments.filtered(lambda e: e.state == "active")._first_lesson_sessions()
        if firsts:
            self._schedule_deadlines(self._first_lesson_deadlines(firsts))

    @api.model
    def _nth_lesson_date(self, klass, first_start, count):
        """Day of the ``count``-th lesson of ``klass`` from the one at ``first_start``
        (included), when it is planned."""
        session = (
            self.env["training.session"]
            .sudo()
            .search(
                [
                    ("class_id", "=", klass.id),
                    ("start", ">=", first_start),
                    ("state", "!=", "cancelled"),
                    ("kind", "!=", "makeup"),
                ],
                order="start, id",
                offset=count - 1,
                limit=1,
            )
        )
        return session._local_date() if session else None

    # ------------------------------------------------------------------ cadence
    def _check_followup_cadence(self):
        """Regular follow-ups (SPEC §5): a routine follow-up at least every
        ``routine_first_days`` during the first ``routine_weekly_months`` after the first
        lesson, then every ``routine_later_days``; a growth record every
        ``growth_record_days``. A missing one becomes an activity of the counselor, once
        while it is open. A constant number of queries for the whole of ``self``."""
        enrollments = self.sudo().filtered(
            lambda e: e.state == "active" and e.date_first_lesson and e._followup_user()
        )
        if not enrollments:
            return self.env["mail.activity"]
        today = {company: company._training_today() for company in enrollments.company_id}
        last_routine = {
            enrollment.id: enrollment.company_id._training_date(last)
            for enrollment, last in self.env["training.followup"]
            .sudo()
            ._read_group(
                [("enrollment_id", "in", enrollments.ids), ("kind", "=", ROUTINE)],
                ["enrollment_id"],
                ["date:max"],
            )
        }
        # a routine follow-up logged on a student with several enrolments counts for each
        for student, last in (
            self.env["training.followup"]
            .sudo()
            ._read_group(
                [
                    ("enrollment_id", "=", False),
                    ("student_id", "in", enrollments.student_id.ids),
                    ("kind", "=", ROUTINE),
                ],
                ["student_id"],
                ["date:max"],
            )
        ):
            for enrollment in enrollments.filtered(lambda e, s=student: e.student_id == s):
                day = enrollment.company_id._training_date(last)
                last_routine[enrollment.id] = max(last_routine.get(enrollment.id, day), day)
        last_growth = {
            enrollment.id: last
            for enrollment, last in self.env["training.student.plan"]
            .sudo()
            ._read_group(
                [
                    ("enrollment_id", "in", enrollments.ids),
                    ("kind", "=", GROWTH),
                    ("state", "=", "delivered"),
                ],
                ["enrollment_id"],
                ["delivered_on:max"],
            )
        }
        routine_type, growth_type = self._followup_type(ROUTINE), self._followup_type(GROWTH)
        open_activities = {
            (res_id, activity_type.id)
            for res_id, activity_type in self.env["mail.activity"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", enrollments.ids),
                    ("activity_type_id", "in", [routine_type.id, growth_type.id]),
                ],
                ["res_id", "activity_type_id"],
            )
        }
        policies = enrollments._policies()
        memo = self._working_day_memo()
        deadlines = []
        for enrollment in enrollments:
            policy = policies[enrollment.company_id.id]
            first = enrollment.date_first_lesson
            if (enrollment.id, routine_type.id) not in open_activities:
                since = max(last_routine.get(enrollment.id) or first, first)
                weekly_until = first + relativedelta(months=policy.routine_weekly_months)
                interval = (
                    policy.routine_first_days if since < weekly_until else policy.routine_later_days
                )
                due = since + timedelta(days=interval)
                if due <= today[enrollment.company_id]:
                    deadlines.append((enrollment, ROUTINE, memo(policy, due, 0)))
            if (enrollment.id, growth_type.id) not in open_activities:
                since = max(last_growth.get(enrollment.id) or first, first)
                due = since + timedelta(days=policy.growth_record_days)
                if due <= today[enrollment.company_id]:
                    deadlines.append((enrollment, GROWTH, memo(policy, due, 0)))
        return self._schedule_deadlines(deadlines, once=False)

    @api.model
    def _cron_followup_cadence(self):
        """Daily job: the follow-up cadence of the active enrolments, by batches of
        ``CADENCE_BATCH_SIZE``; progress is reported so that an interrupted run resumes."""
        today = {
            company: company._training_today()
            for company in self.env["res.company"].sudo().search([])
        }
        domain = [
            ("state", "=", "active"),
            ("date_first_lesson", "!=", False),
            "|",
            ("followup_checked_on", "=", False),
            *expression.OR(
                [
                    [("company_id", "=", company.id), ("followup_checked_on", "<", day)]
                    for company, day in today.items()
                ]
            ),
        ]
        enrollments = self.sudo().search(domain, limit=CADENCE_BATCH_SIZE, order="id")
        enrollments._check_followup_cadence()
        for company, batch in enrollments.grouped("company_id").items():
            batch.write({"followup_checked_on": today[company]})
        remaining = self.sudo().search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(enrollments), remaining=remaining)
        return len(enrollments)
