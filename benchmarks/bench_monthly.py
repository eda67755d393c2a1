"""Benchmark of the monthly attendance report job (SPEC §8, issue #14).

A group of campuses (default 50) and students (default 20,000) in classes of 30, each
with a guardian who receives notifications, four validated lessons in the past month
(mixed present / late / absent / excused) and, for one enrolment in two, the teacher's
comment of the month. Then the monthly job batch by batch as the cron runs it, each batch
in a cursor of its own, committed: it renders its students' reports in one QWeb pass and
one wkhtmltopdf document per CPU, rendered at once (split per student), attaches them,
logs them in the chatters and queues the e-mails. ``--compare now,odoo`` takes in turn
the job's rendering and one wkhtmltopdf at a time with Odoo's script delay (as
``_run_wkhtmltopdf`` renders), and prints the medians of each, side by side.
Per batch: wall time, CPU (this process, its wkhtmltopdf children and its PostgreSQL
backend; not the asset server), queries.

Rendering is the cost: wkhtmltopdf fetches the report's CSS from a running Odoo, so this
script starts one on the database (``--port``, default: the config's http port) for the
time of the run. By default only the first ``--batches`` batches are rendered and the
whole month is extrapolated from them; ``--batches 0`` renders everything.

Run it on a fresh database without demo data (scripts/bench.sh monthly creates and drops
one):
    python3 benchmarks/bench_monthly.py -c ODOO_CONF -d DATABASE [--students 20000]
        [--campuses 50] [--batch 100] [--batches 5] [--compare now,odoo]
The database is changed (committed): run it on a database made for it.
"""

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime, timedelta
from datetime import time as dtime
from unittest.mock import patch

from bench_common import (
    backend_cpu,
    campuses_with_staff,
    create_in_chunks,
    enrolled_classes,
    main,
    timed,
)
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api
from odoo.tools import config


def build_group(env, campuses_count, students_count):
    """The month before this one: four Wednesdays of validated lessons per class."""
    per_campus = students_count // campuses_count
    campuses, counselors, teachers = campuses_with_staff(
        env,
        "Monthly",
        campuses_count,
        "training_attendance.group_counselor",
        "training_attendance.group_teacher",
    )
    for counselor in counselors:
        counselor.partner_id.write({"phone": "+86 21 5555 0100", "email": "coach@example.com"})
    month = date.today().replace(day=1) - relativedelta(months=1)
    classes, students, members, enrollments = enrolled_classes(
        env,
        "Monthly",
        campuses,
        teachers,
        counselors,
        per_campus,
        month - timedelta(days=60),
        head_teachers=True,
    )
    guardians = create_in_chunks(
        env["res.partner"],
        [{"name": f"Parent of {s.name}", "email": f"parent{s.id}@example.com"} for s in students],
    )
    create_in_chunks(
        env["training.guardian.link"],
        [
            {"student_id": s.id, "guardian_id": g.id, "is_primary": True}
            for s, g in zip(students, guardians, strict=True)
        ],
    )
    wednesdays = [
        month + timedelta(days=d) for d in range(28) if (month + timedelta(d)).weekday() == 2
    ]
    session_vals = []
    for klass in classes:
        for day in wednesdays[:4]:
            begin = datetime.combine(day, dtime(10, 0))
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
    statuses = ["present", "present", "absent", "excused"]
    line_vals = []
    for index, ((klass, student), enrollment) in enumerate(zip(members, enrollments, strict=True)):
        for week, session_id in enumerate(by_class[klass.id]):
            status = statuses[(index + week) % 4] if index % 3 == 0 else "present"
            late = 10 if status == "present" and (index + week) % 7 == 0 else 0
            line_vals.append(
                {
                    "session_id": session_id,
                    "student_id": student.id,
                    "enrollment_id": enrollment.id,
                    "status": status,
                    "late_minutes": late,
                }
            )
    create_in_chunks(env["training.attendance.line"], line_vals)
    create_in_chunks(
        env["training.monthly.comment"],
        [
            {
                "enrollment_id": e.id,
                "month": month,
                "comment": "Good progress; keep practising fractions.",
                "score": 80,
            }
            for e in enrollments[::2]
        ],
    )
    return len(students), len(sessions), len(line_vals)


def start_server(args):
    """An Odoo serving the report assets to wkhtmltopdf."""
    port = args.port or config["http_port"]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            args.config,
            "-d",
            args.database,
            "--http-port",
            str(port),
            "--max-cron-threads=0",
            "--log-level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(120):
        try:
            urllib.request.urlopen(f"{url}/web/login", timeout=2)
            return server, url
        except OSError:
            time.sleep(1)
    server.terminate()
    raise SystemExit(f"Odoo did not answer on {url}")


# the rendering of the batches: as the job renders now, and as Odoo's _run_wkhtmltopdf
# would (one wkhtmltopdf at a time, waiting report.print_delay for scripts)
# (wkhtmltopdf at once, script delay ms); None: the job's own
MODES = {"now": (None, None), "odoo": (1, 1000)}


def run_batch(registry, args, mode):
    """One call of the job in a fresh cursor, committed, as the scheduler runs it:
    ``(reports, [wall s, CPU s of this process + wkhtmltopdf + PostgreSQL backend,
    queries, wkhtmltopdf documents])``."""
    # the addon's modules are importable once main() has read the configuration
    from odoo.addons.training_attendance.models import ir_actions_report_monthly as monthly

    IrActionsReport = monthly.IrActionsReport
    processes, delay = MODES[mode]
    processes = processes or monthly.RENDER_PROCESSES
    delay = monthly.SCRIPT_DELAY_MS if delay is None else delay
    documents = []
    original = IrActionsReport._training_wkhtmltopdf

    def counted(self, report, htmls, report_args):
        documents.append(len(htmls))
        return original(self, report, htmls, report_args)

    with (
        patch.object(monthly, "RENDER_PROCESSES", processes),
        patch.object(monthly, "SCRIPT_DELAY_MS", delay),
        patch.object(IrActionsReport, "_training_wkhtmltopdf", counted),
        registry.cursor() as cr,
    ):
        pid = cr._cnx.get_backend_pid()
        wall, cpu, children, pg = (
            time.perf_counter(),
            time.process_time(),
            sum(os.times()[2:4]),
            backend_cpu(pid),
        )
        queries = cr.sql_log_count
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        done = env["training.monthly.report"]._cron_send_monthly_reports(batch_size=args.batch)
        cr.flush()
        queries = cr.sql_log_count - queries
        cr.commit()
        cpu = time.process_time() - cpu + sum(os.times()[2:4]) - children + backend_cpu(pid) - pg
    return done, [time.perf_counter() - wall, cpu, queries, sum(documents)]


def bench(env, args):
    print(
        f"Building {args.campuses} campuses, {args.students} students, four lessons each "
        "in the past month"
    )
    students, sessions, lines = timed(
        "built", lambda: build_group(env, args.campuses, args.students)
    )
    print(f"  {students} students, {sessions} validated sessions, {lines} attendance lines")
    env.cr.execute(
        "ANALYZE res_partner, training_attendance_line, training_session,"
        " training_enrollment, training_guardian_link, training_monthly_comment"
    )
    env["ir.config_parameter"].set_param(
        "report.url", f"http://127.0.0.1:{args.port or config['http_port']}"
    )
    env.cr.commit()  # the batches run in cursors of their own, as the scheduler runs them
    modes = args.compare.split(",") if args.compare else ["now"]
    print(
        f"Monthly job, batches of {args.batch}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}; modes in turn: {', '.join(modes)} "
        f"(now: the job's rendering, {os.cpu_count()} wkhtmltopdf at once, no script delay; "
        "odoo: one at a time, 1 s script delay)"
    )
    server, _url = start_server(args)
    batches = []
    started = time.perf_counter()
    try:
        while not args.batches or len(batches) < args.batches:
            mode = modes[len(batches) % len(modes)]
            done, cost = run_batch(env.registry, args, mode)
            if not done:
                break
            batches.append((mode, done, cost))
            print(
                f"  {mode:4s} batch of {done:4d} students {cost[0]:6.2f} s, CPU {cost[1]:6.2f} s,"
                f" {cost[2]:4d} queries, {cost[3]} wkhtmltopdf documents",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()
    elapsed = time.perf_counter() - started
    for mode in modes:
        costs = [cost for m, _done, cost in batches if m == mode]
        sent = sum(done for m, done, _cost in batches if m == mode)
        if not costs:
            continue
        wall, cpu, queries = (statistics.median(c[i] for c in costs) for i in range(3))
        print(
            f"  {mode}: {len(costs)} batches, {sent} reports; per batch, medians: {wall:.2f} s, "
            f"CPU {cpu:.2f} s, {queries:.0f} queries; {sent / sum(c[0] for c in costs):.1f} "
            "PDFs per second"
        )
        if args.batches and sent:
            total = statistics.median(c[0] for c in costs) * students / args.batch
            print(f"    extrapolated to the {students} students: {total / 60:.1f} min")
    sent = sum(done for _m, done, _cost in batches)
    print(f"  all batches: {sent} reports in {elapsed / 60:.1f} min")
    with env.registry.cursor() as cr:
        check = api.Environment(cr, SUPERUSER_ID, {})
        mails = check["mail.mail"].search_count([("attachment_ids", "!=", False)])
        print(f"  {mails} e-mails queued with their PDF")
        if not args.batches:
            again = check["training.monthly.report"]._cron_send_monthly_reports(args.batch)
            print(f"  the job run again: {again} reports")
            cr.rollback()


def add_arguments(parser):
    parser.add_argument("--students", type=int, default=20000)
    parser.add_argument("--campuses", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100, help="students per batch")
    parser.add_argument(
        "--batches", type=int, default=5, help="batches to render (0: the whole month)"
    )
    parser.add_argument("--port", type=int, default=0, help="http port of the asset server")
    parser.add_argument(
        "--compare",
        default="",
        help="modes of rendering taken in turn, batch after batch: now,odoo compares the "
        "job's rendering with one wkhtmltopdf at a time as Odoo's _run_wkhtmltopdf",
    )


if __name__ == "__main__":
    main(__doc__, bench, add_arguments)
