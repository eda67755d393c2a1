"""Benchmarks of the attendance and absence follow-up.

campus: one campus with 2,000 students and a month of validated sessions, then the
    teacher's hot path on one 30-student session (open, mark, validate) and the
    follow-up job over the month (validation leaves it to the job).
group: one day of a 50-campus group, 20,000 students and 30,000 attendance lines
    validated, then the follow-up job (balances, guardian notices by e-mail and SMS,
    absence calls, leave follow-ups, make-ups, escalation) batch by batch.

Run through scripts/bench.sh, which creates and drops a fresh database:
    python3 benchmarks/bench_attendance.py -c ODOO_CONF -d DATABASE [--case campus|group]
"""

import time
from datetime import date, datetime, timedelta

from bench_common import campuses_with_staff, main, print_batches, run_batches, timed

from odoo import Command

STUDENTS = 2000
CLASS_SIZE = 30
WEEKS = 4
GROUP_CAMPUSES = 50
GROUP_STUDENTS = 20000  # 400 a campus; each has one lesson today, half of them two


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
    """The follow-up job over the month's validated sessions, batch by batch."""
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
    return todo, run_job(env)


def build_group(env):
    """50 campuses, 400 students each with a guardian (e-mail and mobile), in classes of
    30; today every student has a lesson and half of them a second one: 30,000 lines,
    validated with about 8 % unexcused absences, 5 % excused and some lateness."""
    per_campus = GROUP_STUDENTS // GROUP_CAMPUSES
    campuses, teachers, counselors = campuses_with_staff(
        env,
        "Group",
        GROUP_CAMPUSES,
        "training_attendance.group_teacher",
        "training_attendance.group_counselor",
    )
    courses = env["training.course"].create(
        [
            {"name": f"{subject} {c:02d}", "lesson_duration": 1.5, "company_id": campus.id}
            for c, campus in enumerate(campuses)
            for subject in ("Maths", "English")
        ]
    )
    weekday = str(date.today().weekday())
    class_vals, plan = [], []  # plan: (campus index, course index, first student, size)
    for c, campus in enumerate(campuses):
        for course_index, size in ((0, per_campus), (1, per_campus // 2)):
            for first in range(0, size, CLASS_SIZE):
                class_vals.append(
                    {
                        "name": f"Group class {c:02d}-{course_index}-{first:03d}",
                        "company_id": campus.id,
                        "course_id": courses[2 * c + course_index].id,
                        "teacher_id": teachers[c].id,
                        "timetable_ids": [
                            Command.create(
                                {
                                    "weekday": weekday,
                                    "start_time": 8 + 2 * course_index,
                                    "end_time": 9.5 + 2 * course_index,
                                }
                            )
                        ],
                    }
                )
                plan.append((c, first, min(CLASS_SIZE, size - first)))
    classes = env["training.class"].create(class_vals)
    students = env["res.partner"].create(
        [
            {
                "name": f"Group student {i:05d}",
                "is_student": True,
                "company_id": campuses[i // per_campus].id,
                "counselor_id": counselors[i // per_campus].id,
            }
            for i in range(GROUP_STUDENTS)
        ]
    )
    guardians = env["res.partner"].create(
        [
            {
                "name": f"Group guardian {i:05d}",
                "email": f"gg{i}@example.com",
                "mobile": f"+8613{i:09d}",
            }
            for i in range(GROUP_STUDENTS)
        ]
    )
    env["training.guardian.link"].create(
        [
            {"student_id": s.id, "guardian_id": g.id, "is_primary": True}
            for s, g in zip(students, guardians, strict=True)
        ]
    )
    start = date.today() - timedelta(weeks=WEEKS)
    env["training.enrollment"].create(
        [
            {
                "student_id": students[c * per_campus + first + k].id,
                "class_id": klass.id,
                "company_id": klass.company_id.id,
                "date_start": start,
                "hours_purchased": 60,
                "state": "active",
            }
            for klass, (c, first, size) in zip(classes, plan, strict=True)
            for k in range(size)
        ]
    )
    wizard = env["training.session.generate"].create(
        {
            "class_ids": [Command.set(classes.ids)],
            "date_from": date.today(),
            "date_to": date.today(),
        }
    )
    sessions = env["training.session"].create(wizard._prepare_session_vals())
    for chunk in range(0, len(sessions), 100):
        batch = sessions[chunk : chunk + 100]
        batch.action_open()
        lines = batch.attendance_line_ids
        lines.filtered(lambda line: line.id % 13 == 0).write({"status": "absent"})
        lines.filtered(lambda line: line.id % 20 == 1).write({"status": "excused"})
        lines.filtered(lambda line: line.id % 7 == 0 and line.status == "pending").write(
            {"status": "present", "late_minutes": 10}
        )
        batch.action_mark_rest_present()
        batch.action_validate()
        env.flush_all()
        env.invalidate_all()
    return len(sessions), env["training.attendance.line"].search_count(
        [("session_id", "in", sessions.ids)]
    )


def run_job(env):
    """The follow-up job (validated sessions, then the backstop) until it has nothing
    left, batch by batch."""
    return run_batches(env, env["training.attendance.line"]._cron_process_absences)


def bench_campus(env):
    print(f"Building a campus of {STUDENTS} students and {WEEKS} weeks of sessions")
    # validated without running the follow-up job: the job has the whole month to do
    teacher, klass, n_sessions, n_lines = timed("built", lambda: build_campus(env))
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
    todo, batches = end_of_day_job(env)
    print(f"Follow-up job over the month ({todo} unexcused absences), batch by batch:")
    print_batches(batches, "lines")


def bench_group(env):
    print(f"Building one day of {GROUP_CAMPUSES} campuses, {GROUP_STUDENTS} students")
    n_sessions, n_lines = timed("built", lambda: build_group(env))
    print(f"  {n_sessions} validated sessions today, {n_lines} attendance lines")
    Line = env["training.attendance.line"]
    absent = Line.search_count([("status", "=", "absent"), ("notice_state", "=", False)])
    excused = Line.search_count([("status", "=", "excused")])
    print(f"Follow-up job: {absent} unexcused absences, {excused} excused, batch by batch:")
    print_batches(run_job(env(context={})), "lines")
    sent = Line.search_count([("notice_state", "=", "sent")])
    sms = env["sms.sms"].search_count([])
    mails = env["mail.mail"].search_count([])
    types = env.ref("training_attendance.mail_activity_absence_call") | env.ref(
        "training_attendance.mail_activity_leave_followup"
    )
    activities = env["mail.activity"].search_count([("activity_type_id", "in", types.ids)])
    print(
        f"  {sent} notices: {mails} e-mails and {sms} SMS queued; {activities} calls and follow-ups"
    )
    again = run_job(env(context={}))
    print(f"  the job run again: {sum(b[0] for b in again)} lines to process")


def bench(env, args):
    for case, run in (("campus", bench_campus), ("group", bench_group)):
        if args.case in (case, "all"):
            run(env)
            env.cr.rollback()
            env.invalidate_all()


if __name__ == "__main__":
    main(
        __doc__,
        bench,
        lambda parser: parser.add_argument(
            "--case", choices=("campus", "group", "all"), default="all"
        ),
    )
