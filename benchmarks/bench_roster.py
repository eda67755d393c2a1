"""Benchmark of the duty roster (SPEC §7, seed 003) over a 50-campus group.

50 campuses with their three default shifts (six duties a day), ten staff and a duty
supervisor each, qualified two per role. A month's roster for all the campuses in one
call of the generation (what the wizard does for one campus), from 30 days ago to
tomorrow; then the hourly reminder job, batch by batch as the cron runs it: the missing
logs of the past shifts (person on duty, then the duty supervisor for those before the
last working day) and tomorrow's shift reminders; run again, it reminds nobody twice.

Run on a fresh database without demo data, e.g. as scripts/bench.sh does:
    python3 benchmarks/bench_roster.py -c ODOO_CONF -d DATABASE
Everything is rolled back at the end.
"""

from datetime import timedelta

from bench_common import campuses_with_staff, main, print_batches, run_batches, timed

from odoo import Command

CAMPUSES = 50
STAFF = 10
ROLES = ["front_desk", "head_teacher", "teaching_assistant", "duty_supervisor", "safety_officer"]


def build_group(env):
    campuses, staff, supervisors = campuses_with_staff(
        env,
        "Duty",
        CAMPUSES,
        "base.group_user",
        "training_attendance.group_duty_supervisor",
        per_campus=STAFF,
    )
    roles = env["training.duty.role"].search([("company_id", "in", campuses.ids)])
    by_campus = {}
    for user in staff:
        by_campus.setdefault(user.company_id.id, []).append(user)
    for role in roles:
        users = by_campus[role.company_id.id]
        index = ROLES.index(role.code)
        role.user_ids = [Command.set([u.id for u in users[2 * index : 2 * index + 2]])]
    policies = env["training.policy"]._get_for_companies(campuses)
    for campus in campuses:
        first = supervisors.filtered(lambda u, c=campus: u.company_id == c)[:1]
        policies[campus.id].duty_supervisor_id = first
    env.flush_all()
    return campuses


def bench(env, _args):
    print(f"Building {CAMPUSES} campuses, {STAFF} staff and a duty supervisor each")
    campuses = timed("built", lambda: build_group(env))
    shifts = env["training.duty.shift"].search([("company_id", "in", campuses.ids)])
    Duty = env["training.duty.assignment"]
    today = campuses[0]._training_today()
    date_from, date_to = today - timedelta(days=30), today + timedelta(days=1)
    print(f"Roster of {len(shifts)} shifts from {date_from} to {date_to}:")
    queries = env.cr.sql_log_count
    duties, unfilled = timed("generated", lambda: Duty._generate_roster(shifts, date_from, date_to))
    env.flush_all()
    print(
        f"  {len(duties)} duties, {len(unfilled)} unfilled slots, "
        f"{env.cr.sql_log_count - queries} queries"
    )
    env.cr.execute("ANALYZE training_duty_assignment, mail_activity")
    print("Reminder job (missing logs, tomorrow's shifts):")
    print_batches(run_batches(env, Duty._cron_duty_reminders), "duties")
    for xmlid in ("mail_activity_duty_log", "mail_activity_duty_shift"):
        count = env["mail.activity"].search_count(
            [("activity_type_id", "=", env.ref(f"training_attendance.{xmlid}").id)]
        )
        print(f"  {count} activities {xmlid}")
    print("Reminder job run again (nothing to do):")
    print_batches(run_batches(env, Duty._cron_duty_reminders), "duties")
    print("Roster generation run again over the same month (nothing to add):")
    again, _unfilled = timed("generated", lambda: Duty._generate_roster(shifts, date_from, date_to))
    print(f"  {len(again)} duties")


if __name__ == "__main__":
    main(__doc__, bench)
