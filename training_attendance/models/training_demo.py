import base64
import random
from collections import defaultdict
from datetime import datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command

MODULE = "training_attendance"

# Attendance habits of a few demo students (by XML id), on top of DEFAULT_PROFILE.
DEFAULT_PROFILE = {"absent": 0.03, "excused": 0.04, "late": 0.10, "early": 0.04}
STUDENT_PROFILES = {
    "student_n04_demo": {"late": 0.45},  # drops his little sister off first
    "student_s03_demo": {"early": 0.40},  # leaves for swimming training
    "student_n11_demo": {"absent": 0.18},  # often skips the homework club
}
EXCUSED_NOTES = ["Sick leave (fever)", "Family trip", "School event", "Dentist appointment"]
ABSENT_NOTES = ["No show; guardian not reachable", "No show; guardian forgot", False]
EARLY_NOTE = "Picked up early by a guardian"

# Past sessions cancelled in the demo: (class XML id, days ago, note).
CANCELLATIONS = [
    ("class_maths_a_demo", 14, "Teacher ill; the lesson will be made up."),
    ("class_homework_demo", 20, "Campus closed: power cut."),
]


class TrainingDemo(models.AbstractModel):
    """Builds the part of the demo data that depends on the day the database is created:
    enrolment lifecycle, a month of validated attendance and today's open sheets."""

    _name = "training.demo"
    _description = "Training demo data generator"

    @api.model
    def _demo_records(self, model):
        """The records of ``model`` created by this module's demo data (XML ids ``*_demo``)."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", MODULE), ("model", "=", model)])
        )
        ids = [d.res_id for d in data if d.name.endswith("_demo")]
        return self.env[model].sudo().browse(ids).exists()

    @api.model
    def _demo_ref(self, name):
        return self.env.ref(f"{MODULE}.{name}", raise_if_not_found=False)

    # ------------------------------------------------------------------ enrolments
    @api.model
    def _activate_demo_enrollments(self):
        """Take the draft demo enrolments through review, guardian confirmation and
        activation, backdate their history to the contract dates, then suspend one and
        withdraw another."""
        self = self.sudo()
        enrollments = self._demo_records("training.enrollment").filtered(
            lambda e: e.state == "draft"
        )
        if not enrollments:
            return
        enrollments.action_submit()
        enrollments.action_guardian_confirm()
        enrollments.action_activate()
        self._run_automations(enrollments)

        # The transitions log today's date: move it back to when it happened.
        events = enrollments.event_ids
        event_dates = defaultdict(list)
        confirmed_at = defaultdict(list)
        for enrollment in enrollments:
            confirm_day = min(enrollment.date_contract + timedelta(days=2), enrollment.date_start)
            day_of = {
                "submit": enrollment.date_contract,
                "confirm": confirm_day,
                "activate": enrollment.date_start,
            }
            for event in events.filtered(lambda e, en=enrollment: e.enrollment_id == en):
                event_dates[day_of[event.kind]].append(event.id)
            # The guardian signed in the late morning of the confirmation day.
            moment = datetime.combine(confirm_day, datetime.min.time()) + timedelta(hours=11)
            confirmed_at[moment].append(enrollment.id)
        for day, event_ids in event_dates.items():
            self.env["training.enrollment.event"].browse(event_ids).write({"date": day})
        for moment, enrollment_ids in confirmed_at.items():
            self.env["training.enrollment"].browse(enrollment_ids).write(
                {"guardian_confirmed_at": moment}
            )

        today = fields.Date.context_today(self)
        transitions = [
            (
                "suspend",
                "enrollment_n03_maths_a_demo",
                10,
                "Broken arm: the family pauses the course until it has healed.",
            ),
            (
                "withdraw",
                "enrollment_s08_english_demo",
                12,
                "The family moved to another district.",
            ),
        ]
        for kind, xmlid, days_ago, reason in transitions:
            enrollment = self._demo_ref(xmlid)
            if enrollment and enrollment.state == "active":
                self.env["training.enrollment.transition"].create(
                    {
                        "kind": kind,
                        "enrollment_ids": [Command.set(enrollment.ids)],
                        "date": today - timedelta(days=days_ago),
                        "reason": reason,
                    }
                ).action_confirm()

    # ------------------------------------------------------------------ sessions
    @api.model
    def _run_automations(self, records):
        """The automated rules are hooked into the models once the install is over, after
        the demo data: run those on ``records``' model (notices, activities, escalation
        ladder, follow-up deadlines) as the writes of the demo would have. Their actions
        do nothing twice."""
        automations = self.env["base.automation"].search(
            [
                ("model_name", "=", records._name),
                ("trigger", "in", ("on_state_set", "on_create_or_write")),
            ]
        )
        for automation in automations.with_context(old_values=None):
            automation._process(automation._filter_post(records))

    @api.model
    def _generate_demo_sessions(self):
        """Plan the demo classes from 30 days ago to a week ahead, take and validate the
        attendance of the days before today, cancel a couple of sessions, and open
        today's attendance sheets (left unmarked)."""
        self = self.sudo()
        classes = self._demo_records("training.class")
        if not classes:
            return
        today = fields.Date.context_today(self)
        wizard = self.env["training.session.generate"].create(
            {
                "class_ids": [Command.set(classes.ids)],
                "date_from": today - timedelta(days=30),
                "date_to": today + timedelta(days=7),
            }
        )
        wizard.action_generate()

        sessions = self.env["training.session"].search(
            [("class_id", "in", classes.ids), ("state", "=", "planned")], order="start, id"
        )
        past = todays = self.env["training.session"]
        for session in sessions:
            local_today = datetime.now(session._tz()).date()
            day = session._local_date()
            if day < local_today:
                past |= session
            elif day == local_today:
                todays |= session

        past -= self._cancel_demo_sessions(past)
        if past:
            past.action_open()
            self._mark_demo_attendance(past)
            self._validate_demo_sessions(past)
            self._run_automations(past)
            self._run_automations(past.attendance_line_ids.enrollment_id)
        # Today's sheets are ready for the teachers: open, nobody marked yet.
        todays.action_open()

    @api.model
    def _cancel_demo_sessions(self, sessions):
        cancelled = self.env["training.session"]
        for class_xmlid, days_ago, reason in CANCELLATIONS:
            klass = self._demo_ref(class_xmlid)
            candidates = sessions.filtered(lambda s, k=klass: s.class_id == k)
            if not candidates:
                continue
            target = fields.Datetime.now() - timedelta(days=days_ago)
            session = min(candidates, key=lambda s, t=target: abs(s.start - t))
            session.action_cancel()
            session.note = Markup("<p>%s</p>") % reason
            cancelled |= session
        return cancelled

    @api.model
    def _mark_demo_attendance(self, sessions):
        """Mark the open ``sessions`` with realistic, reproducible statuses; one write per
        distinct set of values, then everybody else present."""
        rng = random.Random(42)
        profiles = {}
        for xmlid, overrides in STUDENT_PROFILES.items():
            student = self._demo_ref(xmlid)
            if student:
                profiles[student.id] = dict(DEFAULT_PROFILE, **overrides)

        groups = defaultdict(list)
        for session in sessions.sorted(lambda s: (s.start, s.class_id.name)):
            session_lines = session.attendance_line_ids.sorted(
                lambda line: (line.student_name, line.id)
            )
            for line in session_lines:
                profile = profiles.get(line.student_id.id, DEFAULT_PROFILE)
                roll = rng.random()
                if roll < profile["absent"]:
                    vals = {"status": "absent", "note": rng.choice(ABSENT_NOTES)}
                elif roll < profile["absent"] + profile["excused"]:
                    vals = {"status": "excused", "note": rng.choice(EXCUSED_NOTES)}
                else:
                    late = rng.randint(1, 5) * 5 if rng.random() < profile["late"] else 0
                    early = rng.randint(1, 3) * 5 if rng.random() < profile["early"] else 0
                    if not (late or early):
                        continue  # plain present: marked below in one go
                    vals = {
                        "status": "present",
                        "late_minutes": late,
                        "left_early_minutes": early,
                        "note": EARLY_NOTE if early else False,
                    }
                groups[tuple(sorted(vals.items()))].append(line.id)

        lines = self.env["training.attendance.line"]
        for key, line_ids in groups.items():
            lines.browse(line_ids).write(dict(key))
        sessions.action_mark_rest_present()

    @api.model
    def _validate_demo_sessions(self, sessions):
        """Each teacher signs their own sheets, shortly after the end of the lesson."""
        sessions.filtered(lambda s: not s.teacher_id).action_validate()
        for teacher in sessions.teacher_id:
            own = sessions.filtered(lambda s, t=teacher: s.teacher_id == t)
            own.with_user(teacher).with_context(
                allowed_company_ids=teacher.company_ids.ids
            ).action_validate()
        for session in sessions:
            session.validated_at = session.stop + timedelta(minutes=10)

    # ------------------------------------------------------------------ fees and refunds
    @api.model
    def _invoice_demo_enrollments(self):
        """Invoice the Class A enrolments: most paid, one partly paid; one family asks for
        a refund that waits for finance's approval."""
        self = self.sudo()
        klass = self._demo_ref("class_maths_a_demo")
        enrollments = self._demo_records("training.enrollment").filtered(
            lambda e: e.class_id == klass and e.state == "active" and not e.invoice_ids
        )
        if not enrollments:
            return
        # The demo campuses are branches created by XML: give them the accounting setup
        # that Settings gives a branch (its parent's chart of accounts).
        template = self.env.company.root_id.chart_template or "generic_coa"
        for campus in enrollments.company_id:
            self.env["account.chart.template"]._load(template, campus, install_demo=False)
        # tutoring is invoiced without VAT in the demo, whatever the demo country's taxes
        enrollments.course_id.product_id.taxes_id = False
        invoices = self.env["account.move"]
        for enrollment in enrollments:
            invoices |= enrollment._create_invoice(enrollment.hours_purchased)
        invoices.action_post()
        for index, invoice in enumerate(invoices):
            amount = invoice.amount_residual / 2 if index == 1 else invoice.amount_residual
            self.env["account.payment.register"].with_company(invoice.company_id).with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount}).action_create_payments()
        refunding = enrollments[0]
        request = self.env["training.refund.request"].create(
            {
                "enrollment_id": refunding.id,
                "reason": "The family moves to Hangzhou next month.",
                "application_attachment_ids": [
                    Command.create(
                        {
                            "name": "refund-application.txt",
                            "datas": base64.b64encode(
                                b"I apply for the refund of the remaining lesson hours."
                            ),
                        }
                    )
                ],
            }
        )
        request.with_user(self._demo_ref("user_counselor_demo")).action_submit()
        request.with_user(self._demo_ref("user_supervisor_demo")).action_supervisor_approve()
        request.with_user(self._demo_ref("user_director_demo")).action_director_approve()
