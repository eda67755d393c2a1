"""Benchmark: one campus with 2,000 students and a month of validated sessions, then the
teacher's hot path on one 30-student session: open, mark, validate.

Run through scripts/bench.sh, which creates and drops a fresh database:
    python3 benchmarks/bench_attendance.py -c ODOO_CONF -d DATABASE
"""

import argparse
import time
from datetime import date, datetime, timedelta

import odoo
from odoo import Command, api
from odoo.tools import config

STUDENTS = 2000
CLASS_SIZE = 30
WEEKS = 4


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


def build_campus(env):
    """2,000 students in classes of 30, two lessons a week, a month of validated sessions."""
    teacher = env["res.users"].create(
        {
            "name": "Bench Teacher",
            "login": "bench_teacher",
            "groups_id": [Command.set(env.ref("training_attendance.group_teacher").ids)],
        }
    )
    course = env["training.course"].create({"name": "Bench course", "lesson_duration": 1.5})
    n_classes = -(-STUDENTS // CLASS_SIZE)
    classes = env["training.class"].create(
        [
            {
                "name": f"Bench class {i:03d}",
                "course_id": course.id,
                "teacher_id": teacher.id,
                "timetable_ids": [
                    Command.create({"weekday": str(i % 5), "start_time": 16, "end_time": 17.5}),
                    Command.create({"weekday": "5", "start_time": 9, "end_time": 10.5}),
                ],
            }
            for i in range(n_classes)
        ]
    )
    students = env["res.partner"].create(
        [{"name": f"Bench student {i:05d}", "is_student": True} for i in range(STUDENTS)]
    )
    start = date.today() - timedelta(weeks=WEEKS)
    env["training.enrollment"].create(
        [
            {
                "student_id": student.id,
                "class_id": classes[i // CLASS_SIZE].id,
                "date_start": start,
                "hours_purchased": 60,
                "state": "active",
            }
            for i, student in enumerate(students)
        ]
    )
    wizard = env["training.session.generate"].create(
        {
            "class_ids": [Command.set(classes.ids)],
            "date_from": start,
            "date_to": date.today() - timedelta(days=1),
        }
    )
    sessions = env["training.session"].create(wizard._prepare_session_vals())
    for chunk in range(0, len(sessions), 100):
        batch = sessions[chunk : chunk + 100]
        batch.action_open()
        lines = batch.attendance_line_ids
        lines.filtered(lambda line: line.id % 13 == 0).write({"status": "absent"})
        lines.filtered(lambda line: line.id % 7 == 0 and line.status == "pending").write(
            {"status": "present", "late_minutes": 10}
        )
        batch.action_mark_rest_present()
        batch.action_validate()
        env.flush_all()
        env.invalidate_all()
    return teacher, classes[0], len(sessions), env["training.attendance.line"].search_count([])


def hot_path(env, teacher, klass):
    """What a teacher does for one session, each step counted as the server sees it."""
    now = datetime.now().replace(minute=0, second=0, microsecond=0)
    session = env["training.session"].create(
        {"class_id": klass.id, "start": now, "stop": now + timedelta(hours=1, minutes=30)}
    )
    env.flush_all()
    env.invalidate_all()
    session = session.with_user(teacher)
    steps = {}

    def step(label, func):
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        func()
        env.flush_all()
        steps[label] = (time.perf_counter() - start, env.cr.sql_log_count - queries)

    step("open (30 lines)", session.action_open)
    lines = session.attendance_line_ids
    step("mark one absent", lines[0].action_set_absent)
    step("mark one late", lines[1].action_add_late)
    step("mark the rest present", session.action_mark_rest_present)
    step("validate", session.action_validate)
    return steps


def end_of_day_job(env):
    """The end-of-day absence job over the month's unprocessed absences, batch by batch."""
    lines = env["training.attendance.line"]
    todo = lines.search_count([("notice_state", "=", False), ("status", "=", "absent")])
    env["res.partner"].search([("is_student", "=", True)], limit=1)
    guardians = env["res.partner"].create(
        [{"name": f"Bench guardian {i}", "email": f"g{i}@example.com"} for i in range(STUDENTS)]
    )
    students = env["res.partner"].search([("is_student", "=", True)], order="id")
    env["training.guardian.link"].create(
        [
            {"student_id": s.id, "guardian_id": g.id, "is_primary": True}
            for s, g in zip(students, guardians, strict=False)
        ]
    )
    env.flush_all()
    batches = []
    while True:
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        done = lines._cron_process_absences()
        env.flush_all()
        if not done:
            break
        batches.append((done, time.perf_counter() - start, env.cr.sql_log_count - queries))
    return todo, batches


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        print(f"Building a campus of {STUDENTS} students and {WEEKS} weeks of sessions")
        Line = env.registry["training.attendance.line"]
        process, Line._process_absences = Line._process_absences, lambda self: None
        try:
            teacher, klass, n_sessions, n_lines = timed("built", lambda: build_campus(env))
        finally:
            Line._process_absences = process
        print(f"  {n_sessions} validated sessions, {n_lines} attendance lines")
        env = env(context={})
        steps = hot_path(env, teacher, klass)
        print(f"One {CLASS_SIZE}-student session, as its teacher:")
        total_t = total_q = 0
        for label, (seconds, queries) in steps.items():
            total_t += seconds
            total_q += queries
            print(f"  {label:<24} {seconds * 1000:7.1f} ms {queries:4d} queries")
        print(f"  {'open + mark + validate':<24} {total_t * 1000:7.1f} ms {total_q:4d} queries")
        # the month was validated with tracking and notices off: the job has it all to do
        todo, batches = end_of_day_job(env)
        print(f"End-of-day absence job over {todo} unexcused absences of the month:")
        for done, seconds, queries in batches:
            print(f"  batch of {done:4d} lines {seconds:6.1f} s {queries:6d} queries")
        cr.rollback()


if __name__ == "__main__":
    main()
