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

import time
from datetime import date, datetime, timedelta

from bench_common import campuses_with_staff, main, print_batches, run_batches, timed
from freezegun import freeze_time

CAMPUSES = 50
STUDENTS = 20000
CLASS_SIZE = 30
COUNSELORS_PER_CAMPUS = 2


def build_group(env):
    """The group, its students and their enrolments, built with batch creates; the
    enrolments' automated rules (handover, first-lesson notice) are off meanwhile."""
    today = date.today()
    per_campus = STUDENTS // CAMPUSES
    campuses, counselors = campuses_with_staff(
        env,
        "Cadence",
        CAMPUSES,
        "training_attendance.group_counselor",
        per_campus=COUNSELORS_PER_CAMPUS,
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
    return run_batches(
        env,
        env["training.enrollment"]._cron_followup_cadence,
        count=lambda: env["mail.activity"].search_count([]),
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


def bench(env, _args):
    print(f"Building {CAMPUSES} campuses, {STUDENTS} students and enrolments")
    timed("built", lambda: build_group(env))
    print("The daily follow-up cadence job:")
    print_batches(run_job(env), "enrolments", "activities")
    print("The job again the same day:")
    print_batches(run_job(env), "enrolments", "activities")
    print("The next day (the activities are still open):")
    with freeze_time(datetime.now() + timedelta(days=1), tick=True):
        print_batches(run_job(env), "enrolments", "activities")
    print("The handover rule:")
    confirm_contracts(env)


if __name__ == "__main__":
    main(__doc__, bench)
