"""Benchmark of the counselor follow-up cadence job (SPEC §5).

A 50-campus group: 20,000 students, each with an active enrolment whose first lesson was
0 to 120 days ago (weekly and fortnightly routine follow-ups), half of them with a routine
follow-up in the last ten days, a quarter with a growth record delivered in the last 40
days. Then the daily job, batch by batch as the scheduler runs it; then the job again the
same day (nothing to do) and the next day (nothing new: the activities are open).

Run it like the attendance benchmark, on a fresh database with the module installed
(scripts/bench.sh creates and drops one):
    python3 benchmarks/bench_followup.py -c ODOO_CONF -d DATABASE
"""

import argparse
import time
from datetime import date, datetime, timedelta

from freezegun import freeze_time

import odoo
from odoo import Command, api
from odoo.tools import config

CAMPUSES = 50
STUDENTS = 20000
CLASS_SIZE = 30
COUNSELORS_PER_CAMPUS = 2


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


def build_group(env):
    """The group, its students and their enrolments, built with batch creates; the
    enrolments' automated rules (handover, first-lesson notice) are off meanwhile."""
    today = date.today()
    per_campus = STUDENTS // CAMPUSES
    campuses = env["res.company"].create(
        [{"name": f"Cadence campus {c:02d}"} for c in range(CAMPUSES)]
    )
    counselor_group = env.ref("training_attendance.group_counselor")
    counselors = env["res.users"].create(
        [
            {
                "name": f"Cadence counselor {c:02d}-{k}",
                "login": f"cadence_counselor_{c:02d}_{k}",
                "company_id": campus.id,
                "company_ids": [Command.set(campus.ids)],
                "groups_id": [Command.set(counselor_group.ids)],
            }
            for c, campus in enumerate(campuses)
            for k in range(COUNSELORS_PER_CAMPUS)
        ]
    )
    courses = env["training.course"].create(
        [
            {"name": f"Maths {c:02d}", "lesson_duration": 1.5, "company_id": campus.id}
            for c, campus in enumerate(campuses)
        ]
    )
    classes_per_campus = -(-per_campus // CLASS_SIZE)
    classes = env["training.class"].create(
        [
            {
                "name": f"Cadence class {c:02d}-{k:02d}",
                "company_id": campus.id,
                "course_id": courses[c].id,
            }
            for c, campus in enumerate(campuses)
            for k in range(classes_per_campus)
        ]
    )
    students = env["res.partner"].create(
        [
            {
                "name": f"Cadence student {i:05d}",
                "is_student": True,
                "company_id": campuses[i // per_campus].id,
                "counselor_id": counselors[
                    (i // per_campus) * COUNSELORS_PER_CAMPUS + i % COUNSELORS_PER_CAMPUS
                ].id,
            }
            for i in range(STUDENTS)
        ]
    )
    rules = env["base.automation"].search([("model_name", "=", "training.enrollment")])
    rules.active = False
    enrollments = env["training.enrollment"].create(
        [
            {
                "student_id": student.id,
                "class_id": classes[
                    (i // per_campus) * classes_per_campus + (i % per_campus) // CLASS_SIZE
                ].id,
                "company_id": student.company_id.id,
                "date_contract": today - timedelta(days=130),
                "date_start": today - timedelta(days=125),
                "hours_purchased": 60,
                "state": "active",
            }
            for i, student in enumerate(students)
        ]
    )
    rules.active = True
    for first in range(0, STUDENTS, 5000):
        chunk = enrollments[first : first + 5000]
        for days in range(121):
            chunk.filtered(lambda e, d=days: e.id % 121 == d).write(
                {"date_first_lesson": today - timedelta(days=days)}
            )
    now = datetime.now().replace(microsecond=0)
    env["training.followup"].with_context(
        mail_create_nolog=True, mail_create_nosubscribe=True
    ).create(
        [
            {
                "enrollment_id": e.id,
                "student_id": e.student_id.id,
                "user_id": e.counselor_id.id,
                "kind": "routine",
                "date": now - timedelta(days=e.id % 10, hours=1),
                "summary": "Weekly call",
            }
            for e in enrollments
            if e.id % 2
        ]
    )
    env["training.student.plan"].with_context(
        mail_create_nolog=True, mail_create_nosubscribe=True
    ).create(
        [
            {
                "enrollment_id": e.id,
                "user_id": e.counselor_id.id,
                "kind": "growth_record",
                "state": "delivered",
                "delivered_on": today - timedelta(days=e.id % 40),
            }
            for e in enrollments
            if e.id % 4 == 0
        ]
    )
    env.flush_all()
    env.invalidate_all()
    return enrollments


def run_job(env):
    """The daily job as the scheduler runs it: one batch per call until nothing is left."""
    Enrollment = env["training.enrollment"]
    batches = []
    while True:
        queries = env.cr.sql_log_count
        activities = env["mail.activity"].search_count([])
        start = time.perf_counter()
        done = Enrollment._cron_followup_cadence()
        env.flush_all()
        if not done:
            break
        batches.append(
            (
                done,
                time.perf_counter() - start,
                env.cr.sql_log_count - queries,
                env["mail.activity"].search_count([]) - activities,
            )
        )
        env.invalidate_all()
    return batches


def print_batches(batches):
    for done, seconds, queries, created in batches:
        print(
            f"  batch of {done:4d} enrolments {seconds:6.2f} s {queries:5d} queries "
            f"{created:5d} activities"
        )
    print(
        f"  {len(batches)} batches, {sum(b[0] for b in batches)} enrolments: "
        f"{sum(b[1] for b in batches):.1f} s, {sum(b[2] for b in batches)} queries, "
        f"{sum(b[3] for b in batches)} activities created"
    )


def confirm_contracts(env, count=1000):
    """``count`` contracts confirmed in one write: the automated rule schedules each
    handover (one server action run per enrolment, as base.automation runs them)."""
    campus = env["res.company"].search([("name", "=", "Cadence campus 00")])
    klass = env["training.class"].search([("company_id", "=", campus.id)], limit=1)
    counselor = env["res.users"].search([("login", "=", "cadence_counselor_00_0")])
    students = env["res.partner"].create(
        [
            {
                "name": f"New student {i:04d}",
                "is_student": True,
                "company_id": campus.id,
                "counselor_id": counselor.id,
            }
            for i in range(count)
        ]
    )
    enrollments = env["training.enrollment"].create(
        [{"student_id": s.id, "class_id": klass.id, "company_id": campus.id} for s in students]
    )
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    enrollments.write({"state": "confirmed"})
    env.flush_all()
    seconds = time.perf_counter() - start
    handovers = env["mail.activity"].search_count(
        [
            ("res_model", "=", "training.enrollment"),
            ("res_id", "in", enrollments.ids),
            ("activity_type_id.training_followup_kind", "=", "handover"),
        ]
    )
    print(
        f"  {count} contracts confirmed: {seconds:.1f} s, "
        f"{env.cr.sql_log_count - queries} queries, {handovers} handover activities"
    )


def bench(env):
    print(f"Building {CAMPUSES} campuses, {STUDENTS} students and enrolments")
    timed("built", lambda: build_group(env))
    print("The daily follow-up cadence job:")
    print_batches(run_job(env))
    print("The job again the same day:")
    print_batches(run_job(env))
    print("The next day (the activities are still open):")
    with freeze_time(datetime.now() + timedelta(days=1), tick=True):
        print_batches(run_job(env))
    print("The handover rule:")
    confirm_contracts(env)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        bench(api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True}))
        cr.rollback()


if __name__ == "__main__":
    main()
