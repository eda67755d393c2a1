"""Benchmark of the daily churn-risk job (SPEC §5) over a 50-campus group.

50 campuses, 20,000 students in classes of 30, a month of validated lessons (four per
student, 80,000 attendance lines) and three Maths scores each, built with batched
``create``; one student in five misses three lessons of four, one in eight has three
declining scores. Then the job, batch by batch as the cron runs it: the first day raises
the flags (and the counselors' activities), a second run on a quiet day changes nothing.

The tables are analyzed after the build, as autovacuum would once the data is committed.
Run on a fresh database without demo data, e.g. as scripts/bench.sh does:
    python3 benchmarks/bench_retention.py -c ODOO_CONF -d DATABASE
Everything is rolled back at the end.
"""

from datetime import date, datetime, timedelta
from datetime import time as dtime

from bench_common import (
    campuses_with_staff,
    create_in_chunks,
    enrolled_classes,
    main,
    print_batches,
    run_batches,
    timed,
)

CAMPUSES = 50
STUDENTS = 20000
LESSONS = 4  # weekly, over the last month


def build_group(env):
    per_campus = STUDENTS // CAMPUSES
    campuses, counselors = campuses_with_staff(
        env, "Risk", CAMPUSES, "training_attendance.group_counselor"
    )
    today = date.today()
    start = today - timedelta(weeks=LESSONS + 1)
    # no teacher users here: each campus's counselor teaches its classes
    classes, students, members, enrollments = enrolled_classes(
        env, "Risk", campuses, counselors, counselors, per_campus, start
    )
    # a month of validated lessons, one a week per class
    session_vals = []
    for klass in classes:
        for week in range(LESSONS):
            begin = datetime.combine(today - timedelta(weeks=week, days=1), dtime(16, 0))
            session_vals.append(
                {
                    "class_id": klass.id,
                    "start": begin,
                    "stop": begin + timedelta(hours=1, minutes=30),
                    "state": "done",
                }
            )
    sessions = create_in_chunks(env["training.session"], session_vals)
    by_class = {}
    for session in sessions:
        by_class.setdefault(session.class_id.id, []).append(session.id)
    line_vals = []
    for index, ((klass, student), enrollment) in enumerate(zip(members, enrollments, strict=True)):
        for week, session_id in enumerate(by_class[klass.id]):
            absent = index % 5 == 0 and week > 0  # one in five: 1 lesson of 4 attended
            line_vals.append(
                {
                    "session_id": session_id,
                    "student_id": student.id,
                    "enrollment_id": enrollment.id,
                    "status": "absent" if absent else "present",
                }
            )
    create_in_chunks(env["training.attendance.line"], line_vals)
    score_vals = []
    for index, student in enumerate(students):
        declining = index % 8 == 3
        for rank, day in enumerate((20, 13, 6)):
            score_vals.append(
                {
                    "student_id": student.id,
                    "subject": "Maths",
                    "kind": "unit",
                    "date": today - timedelta(days=day),
                    "score": 90 - 10 * rank if declining else 70 + 5 * (rank % 2),
                }
            )
    create_in_chunks(env["training.score"], score_vals)
    return len(sessions), len(line_vals), len(score_vals)


def run_job(env):
    return run_batches(env, env["res.partner"]._cron_check_churn_risk)


class RulesOff:
    """Build without the renewal rule's work (the balances are far above it anyway)."""

    def __init__(self, env):
        self.model = env.registry["training.enrollment"]

    def __enter__(self):
        self.saved = self.model._check_renewal
        self.model._check_renewal = lambda self: None

    def __exit__(self, *exc):
        self.model._check_renewal = self.saved


def bench(env, _args):
    print(f"Building {CAMPUSES} campuses, {STUDENTS} students, {LESSONS} lessons each")
    with RulesOff(env):
        n_sessions, n_lines, n_scores = timed("built", lambda: build_group(env))
    print(f"  {n_sessions} validated sessions, {n_lines} attendance lines, {n_scores} scores")
    # what autovacuum does on committed data: without statistics on the rows just
    # built, PostgreSQL plans the attendance query as if the tables were empty
    env.cr.execute(
        "ANALYZE res_partner, training_attendance_line, training_session, training_score,"
        " training_enrollment, mail_activity, mail_followers"
    )
    env = env(context={})
    print("Churn-risk job, first day (flags raised):")
    print_batches(run_job(env), "students")
    Partner = env["res.partner"]
    flagged = Partner.search_count([("churn_risk", "=", True)])
    activities = env["mail.activity"].search_count(
        [("activity_type_id", "=", env.ref("training_attendance.mail_activity_churn_risk").id)]
    )
    print(f"  {flagged} students at risk, {activities} counselor activities")
    print("Churn-risk job, a quiet day (nothing changes):")
    env["ir.config_parameter"].set_param("training_attendance.churn_risk_cursor", "")
    print_batches(run_job(env), "students")
    print(f"  the job run again the same day: {sum(b[0] for b in run_job(env))} students")


if __name__ == "__main__":
    main(__doc__, bench)
