"""The teacher's flow on this addon and, when installed in the same database, on
OpenEduCat's attendance sheet (issue #12), side by side.

Ours, as the teacher, each step the call its button makes in the web client: open the
session (``action_open`` creates the lines), five taps Absent (``action_set_absent``),
one tap Late (``action_add_late``), ``action_mark_rest_present``, ``action_validate``.
OpenEduCat's (``openeducat_attendance``), as its faculty: the sheet saved with a line
per student (present by default), "Attendance Start", the sheet saved with five lines
absent and one late (its editable list has no button per line: the taps are one save),
"Attendance Taken". Neither side counts the form reload after each call.

Each call runs as a request does: a fresh cursor and environment as the user, the call,
then the commit. Committing, not rolling back: the next call sees what the previous one
wrote as in production, and the commit's own work (precommit tracking, post-commit cron
triggers) is counted. So that every run does the same work (a first absence for five
students, not a student's second and third), each run has its own class, built once and
committed. Measured per call: queries (``cr.sql_log_count``), CPU of this process
(``time.process_time``) plus CPU of its PostgreSQL backend (``pg_backend_pid()`` on this
machine, from /proc), wall time. Runs are interleaved (size after size, the two sides in
alternate order), after one warm-up run; the figures are medians.

Then, apart (the teacher does not wait for it), the absence job that the validation may
trigger in the background (cron ``ir_cron_process_absences``) is run once after each of
our runs, as the scheduler runs it: its server action as superuser.

Run through scripts/bench.sh teacher (OPENEDUCAT=/path/to/openeducat_erp for the
comparison), which creates and drops a fresh database:
    python3 benchmarks/bench_teacher.py -c ODOO_CONF -d DATABASE [--runs 7] [--sizes 10,30,60]
    python3 benchmarks/bench_teacher.py --check-addons ODOO_CONF OPENEDUCAT_FOLDER
"""

import ast
import configparser
import importlib.util
import os
import statistics
import sys
import time
from datetime import date

from bench_common import backend_cpu, code_version, main, teacher_classes, timed

import odoo
from odoo import Command, api

OEC_MODULE = "openeducat_attendance"
OURS_STEPS = (
    "open (creates the lines)",
    "5 x absent",
    "1 x late",
    "mark the rest present",
    "validate",
)
OEC_STEPS = (
    "save the sheet with its lines",
    "Attendance Start",
    "save 5 absent, 1 late",
    "Attendance Taken",
)
JOB = "absence job (background)"
ABSENCE_CRON = "training_attendance.ir_cron_process_absences"


# ---------------------------------------------------------------------------- measuring
def call(registry, uid, func):
    """``func(env)`` as a request runs a call: a fresh cursor and environment as ``uid``,
    the call, the commit. Returns ``(result, cost)`` with cost = [queries, CPU s of this
    process, CPU s of its PostgreSQL backend, wall s]."""
    wall, cpu = time.perf_counter(), time.process_time()
    with registry.cursor() as cr:
        pid = cr._cnx.get_backend_pid()  # asks libpq, no query
        pg, queries = backend_cpu(pid), cr.sql_log_count
        env = api.Environment(cr, uid, {"lang": "en_US"})
        result = func(env)
        cr.flush()  # what the commit flushes (precommit hooks included) is counted
        queries = cr.sql_log_count - queries
        cr.commit()
        pg = backend_cpu(pid) - pg
    return result, [queries, time.process_time() - cpu, pg, time.perf_counter() - wall]


class Steps(dict):
    """The costs of a flow's steps, summed per label."""

    def __init__(self, registry, uid):
        super().__init__()
        self.registry, self.uid = registry, uid

    def __call__(self, label, model, method, *args):
        """``model.method(*args)`` as JSON-RPC calls it (``call_kw``)."""
        return self.run(label, lambda env: api.call_kw(env[model], method, list(args), {}))

    def run(self, label, func):
        result, cost = call(self.registry, self.uid, func)
        self[label] = [a + b for a, b in zip(self.get(label, [0] * 4), cost, strict=True)]
        return result

    def total(self):
        self["total"] = [sum(cost[i] for cost in self.values()) for i in range(4)]
        return self


def ids_of(registry, query, *params):
    """Ids the web client already has from the form (not measured)."""
    with registry.cursor() as cr:
        cr.execute(query, params)
        return [row[0] for row in cr.fetchall()]


# ---------------------------------------------------------------------------- the flows
def our_flow(registry, teacher, session):
    """Ours as the teacher; then, apart, the absence job."""
    step, line = Steps(registry, teacher), "training.attendance.line"
    step(OURS_STEPS[0], "training.session", "action_open", [session])
    lines = ids_of(
        registry,
        "SELECT id FROM training_attendance_line WHERE session_id = %s ORDER BY student_name, id",
        session,
    )
    for absent in lines[:5]:
        step(OURS_STEPS[1], line, "action_set_absent", [absent])
    step(OURS_STEPS[2], line, "action_add_late", [lines[5]])
    step(OURS_STEPS[3], "training.session", "action_mark_rest_present", [session])
    step(OURS_STEPS[4], "training.session", "action_validate", [session])
    job = Steps(registry, odoo.SUPERUSER_ID)  # what the scheduler runs, once
    job.run(JOB, lambda env: env.ref(ABSENCE_CRON).ir_actions_server_id.run())
    return step.total(), job


def openeducat_flow(registry, faculty, faculty_id, register, students):
    """OpenEduCat's as its faculty."""
    step, model = Steps(registry, faculty), "op.attendance.sheet"
    vals = {
        "register_id": register,
        "faculty_id": faculty_id,
        "attendance_date": date.today().isoformat(),
        "attendance_line": [Command.create({"student_id": s, "present": True}) for s in students],
    }
    sheet = step(OEC_STEPS[0], model, "create", vals)
    step(OEC_STEPS[1], model, "attendance_start", [sheet])
    lines = ids_of(
        registry, "SELECT id FROM op_attendance_line WHERE attendance_id = %s ORDER BY id", sheet
    )
    taps = [Command.update(line, {"absent": True, "present": False}) for line in lines[:5]]
    taps.append(Command.update(lines[5], {"late": True, "present": False}))
    step(OEC_STEPS[2], model, "write", [sheet], {"attendance_line": taps})
    step(OEC_STEPS[3], model, "attendance_done", [sheet])
    return (step.total(),)


# ---------------------------------------------------------------------------- the data
def build_openeducat(env, sizes):
    """OpenEduCat's side: a faculty (attendance user), one course, and per entry of
    ``sizes`` a batch of that many students with its attendance register. Returns
    ``(faculty user id, op.faculty id, [(register id, student ids)])``."""
    user = env["res.users"].create(
        {
            "name": "OpenEduCat faculty",
            "login": "oec_faculty",
            "groups_id": [Command.set(env.ref(f"{OEC_MODULE}.group_op_attendance_user").ids)],
        }
    )
    faculty = env["op.faculty"].create(
        {
            "partner_id": user.partner_id.id,
            "first_name": "OpenEduCat",
            "last_name": "Faculty",
            "birth_date": date(1980, 1, 1),
            "gender": "female",
        }
    )
    course = env["op.course"].create({"name": "Bench course", "code": "BENCH"})
    batches = env["op.batch"].create(
        [
            {
                "code": f"B{k:03d}",
                "name": f"Bench batch {k:03d}",
                "course_id": course.id,
                "start_date": date(date.today().year, 1, 1),
                "end_date": date(date.today().year, 12, 31),
            }
            for k in range(len(sizes))
        ]
    )
    registers = env["op.attendance.register"].create(
        [
            {"name": f"R{k:03d}", "code": f"R{k:03d}", "course_id": course.id, "batch_id": b.id}
            for k, b in enumerate(batches)
        ]
    )
    classes = []
    for k, (batch, size) in enumerate(zip(batches, sizes, strict=True)):
        students = env["op.student"].create(
            [
                {
                    "name": f"OEC student {k:03d}-{i:03d}",
                    "first_name": "OEC",
                    "last_name": f"student {k:03d}-{i:03d}",
                    "course_detail_ids": [
                        Command.create({"course_id": course.id, "batch_id": batch.id})
                    ],
                }
                for i in range(size)
            ]
        )
        classes.append((registers[k].id, students.ids))
    return user.id, faculty.id, classes


# ---------------------------------------------------------------------------- printing
def medians(runs, key):
    """[queries, CPU ms (process + backend), of which backend, wall ms] of ``key``."""
    values = [run[key] for run in runs]
    return [
        statistics.median(v[0] for v in values),
        statistics.median((v[1] + v[2]) * 1000 for v in values),
        statistics.median(v[2] * 1000 for v in values),
        statistics.median(v[3] * 1000 for v in values),
    ]


def fmt(m):
    return f"{m[0]:5.0f} / {m[1]:6.1f} / {m[3]:6.1f}"


def print_steps(title, steps, results, sizes):
    print(f"\n{title}: queries / CPU ms (of which PostgreSQL) / wall ms, medians")
    print(f"  {'step':<32}" + "".join(f" | {size:>3} students{'':19}" for size in sizes))
    for step in (*steps, "total") if len(steps) > 1 else steps:
        row = [medians(results[size], step) for size in sizes]
        print(
            f"  {step:<32}"
            + "".join(f" | {m[0]:5.0f} / {m[1]:6.1f} ({m[2]:5.1f}) / {m[3]:6.1f}" for m in row)
        )


def bench(env, args):
    sizes, runs = args.sizes, args.runs
    with_oec = "op.attendance.sheet" in env.registry
    print(f"Code: {code_version()}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    per_class = [size for size in sizes for _ in range(runs + 1)]
    print(f"Building {len(per_class)} classes ({runs} runs + 1 warm-up per size {sizes})")
    _campus, teachers, sessions = timed(
        "ours built", lambda: teacher_classes(env, "Bench", per_class)
    )
    ours = list(zip(teachers.ids, sessions.ids, strict=True))
    if with_oec:
        *oec_user, oec = timed("OpenEduCat built", lambda: build_openeducat(env, per_class))
    env.cr.commit()
    registry = env.registry
    results = {side: {size: [] for size in sizes} for side in ("ours", "oec", "job")}
    for run in range(runs + 1):  # run 0 warms the caches up and is not counted
        for s, size in enumerate(sizes):
            k = s * (runs + 1) + run
            flows = [("ours", lambda k=k: our_flow(registry, *ours[k]))]
            if with_oec:
                flows.append(("oec", lambda k=k: openeducat_flow(registry, *oec_user, *oec[k])))
            for side, flow in flows if run % 2 else reversed(flows):
                costs, *job = flow()
                if run:
                    results[side][size].append(costs)
                    if job:
                        results["job"][size].append(job[0])
        print(f"  run {run or 'warm-up'} done", flush=True)

    print(f"\nThe teacher's flow, medians of {runs} interleaved runs (each call a fresh cursor")
    print("and a commit); CPU = this Odoo process + its PostgreSQL backend:")
    print(
        f"{'students':>8} | {'OpenEduCat queries / CPU ms / wall ms':<38}"
        f" | {'ours queries / CPU ms / wall ms':<32} | CPU ratio (ours / OpenEduCat)"
    )
    for size in sizes:
        mine = medians(results["ours"][size], "total")
        if with_oec:
            theirs = medians(results["oec"][size], "total")
            print(f"{size:>8} | {fmt(theirs):<38} | {fmt(mine):<32} | {mine[1] / theirs[1]:.1f}")
        else:
            print(f"{size:>8} | {'(not installed)':<38} | {fmt(mine):<32} |")
    if not with_oec:
        print(
            "For the comparison: OPENEDUCAT=/path/to/openeducat_erp scripts/bench.sh teacher "
            "(a checkout of branch 18.0 of https://github.com/openeducat/openeducat_erp)"
        )
    print_steps("Ours, per step", OURS_STEPS, results["ours"], sizes)
    if with_oec:
        print_steps("OpenEduCat, per step", OEC_STEPS, results["oec"], sizes)
    print_steps("Ours, after each run (not waited for)", (JOB,), results["job"], sizes)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")


# ---------------------------------------------------------------------------- addons check
def check_addons(conf, folder):
    """What ``openeducat_attendance`` in ``folder`` needs and the addons path of the Odoo
    configuration ``conf`` lacks: Odoo modules (its dependencies, recursively) and Python
    packages (declared, or imported by the modules of ``folder``). Prints them; returns
    the exit code."""
    parser = configparser.ConfigParser()
    parser.read(conf)
    paths = [p.strip() for p in parser["options"]["addons_path"].split(",")]
    todo, seen, modules, packages = [OEC_MODULE], set(), [], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = next(
            (os.path.join(p, name) for p in paths if os.path.isdir(os.path.join(p, name))), None
        )
        if not path or not os.path.isfile(os.path.join(path, "__manifest__.py")):
            modules.append(name)
            continue
        with open(os.path.join(path, "__manifest__.py")) as manifest:
            data = ast.literal_eval(manifest.read())
        todo += data.get("depends", [])
        wanted = set(data.get("external_dependencies", {}).get("python", []))
        if path.startswith(os.path.abspath(folder)):
            wanted |= imported_packages(path)
        packages |= {p for p in wanted if importlib.util.find_spec(p) is None}
    for name in modules:
        print(f"OpenEduCat needs the Odoo module '{name}', not found in {paths}")
    for name in sorted(packages):
        print(
            f"OpenEduCat needs the Python package '{name}': {sys.executable} -m pip install {name}"
        )
    if not modules and not packages:
        print(f"{OEC_MODULE}: its {len(seen)} modules and their Python packages are available")
    return 1 if modules or packages else 0


def imported_packages(path):
    """Top-level names imported by the Python files under ``path`` (odoo aside)."""
    names = set()
    for root, _dirs, files in os.walk(path):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as source:
                tree = ast.parse(source.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names.add(node.module.split(".")[0])
    return names - {"odoo"}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--check-addons":
        sys.exit(check_addons(sys.argv[2], sys.argv[3]))

    def add_arguments(parser):
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument(
            "--sizes", type=lambda s: [int(n) for n in s.split(",")], default=[10, 30, 60]
        )

    main(__doc__, bench, add_arguments)
