"""Load test of the teacher's flow (issue #12): N teachers at once through JSON-RPC.

Builds a campus in the database given (``teacher_classes``: one class of 30 students a
teacher, a session today each, the campus policy's defaults), starts Odoo on it with
``--workers=4`` and a cron worker, on 127.0.0.1 only, and lets the teachers log in within
the ramp. Each, in a thread of its own with its own session cookie, sends what the
browser sends: ``/web/session/authenticate``, its sessions of today
(``web_search_read``), the session form (``web_read``), then every button through
``/web/dataset/call_button`` followed by the form's reload: Take attendance, five Absent,
one Late, Mark the rest present, Validate (``--think`` seconds between taps).

Then it waits (``--wait``, bounded) until the follow-up of the validation has converged,
whether it ran in the request or in a background job triggered after it: every unexcused
line has its guardian notice, its absence call, its make-up and its enrolment's reminder
step. It checks in SQL that nothing was lost or doubled, and prints p50 / p95 / max per
call, the errors (of the calls and in the server's log), and how long after the
validation the guardians' notices were recorded. The server is stopped at the end, also
on an error or Ctrl-C.

Every scheduled job but the absence job is switched off in this database and the
server's SMTP is a closed port of 127.0.0.1: the e-mails and SMS stay queued (and are
counted), nothing leaves the machine.

Run through scripts/bench.sh load, which creates and drops a fresh database:
    python3 benchmarks/bench_load.py -c ODOO_CONF -d DATABASE [--teachers 50] [--ramp 30]
"""

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict

import requests
from bench_common import code_version, main, teacher_classes, timed

CLASS_SIZE = 30
ABSENT, LATE = 5, 1
ABSENCE_CRON = "training_attendance.ir_cron_process_absences"
CALL_TIMEOUT = 300  # seconds a call may take before it counts as an error

# the session form (views/training_session_views.xml), as the web client reads it
FORM_SPEC = {
    "display_name": {},
    "state": {},
    "class_id": {"fields": {"display_name": {}}},
    "start": {},
    "stop": {},
    "duration": {},
    "room": {},
    "kind": {},
    "teacher_id": {"fields": {"display_name": {}}},
    "course_id": {"fields": {"display_name": {}}},
    "validated_by_id": {"fields": {"display_name": {}}},
    "validated_at": {},
    "note": {},
    **{f"count_{key}": {} for key in ("pending", "present", "absent", "excused", "late")},
    "attendance_line_ids": {
        "fields": {
            "student_id": {"fields": {"display_name": {}}},
            "status": {},
            "late_minutes": {},
            "left_early_minutes": {},
            "note": {},
        }
    },
}


class Stats:
    """Latency and errors per call, from all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = defaultdict(list)
        self.errors = defaultdict(list)

    def record(self, name, seconds, error):
        with self.lock:
            self.seconds[name].append(seconds)
            if error:
                self.errors[name].append(error)


class CallError(Exception):
    pass


class Teacher:
    """One teacher's browser: a cookie jar and the JSON-RPC calls of the web client."""

    def __init__(self, url, db, login, stats, think):
        self.url, self.db, self.login, self.stats, self.think = url, db, login, stats, think
        self.http = requests.Session()
        self.context = {}
        self.session = self.validated_at = None

    def rpc(self, name, path, params):
        start, error = time.perf_counter(), None
        try:
            response = self.http.post(
                self.url + path,
                json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
                timeout=CALL_TIMEOUT,
            )
            body = response.json() if response.status_code == 200 else {}
            error = body.get("error") or (None if body else f"HTTP {response.status_code}")
        except (requests.RequestException, ValueError) as exc:
            error = repr(exc)
        self.stats.record(name, time.perf_counter() - start, error)
        if error:
            message = error.get("data", {}).get("message") if isinstance(error, dict) else error
            raise CallError(f"{self.login} {name}: {message}")
        return body["result"]

    def call(self, model, method, args, kwargs=None, button=False):
        route = "call_button" if button else "call_kw"
        kwargs = {**(kwargs or {}), "context": self.context}
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        return self.rpc(method, f"/web/dataset/{route}/{model}/{method}", params)

    def tap(self, model, method, record_id, session_id):
        """A button of the form, then the form's reload, as the web client does."""
        time.sleep(self.think)
        self.call(model, method, [[record_id]], button=True)
        if method == "action_validate":
            self.validated_at = time.time()
        return self.read(session_id)

    def read(self, session_id):
        return self.call(
            "training.session", "web_read", [[session_id]], {"specification": FORM_SPEC}
        )[0]

    def log_in(self):
        """Log in, then list the teacher's sessions still to take: the first one's id."""
        params = {"db": self.db, "login": self.login, "password": self.login}
        info = self.rpc("login", "/web/session/authenticate", params)
        self.context = {
            **info["user_context"],
            "allowed_company_ids": [info["user_companies"]["current_company"]],
        }
        today = self.call(
            "training.session",
            "web_search_read",
            [],
            {
                "domain": [("teacher_id", "=", info["uid"]), ("state", "=", "planned")],
                "specification": {"display_name": {}, "start": {}, "state": {}},
                "limit": 80,
            },
        )
        return today["records"][0]["id"]

    def take_attendance(self):
        self.session = session = self.log_in()
        self.read(session)
        form = self.tap("training.session", "action_open", session, session)
        lines = [line["id"] for line in form["attendance_line_ids"]]
        for line in lines[:ABSENT]:
            self.tap("training.attendance.line", "action_set_absent", line, session)
        for line in lines[ABSENT : ABSENT + LATE]:
            self.tap("training.attendance.line", "action_add_late", line, session)
        self.tap("training.session", "action_mark_rest_present", session, session)
        self.tap("training.session", "action_validate", session, session)


# ---------------------------------------------------------------------------- the server
LAUNCHER = """import os
os.environ["TZ"] = "UTC"  # as odoo-bin
import odoo
from odoo.service.server import PreforkServer
# no websocket (gevent) process: the test's clients send JSON-RPC only
PreforkServer.long_polling_spawn = lambda self: None
odoo.cli.main()
"""


def start_server(args, workdir, log):
    launcher = os.path.join(workdir, "odoo_launcher.py")
    with open(launcher, "w") as script:
        script.write(LAUNCHER)
    command = [
        sys.executable,
        launcher,
        "-c",
        args.config,
        "-d",
        args.database,
        f"--db-filter=^{args.database}$",
        "--http-interface=127.0.0.1",
        "--smtp=127.0.0.1",
        f"--smtp-port={args.port + 1}",
        f"--http-port={args.port}",
        f"--workers={args.workers}",
        f"--max-cron-threads={args.cron_threads}",
        "--limit-time-real=900",
        "--limit-time-cpu=600",
        "--log-level=warn",
    ]
    # a session of its own: stopping it stops its workers, Ctrl-C reaches us only
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo stopped at start (exit code {server.returncode})")
        try:
            if requests.get(f"http://127.0.0.1:{args.port}/web/health", timeout=5).ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(1)
    stop_server(server)
    raise RuntimeError("Odoo did not answer within 120 s")


def stop_server(server):
    """SIGTERM to the server's process group (its workers), SIGKILL after 30 s."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


# ---------------------------------------------------------------------------- the checks
def pending_followups(cr, sessions):
    """What the follow-up of the unexcused lines of ``sessions`` still lacks."""
    cr.execute(
        """
        SELECT count(*) FILTER (WHERE l.notice_state IS NULL),
               count(*) FILTER (WHERE NOT coalesce(l.followup_scheduled, false)),
               count(*) FILTER (WHERE l.status = 'absent' AND NOT EXISTS (
                   SELECT 1 FROM training_makeup m WHERE m.line_id = l.id)),
               count(*) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM training_escalation e
                    WHERE e.enrollment_id = l.enrollment_id AND e.level = 'reminder'))
          FROM training_attendance_line l
          JOIN training_session s ON s.id = l.session_id
         WHERE l.session_id = ANY(%s) AND s.state = 'done'
           AND (l.status = 'absent' OR l.absence_equivalent > 0)
        """,
        [sessions],
    )
    labels = ("guardian notice", "absence call", "make-up", "reminder step")
    return {label: n for label, n in zip(labels, cr.fetchone(), strict=True) if n}


def wait_for_followups(registry, sessions, bound):
    """Poll until the follow-up converged or ``bound`` seconds passed: (seconds, what
    still lacks)."""
    start = time.monotonic()
    while True:
        with registry.cursor() as cr:
            missing = pending_followups(cr, sessions)
        if not missing or time.monotonic() - start > bound:
            return time.monotonic() - start, missing
        time.sleep(1)


CHECKS = {
    # name: SQL giving (expected items, lost, doubled) over the sessions %(s)s
    "sessions validated and signed by their teacher": """
        SELECT count(*), count(*) FILTER (WHERE state != 'done' OR validated_by_id IS NULL
                                            OR validated_by_id != teacher_id), 0
          FROM training_session WHERE id = ANY(%(s)s)""",
    "lines final (5 absent, 1 late, the rest present)": """
        SELECT count(*), count(*) FILTER (WHERE NOT ok), 0 FROM (
            SELECT session_id, count(*) FILTER (WHERE status = 'pending') = 0
                   AND count(*) FILTER (WHERE status = 'absent') = %(absent)s
                   AND count(*) FILTER (WHERE status = 'present' AND late_minutes > 0) = %(late)s
                   AND count(*) FILTER (WHERE status = 'present') = count(*) - %(absent)s
                   AS ok
              FROM training_attendance_line WHERE session_id = ANY(%(s)s)
             GROUP BY session_id) per_session""",
    "one notice per unexcused absence (its e-mail and its SMS message)": """
        SELECT count(*) FILTER (WHERE unexcused),
               count(*) FILTER (WHERE unexcused AND (emails = 0 OR texts = 0)),
               count(*) FILTER (WHERE emails > unexcused::int OR texts > unexcused::int) FROM (
            SELECT l.status = 'absent' OR l.absence_equivalent > 0 AS unexcused,
                   (SELECT count(*) FROM mail_message m
                     WHERE m.model = 'res.partner' AND m.res_id = l.student_id
                       AND m.message_type = 'comment'
                       AND m.create_date >= %(since)s) AS emails,
                   (SELECT count(*) FROM mail_message m
                     WHERE m.model = 'res.partner' AND m.res_id = l.student_id
                       AND m.message_type = 'sms'
                       AND m.create_date >= %(since)s) AS texts
              FROM training_attendance_line l WHERE l.session_id = ANY(%(s)s)) per_line""",
    "its e-mail or SMS queued, with its delivery status": """
        SELECT count(*), count(*) FILTER (WHERE queued = 0 OR notified = 0),
               count(*) FILTER (WHERE queued > 1 OR notified > 1) FROM (
            SELECT (SELECT count(*) FROM mail_mail mm WHERE mm.mail_message_id = m.id)
                   + (SELECT count(*) FROM sms_sms t WHERE t.mail_message_id = m.id) AS queued,
                   (SELECT count(*) FROM mail_notification n
                     WHERE n.mail_message_id = m.id) AS notified
              FROM mail_message m
              JOIN training_attendance_line l
                ON m.model = 'res.partner' AND m.res_id = l.student_id
             WHERE l.session_id = ANY(%(s)s) AND m.create_date >= %(since)s
               AND m.message_type IN ('comment', 'sms')) per_message""",
    "one absence call per unexcused absence": """
        SELECT count(*) FILTER (WHERE unexcused), count(*) FILTER (WHERE unexcused AND n = 0),
               count(*) FILTER (WHERE n > unexcused::int) FROM (
            SELECT l.status = 'absent' OR l.absence_equivalent > 0 AS unexcused,
                   (SELECT count(*) FROM mail_activity a
                      JOIN ir_model_data d ON d.model = 'mail.activity.type'
                       AND d.res_id = a.activity_type_id
                       AND d.module = 'training_attendance'
                       AND d.name = 'mail_activity_absence_call'
                     WHERE a.res_model = 'training.enrollment'
                       AND a.res_id = l.enrollment_id) AS n
              FROM training_attendance_line l WHERE l.session_id = ANY(%(s)s)) per_line""",
    "one make-up per absence": """
        SELECT count(*) FILTER (WHERE l.status = 'absent'),
               count(*) FILTER (WHERE l.status = 'absent' AND n = 0),
               count(*) FILTER (WHERE n > (l.status = 'absent')::int) FROM (
            SELECT l.status,
                   (SELECT count(*) FROM training_makeup m WHERE m.line_id = l.id) AS n
              FROM training_attendance_line l WHERE l.session_id = ANY(%(s)s)) l""",
    "one escalation step per level (reminder), one activity each": """
        SELECT count(*) FILTER (WHERE unexcused),
               count(*) FILTER (WHERE unexcused AND (n = 0 OR acts < n)),
               count(*) FILTER (WHERE n > unexcused::int OR others > 0 OR acts > n) FROM (
            SELECT bool_or(l.status = 'absent' OR l.absence_equivalent > 0) AS unexcused,
                   (SELECT count(*) FROM training_escalation e
                     WHERE e.enrollment_id = l.enrollment_id AND e.level = 'reminder'
                       AND e.voided IS NOT TRUE) AS n,
                   (SELECT count(*) FROM training_escalation e
                     WHERE e.enrollment_id = l.enrollment_id AND e.level != 'reminder') AS others,
                   (SELECT count(*) FROM mail_activity a JOIN training_escalation e
                        ON a.res_model = 'training.escalation' AND a.res_id = e.id
                     WHERE e.enrollment_id = l.enrollment_id) AS acts
              FROM training_attendance_line l WHERE l.session_id = ANY(%(s)s)
             GROUP BY l.enrollment_id) per_enrollment""",
}


def check(cr, sessions, since):
    """Each check: (expected, lost, doubled)."""
    params = {"s": sessions, "since": since, "absent": ABSENT, "late": LATE}
    results = {}
    for name, query in CHECKS.items():
        cr.execute(query, params)
        results[name] = cr.fetchone()
    return results


def notice_delays(cr, sessions):
    """Seconds from each session's validation to its lines' guardian notices."""
    cr.execute(
        """
        SELECT extract(epoch FROM l.guardian_notified_at - s.validated_at),
               extract(epoch FROM l.guardian_notified_at - max(s.validated_at) OVER ())
          FROM training_attendance_line l JOIN training_session s ON s.id = l.session_id
         WHERE l.session_id = ANY(%s) AND l.guardian_notified_at IS NOT NULL
        """,
        [sessions],
    )
    return cr.fetchall()


# ---------------------------------------------------------------------------- printing
def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def print_latencies(stats):
    print(f"{'call':<26} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}")
    for name, values in stats.seconds.items():
        p50, p95, top = (percentile(values, p) * 1000 for p in (50, 95, 100))
        errors = len(stats.errors[name])
        print(f"{name:<26} {len(values):>6} {p50:>8.0f} {p95:>8.0f} {top:>8.0f} {errors:>7}")
    for name, errors in stats.errors.items():
        for error in errors[:3]:
            print(f"  error in {name}: {str(error)[:300]}")


def server_errors(log_path):
    with open(log_path, errors="replace") as log:
        return [line.rstrip() for line in log if " ERROR " in line or " CRITICAL " in line]


# ---------------------------------------------------------------------------- the test
def quiet_crons(env):
    """Only the absence job runs: no mail, SMS or other job leaves or loads the machine."""
    keep = env.ref(ABSENCE_CRON)
    env["ir.cron"].search([("id", "!=", keep.id)]).write({"active": False})
    keep.active = True


def in_threads(targets, delays, timeout):
    """Run each target in a thread of its own after its delay; wait at most ``timeout``
    seconds in all. Returns (seconds, errors, threads still running)."""
    errors = []

    def run(target, delay):
        time.sleep(delay)
        try:
            target()
        except CallError as exc:  # already counted with its call
            errors.append(str(exc))
        except Exception as exc:  # the client's own failure: counted apart
            errors.append(f"unexpected {type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=run, args=args, daemon=True)
        for args in zip(targets, delays, strict=True)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1, timeout - (time.monotonic() - start)))
    return time.monotonic() - start, errors, sum(thread.is_alive() for thread in threads)


def warm_up(args):
    """Each worker logs in and reads once before the test (a fresh database has no web
    assets yet; a running server has them): twice as many calls as workers, not counted."""
    url = f"http://127.0.0.1:{args.port}"

    def once():
        teacher = Teacher(url, args.database, "load_teacher_000", Stats(), 0)
        teacher.read(teacher.log_in())

    calls = [once] * (2 * args.workers)
    seconds, errors, _stuck = in_threads(calls, [0] * len(calls), 300)
    print(f"  warm-up: {len(calls)} logins and reads in {seconds:.1f} s, {len(errors)} errors")


def run_teachers(args, stats):
    url = f"http://127.0.0.1:{args.port}"
    teachers = [
        Teacher(url, args.database, f"load_teacher_{k:03d}", stats, args.think)
        for k in range(args.teachers)
    ]
    delays = [k * args.ramp / args.teachers for k in range(args.teachers)]
    seconds, failures, stuck = in_threads(
        [t.take_attendance for t in teachers], delays, args.timeout
    )
    return seconds, teachers, failures, stuck


def bench(env, args):
    print(f"Code: {code_version()}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"Building {args.teachers} teachers with a class of {CLASS_SIZE} and a session today")
    _campus, _teachers, sessions = timed(
        "built",
        lambda: teacher_classes(env, "Load", [CLASS_SIZE] * args.teachers, passwords=True),
    )
    quiet_crons(env)
    env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
    since = env.cr.fetchone()[0]
    env.cr.commit()
    sessions = sessions.ids
    registry = env.registry
    stats = Stats()
    workdir = tempfile.mkdtemp(prefix="bench_load_")
    log_path = os.path.join(workdir, "odoo.log")
    print(
        f"Odoo on 127.0.0.1:{args.port}, --workers={args.workers} "
        f"--max-cron-threads={args.cron_threads}; log {log_path}"
    )
    with open(log_path, "w") as log:
        server = start_server(args, workdir, log)
        try:
            warm_up(args)
            print(
                f"{args.teachers} teachers within {args.ramp} s, {args.think} s between taps",
                flush=True,
            )
            elapsed, teachers, failures, stuck = run_teachers(args, stats)
            print(
                f"  traffic over in {elapsed:.1f} s; {len(failures)} teachers stopped by an error"
            )
            if stuck:
                print(f"  {stuck} teachers still running after {args.timeout} s (counted as lost)")
            # a session whose teacher got an error before validating is not taken
            taken = [t.session for t in teachers if t.validated_at]
            last_validation = max((t.validated_at or 0) for t in teachers)
            waited, missing = wait_for_followups(registry, taken, args.wait)
            converged = time.time() - last_validation if last_validation else 0
            time.sleep(args.settle)  # a job still running would show a doubled write
        finally:
            stop_server(server)
    print(f"\nPer call ({sum(map(len, stats.seconds.values()))} calls):")
    print_latencies(stats)
    for failure in failures[:5]:
        print(f"  {failure[:300]}")
    errors = server_errors(log_path)
    print(f"Server log: {len(errors)} ERROR/CRITICAL lines")
    for line in errors[:10]:
        print(f"  {line[:300]}")

    print("\nFollow-up of the validations:")
    if missing:
        print(f"  NOT converged after {waited:.0f} s, still missing: {missing}")
    else:
        print(
            f"  converged: seen {converged:.1f} s after the last validation "
            f"({waited:.0f} s after the traffic)"
        )
    if len(taken) < len(sessions):
        print(f"  {len(sessions) - len(taken)} sessions not validated: their teacher got an error")
    with registry.cursor() as cr:
        results = check(cr, taken, since)
        delays = notice_delays(cr, taken)
    print(f"{'check':<62} {'expected':>8} {'lost':>5} {'doubled':>7}")
    for name, (expected, lost, doubled) in results.items():
        print(f"{name:<62} {expected:>8} {lost:>5} {doubled:>7}")
    if delays:
        after = [float(d[0]) for d in delays]
        print(
            f"Guardian notices recorded after their session's validation: p50 "
            f"{percentile(after, 50):.0f} s, max {max(after):.0f} s; the last one "
            f"{max(float(d[1]) for d in delays):.0f} s after the last validation "
            "(to the second)"
        )
    unexpected = sum(failure.startswith("unexpected") for failure in failures)
    total_errors = sum(map(len, stats.errors.values())) + unexpected + len(errors) + stuck
    bad = sum(lost + doubled for _expected, lost, doubled in results.values())
    slow = [name for name, v in stats.seconds.items() if name != "login" and percentile(v, 95) > 1]
    print(
        f"\nSummary: {total_errors} errors, {bad} lost or doubled writes, p95 over 1 s: "
        f"{', '.join(slow) or 'none'} (login aside); load average {os.getloadavg()[0]:.2f}"
    )
    if total_errors or bad or missing:
        print(f"The server's log is kept: {log_path}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))  # the server is stopped too

    def add_arguments(parser):
        parser.add_argument("--teachers", type=int, default=50)
        parser.add_argument("--ramp", type=float, default=30, help="seconds to log them all in")
        parser.add_argument("--think", type=float, default=1, help="seconds between two taps")
        parser.add_argument("--port", type=int, default=8469, help="(SMTP: the next one)")
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--cron-threads", type=int, default=1)
        parser.add_argument("--timeout", type=float, default=900, help="bound of the traffic")
        parser.add_argument("--wait", type=float, default=180, help="bound of the follow-up")
        parser.add_argument("--settle", type=float, default=5, help="seconds before the checks")

    main(__doc__, bench, add_arguments)
