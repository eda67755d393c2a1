import io
import re
from collections import Counter
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import TrainingCase


def run_duty_jobs(env):
    """The reminder job, batch after batch as Odoo's cron runner calls it (bounded)."""
    Duty = env["training.duty.assignment"]
    for _batch in range(50):
        if not Duty._cron_duty_reminders():
            return
    raise AssertionError("the duty reminder job did not finish in 50 batches")


@tagged("post_install", "-at_install")
class TestDutyRoster(TrainingCase):
    """Seed 003 §1/§3: the campus's shifts filled by rotation over a month with a public
    holiday, swaps, the duty log and its reminders, per role and per campus."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = cls._user("ta_duty_sup", "training_attendance.group_duty_supervisor")
        cls.staff = {
            name: new_test_user(
                cls.env, login=f"ta_duty_{name}", groups="base.group_user", tz="UTC"
            )
            for name in "abcdefghi"
        }
        cls.policy = cls.env["training.policy"]._get_for_company(cls.company)
        cls.policy.duty_supervisor_id = cls.supervisor
        Role = cls.env["training.duty.role"]
        cls.roles = {
            role.code: role
            for role in Role.search([("company_id", "=", cls.company.id), ("code", "!=", False)])
        }
        s = cls.staff
        # c is qualified for the front desk and as head teacher, who share the morning
        cls.roles["front_desk"].user_ids = [Command.set((s["a"] | s["b"] | s["c"]).ids)]
        cls.roles["head_teacher"].user_ids = [Command.set((s["c"] | s["d"]).ids)]
        cls.roles["teaching_assistant"].user_ids = [Command.set((s["e"] | s["f"]).ids)]
        cls.roles["duty_supervisor"].user_ids = [Command.set(s["g"].ids)]
        cls.roles["safety_officer"].user_ids = [Command.set((s["h"] | s["i"]).ids)]
        cls.shifts = cls.env["training.duty.shift"].search([("company_id", "=", cls.company.id)])
        calendar = cls.env["resource.calendar"].create(
            {"name": "Campus week", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = calendar
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Christmas",
                "calendar_id": calendar.id,
                "company_id": cls.company.id,
                "date_from": datetime(2026, 12, 25, 0, 0),
                "date_to": datetime(2026, 12, 25, 23, 59),
            }
        )

    def _generate(self, date_from=date(2026, 12, 1), date_to=date(2026, 12, 31)):
        wizard = Form(self.env["training.duty.roster.generate"].with_user(self.supervisor))
        wizard.date_from = date_from
        wizard.date_to = date_to
        record = wizard.save()
        record.action_generate()
        return record

    def test_default_shifts_per_campus(self):
        self.assertEqual(
            [(s.name, s.hour_from, s.hour_to) for s in self.shifts],
            [("Morning", 8.0, 12.0), ("Afternoon", 13.0, 18.0), ("Evening", 18.5, 20.5)],
        )
        self.assertEqual(
            [s.line_ids.role_id.mapped("code") for s in self.shifts],
            [
                ["front_desk", "head_teacher"],
                ["teaching_assistant", "duty_supervisor"],
                ["head_teacher", "safety_officer"],
            ],
        )
        other = self.env["res.company"].create({"name": "Campus B"})
        self.assertEqual(
            self.env["training.duty.shift"].search([("company_id", "=", other.id)]).mapped("name"),
            ["Morning", "Afternoon", "Evening"],
        )

    def test_month_rotation_even_no_double_booking(self):
        """December 2026: 23 weekdays minus Christmas = 22 open days, 6 duties a day."""
        wizard = self._generate()
        duties = wizard.duty_ids
        self.assertEqual(len(duties), 22 * 6)
        days = set(duties.mapped("date"))
        self.assertEqual(len(days), 22)
        self.assertNotIn(date(2026, 12, 25), days)
        self.assertFalse([d for d in days if d.weekday() >= 5])
        morning = duties.filtered(lambda d: d.shift_id == self.shifts[0])
        self.assertEqual(
            {(d.start, d.stop) for d in morning if d.date == date(2026, 12, 1)},
            {(datetime(2026, 12, 1, 8, 0), datetime(2026, 12, 1, 12, 0))},
        )
        # never one person on two overlapping duties
        by_user = {}
        for duty in duties:
            for other in by_user.get(duty.user_id, []):
                self.assertFalse(
                    duty.start < other.stop and other.start < duty.stop, duty.user_id.name
                )
            by_user.setdefault(duty.user_id, []).append(duty)
        counts = Counter(duties.mapped(lambda d: d.user_id.login.removeprefix("ta_duty_")))
        # each pool shares its duties evenly
        self.assertEqual((counts["e"], counts["f"], counts["g"]), (11, 11, 22))
        self.assertEqual((counts["h"], counts["i"]), (11, 11))
        # the 44 head-teacher duties can only go to c and d, so the 22 front-desk ones go
        # to a and b: as even as the qualifications allow
        self.assertEqual([counts[x] for x in "abcd"], [11, 11, 22, 22])
        # the summary shows the counts per person; a second run adds nothing
        self.assertRegex(
            wizard.summary, rf"{re.escape(self.staff['g'].name)}</td>\s*<td[^>]*>22</td>"
        )
        self.assertRegex(
            wizard.summary, rf"{re.escape(self.staff['a'].name)}</td>\s*<td[^>]*>11</td>"
        )
        self.assertEqual(len(self._generate().duty_ids), 0)
        self.assertEqual(
            self.env["training.duty.assignment"].search_count(
                [("company_id", "=", self.company.id), ("date", ">=", date(2026, 12, 1))]
            ),
            132,
        )

    def test_generation_is_batched(self):
        Duty = self.env["training.duty.assignment"]
        Duty._generate_roster(self.shifts, date(2027, 1, 4), date(2027, 1, 8))
        self.env.invalidate_all()
        # measured: 16 queries for a month (120 duties), whatever the number of days
        with self.assertQueryCount(19):
            duties, _unfilled = Duty._generate_roster(
                self.shifts, date(2027, 2, 1), date(2027, 2, 28)
            )
        self.assertEqual(len(duties), 20 * 6)

    def test_unfilled_slot_reported(self):
        self.roles["duty_supervisor"].user_ids = [Command.clear()]
        wizard = self._generate(date(2026, 12, 1), date(2026, 12, 1))
        self.assertEqual(len(wizard.duty_ids), 5)
        self.assertIn("1 Duty supervisor missing", wizard.summary)

    def test_staff_cannot_generate_nor_edit_roster(self):
        a = self.staff["a"]
        with self.assertRaises(AccessError):
            self.env["training.duty.roster.generate"].with_user(a).create(
                {"date_from": date(2026, 12, 1), "date_to": date(2026, 12, 2)}
            )
        duties = self._generate(date(2026, 12, 1), date(2026, 12, 2)).duty_ids
        mine = duties.filtered(lambda d: d.user_id == a)
        self.assertTrue(mine)
        # staff see their own duties only
        self.assertEqual(
            self.env["training.duty.assignment"].with_user(a).search([("id", "in", duties.ids)]),
            mine,
        )
        with self.assertRaisesRegex(UserError, "Only a duty supervisor changes the roster"):
            mine[0].with_user(a).write({"user_id": self.staff["b"].id})
        self.assertEqual(mine[0].user_id, a)
        with self.assertRaisesRegex(UserError, "Only a duty supervisor changes the roster"):
            mine[0].with_user(a).write({"state": "done"})
        self.assertEqual(mine[0].state, "planned")
        other = duties - mine
        with self.assertRaises(AccessError):
            other[0].with_user(a).write({"log_work_done": "Not mine"})
        # a supervisor of another campus sees nothing of this one
        campus_b = self.env["res.company"].create({"name": "Campus B"})
        sup_b = new_test_user(
            self.env,
            login="ta_duty_sup_b",
            groups="base.group_user,training_attendance.group_duty_supervisor",
            company_id=campus_b.id,
            company_ids=[Command.set(campus_b.ids)],
        )
        self.assertFalse(
            self.env["training.duty.assignment"].with_user(sup_b).search([("id", "in", duties.ids)])
        )
        self.assertEqual(
            self.env["training.duty.assignment"]
            .with_user(self.supervisor)
            .search([("id", "in", duties.ids)]),
            duties,
        )

    def test_double_booking_refused(self):
        duties = self._generate(date(2026, 12, 1), date(2026, 12, 1)).duty_ids
        front, head = (
            duties.filtered(lambda d, c=c: d.role_id.code == c and d.shift_id == self.shifts[0])
            for c in ("front_desk", "head_teacher")
        )
        with self.assertRaisesRegex(ValidationError, "cannot be on two overlapping duties"):
            front.with_user(self.supervisor).write({"user_id": head.user_id.id})
        self.assertNotEqual(front.user_id, head.user_id)

    def test_swap_request_to_roster_change(self):
        duties = self._generate(date(2026, 12, 1), date(2026, 12, 1)).duty_ids
        duty = duties.filtered(lambda d: d.role_id.code == "teaching_assistant")
        proposer, colleague = duty.user_id, (self.staff["e"] | self.staff["f"]) - duty.user_id
        swap = (
            self.env["training.duty.swap"]
            .with_user(proposer)
            .create({"assignment_id": duty.id, "colleague_id": colleague.id, "reason": "Doctor"})
        )
        self.assertEqual(swap.activity_ids.user_id, colleague)
        with self.assertRaisesRegex(UserError, "colleague of a swap request are kept"):
            swap.with_user(proposer).write({"colleague_id": self.staff["a"].id})
        with self.assertRaisesRegex(UserError, "Only the colleague asked accepts"):
            swap.with_user(proposer).action_accept()
        swap.with_user(colleague).action_accept()
        self.assertEqual(swap.state, "accepted")
        self.assertEqual(swap.activity_ids.user_id, self.supervisor)
        with self.assertRaisesRegex(UserError, "Only a duty supervisor"):
            swap.with_user(colleague).action_approve()
        with self.assertRaisesRegex(UserError, "change only through its workflow"):
            swap.with_user(colleague).write({"state": "approved"})
        # the colleague is put on an overlapping duty meanwhile: the approval is refused
        busy = self.env["training.duty.assignment"].create(
            {
                "shift_id": duty.shift_id.id,
                "role_id": self.roles["duty_supervisor"].id,
                "user_id": colleague.id,
                "date": duty.date,
                "start": duty.start,
                "stop": duty.stop,
            }
        )
        with self.assertRaisesRegex(ValidationError, "cannot be on two overlapping duties"):
            swap.with_user(self.supervisor).action_approve()
        self.assertEqual((swap.state, duty.user_id), ("accepted", proposer))
        busy.unlink()
        swap.with_user(self.supervisor).action_approve()
        self.assertEqual(
            (swap.state, swap.approved_by_id, duty.user_id),
            ("approved", self.supervisor, colleague),
        )
        self.assertFalse(swap.activity_ids)
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages are written at commit
        tracked = duty.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "user_id"
        )
        self.assertEqual(
            (tracked.old_value_char, tracked.new_value_char), (proposer.name, colleague.name)
        )
        told = swap.sudo().message_ids.filtered(lambda m: "Swap approved" in str(m.body))
        self.assertEqual(told.partner_ids, proposer.partner_id | colleague.partner_id)

    def test_swap_colleague_must_be_qualified(self):
        """The colleague must be qualified for the duty's role and work on its campus: at
        the request, and again at the approval."""
        duty = self._generate(date(2026, 12, 1), date(2026, 12, 1)).duty_ids.filtered(
            lambda d: d.role_id.code == "teaching_assistant"
        )
        proposer, colleague = duty.user_id, (self.staff["e"] | self.staff["f"]) - duty.user_id
        Swap = self.env["training.duty.swap"].with_user(proposer)
        with self.assertRaisesRegex(
            UserError,
            re.escape(
                f"{self.staff['a'].name} is not qualified as Teaching assistant: choose one of "
                f"{colleague.name}."
            ),
        ):
            Swap.create({"assignment_id": duty.id, "colleague_id": self.staff["a"].id})
        campus_b = self.env["res.company"].create({"name": "Campus B"})
        elsewhere = new_test_user(
            self.env,
            login="ta_duty_elsewhere",
            groups="base.group_user",
            company_id=campus_b.id,
            company_ids=[Command.set(campus_b.ids)],
        )
        self.roles["teaching_assistant"].user_ids = [Command.link(elsewhere.id)]
        with self.assertRaisesRegex(UserError, "does not work on the campus"):
            Swap.create({"assignment_id": duty.id, "colleague_id": elsewhere.id})
        self.assertFalse(self.env["training.duty.swap"].search([("assignment_id", "=", duty.id)]))
        swap = Swap.create({"assignment_id": duty.id, "colleague_id": colleague.id})
        self.assertEqual(swap.qualified_user_ids, colleague)
        swap.with_user(colleague).action_accept()
        # the colleague is no longer qualified by the time of the approval
        self.roles["teaching_assistant"].user_ids = [Command.unlink(colleague.id)]
        with self.assertRaisesRegex(UserError, "is not qualified as Teaching assistant"):
            swap.with_user(self.supervisor).action_approve()
        self.assertEqual((swap.state, duty.user_id), ("accepted", proposer))

    def test_missing_log_reminder_chain(self):
        """Wednesday's morning duty: its person is reminded after the shift, the duty
        supervisor the next working day; each once."""
        with freeze_time("2026-12-01 10:00"):
            duties = self._generate(date(2026, 12, 2), date(2026, 12, 2)).duty_ids
            duty = duties.filtered(lambda d: d.role_id.code == "front_desk")
            run_duty_jobs(self.env)
            # the day before: the reminder of the shift
            self.assertEqual(
                duty.activity_ids.mapped(lambda a: (a.activity_type_id.name, a.user_id)),
                [("Duty reminder", duty.user_id)],
            )
        log_type = self.env.ref("training_attendance.mail_activity_duty_log")

        def log_activities():
            return duty.activity_ids.filtered(lambda a: a.activity_type_id == log_type).mapped(
                "user_id"
            )

        with freeze_time("2026-12-02 11:00"):
            run_duty_jobs(self.env)
            self.assertFalse(log_activities())
        with freeze_time("2026-12-02 12:30"):
            run_duty_jobs(self.env)
            run_duty_jobs(self.env)
            self.assertEqual(log_activities(), duty.user_id)
        with freeze_time("2026-12-02 23:00"):
            run_duty_jobs(self.env)
            self.assertEqual(log_activities(), duty.user_id)
        with freeze_time("2026-12-03 07:00"):
            run_duty_jobs(self.env)
            run_duty_jobs(self.env)
            self.assertEqual(log_activities(), duty.user_id | self.supervisor)
            self.assertEqual(
                len(duty.activity_ids.filtered(lambda a: a.activity_type_id == log_type)), 2
            )
            # the person on duty submits: work done is required, then the reminders close
            with self.assertRaisesRegex(UserError, "Write the work done"):
                duty.with_user(duty.user_id).action_submit_log()
            duty.with_user(duty.user_id).write({"log_work_done": "Check-in of 40 students"})
            duty.with_user(duty.user_id).action_submit_log()
            self.assertEqual(duty.state, "done")
            self.assertFalse(log_activities())
            self.assertFalse(duty.log_on_time)
            with self.assertRaisesRegex(UserError, "submitted: it can no longer change"):
                duty.with_user(duty.user_id).write({"log_work_done": "Changed"})

    def test_roster_printed_and_exported(self):
        duties = self._generate(date(2026, 12, 1), date(2026, 12, 1)).duty_ids
        as_sup = duties.with_user(self.supervisor)
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(self.supervisor)
            ._render_qweb_html("training_attendance.report_duty_roster", as_sup.ids)
        )
        html = html.decode()
        self.assertIn(f"Duty roster: <span>{self.company.name}</span>", html)
        self.assertIn("<span>18:30</span> - <span>20:30</span>", html)
        for duty in duties:
            self.assertIn(duty.user_id.name, html)
        action = as_sup.action_export_roster_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        rows = list(workbook.active.iter_rows(values_only=True))
        self.assertEqual(rows[0][:7], ("Campus", "Date", "From", "To", "Shift", "Role", "On duty"))
        self.assertEqual(len(rows), 7)
        self.assertEqual(
            rows[1][2:7],
            ("08:00", "12:00", "Morning", "Front desk", duties.sorted("start")[0].user_id.name),
        )

    def test_kpis_and_best_duty_officer(self):
        """November 2026: a logs on time and handles a ticket called back "very
        satisfied", b logs late: a is the month's best duty officer."""
        duties = self._generate(date(2026, 11, 2), date(2026, 11, 3)).duty_ids
        a, b = self.staff["a"], self.staff["b"]
        duty_a, duty_b = (duties.filtered(lambda d, u=u: d.user_id == u) for u in (a, b))
        self.assertEqual((duty_a.date, duty_b.date), (date(2026, 11, 2), date(2026, 11, 3)))
        with freeze_time("2026-11-02 20:00"):
            duty_a.with_user(a).write({"log_work_done": "Check-in"})
            duty_a.with_user(a).action_submit_log()
            ticket = self.env["training.incident"].with_user(a).create({"category": "question"})
            ticket.with_user(a).action_resolve()
            ticket.with_user(self.supervisor).action_close_callback("5")
        with freeze_time("2026-11-05 09:00"):
            duty_b.with_user(b).write({"log_work_done": "Check-in"})
            duty_b.with_user(b).action_submit_log()
        self.env.flush_all()
        kpis = self.env["training.duty.kpi"].search(
            [("company_id", "=", self.company.id), ("month", "=", date(2026, 11, 1))]
        )
        kpi_a, kpi_b = (kpis.filtered(lambda k, u=u: k.user_id == u) for u in (a, b))
        self.assertEqual(
            (kpi_a.shifts_done, kpi_a.logs_on_time, kpi_a.on_time_rate, kpi_a.ticket_count),
            (1, 1, 100.0, 1),
        )
        self.assertEqual((kpi_a.satisfaction, kpi_a.rank), (5.0, 1))
        self.assertEqual((kpi_b.shifts_done, kpi_b.logs_on_time, kpi_b.on_time_rate), (1, 0, 0.0))
        self.assertEqual(kpis.filtered(lambda k: k.rank == 1).user_id, a)
        # staff read their own line only
        self.assertEqual(
            self.env["training.duty.kpi"].with_user(b).search([("id", "in", kpis.ids)]), kpi_b
        )
