"""What the benchmarks share: the command line, the timing of a step, a daily job run
batch by batch as the scheduler runs it, a group of campuses with their staff, a campus
of teachers with a class each, and the version of the code measured."""

import argparse
import os
import subprocess
import time
from datetime import date, datetime, timedelta

import odoo
from odoo import Command, api
from odoo.tools import config


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


def backend_cpu(pid):
    """CPU seconds used so far by process ``pid`` of this machine: the run time of
    /proc/<pid>/schedstat (nanoseconds) when the kernel keeps it, else utime + stime of
    /proc/<pid>/stat (clock ticks, 10 ms)."""
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CHUNK = 5000  # records per create() of the builders


def create_in_chunks(model, vals_list):
    """``model.create`` of ``vals_list`` in chunks of CHUNK, the caches emptied between
    (a long transaction with a full cache gets slower as it goes)."""
    records = model.browse()
    for first in range(0, len(vals_list), CHUNK):
        records |= model.create(vals_list[first : first + CHUNK])
        model.env.flush_all()
        model.env.invalidate_all()
    return records


def enrolled_classes(
    env,
    prefix,
    campuses,
    teachers,
    counselors,
    per_campus,
    date_start,
    class_size=30,
    head_teachers=False,
):
    """A course per campus and ``per_campus`` students on each, in classes of
    ``class_size`` taught by the campus's teacher (and with its counselor as head teacher
    when ``head_teachers``), each student followed by the campus's counselor and enrolled
    (active, 60 hours) from ``date_start``: ``(classes, students, members, enrollments)``,
    ``members`` the (class, student) of each enrolment, in order."""
    courses = env["training.course"].create(
        [
            {"name": f"Maths {c:02d}", "lesson_duration": 1.5, "company_id": campus.id}
            for c, campus in enumerate(campuses)
        ]
    )
    class_vals, plan = [], []  # plan: (campus index, first student of the class, size)
    for c, campus in enumerate(campuses):
        for first in range(0, per_campus, class_size):
            class_vals.append(
                {
                    "name": f"{prefix} class {c:02d}-{first:03d}",
                    "company_id": campus.id,
                    "course_id": courses[c].id,
                    "teacher_id": teachers[c].id,
                    **({"head_teacher_id": counselors[c].id} if head_teachers else {}),
                }
            )
            plan.append((c, first, min(class_size, per_campus - first)))
    classes = env["training.class"].create(class_vals)
    students = create_in_chunks(
        env["res.partner"],
        [
            {
                "name": f"{prefix} student {i:05d}",
                "is_student": True,
                "company_id": campuses[i // per_campus].id,
                "counselor_id": counselors[i // per_campus].id,
            }
            for i in range(per_campus * len(campuses))
        ],
    )
    members = [
        (klass, students[c * per_campus + first + k])
        for klass, (c, first, size) in zip(classes, plan, strict=True)
        for k in range(size)
    ]
    enrollments = create_in_chunks(
        env["training.enrollment"],
        [
            {
                "student_id": student.id,
                "class_id": klass.id,
                "company_id": klass.company_id.id,
                "date_start": date_start,
                "hours_purchased": 60,
                "state": "active",
            }
            for klass, student in members
        ],
    )
    return classes, students, members, enrollments


def run_batches(env, job, count=None):
    """Call ``job`` until it has nothing left: per batch (done, seconds, queries[, the
    growth of ``count()``])."""
    batches = []
    while True:
        queries = env.cr.sql_log_count
        before = count() if count else 0
        start = time.perf_counter()
        done = job()
        env.flush_all()
        if not done:
            return batches
        batch = (done, time.perf_counter() - start, env.cr.sql_log_count - queries)
        batches.append(batch + ((count() - before,) if count else ()))
        env.invalidate_all()


def print_batches(batches, unit, counted=None):
    for done, seconds, queries, *created in batches:
        extra = f" {created[0]:5d} {counted}" if counted else ""
        print(f"  batch of {done:4d} {unit} {seconds:6.2f} s {queries:6d} queries{extra}")
    total = f"  {len(batches)} batches, {sum(b[0] for b in batches)} {unit}: "
    total += f"{sum(b[1] for b in batches):.1f} s, {sum(b[2] for b in batches)} queries"
    if counted:
        total += f", {sum(b[3] for b in batches)} {counted} created"
    print(total)


def campuses_with_staff(env, prefix, count, *group_xmlids, per_campus=1):
    """``count`` campuses, and for each group ``per_campus`` users of it on each campus:
    ``(campuses, users of the first group, users of the second group, ...)``."""
    campuses = env["res.company"].create(
        [{"name": f"{prefix} campus {c:02d}"} for c in range(count)]
    )
    staff = []
    for xmlid in group_xmlids:
        group = env.ref(xmlid)
        staff.append(
            env["res.users"].create(
                [
                    {
                        "name": f"{prefix} {group.name} {c:02d}-{k}",
                        "login": f"{prefix.lower()}_{group.id}_{c:02d}_{k}",
                        "company_id": campus.id,
                        "company_ids": [Command.set(campus.ids)],
                        "groups_id": [Command.set(group.ids)],
                    }
                    for c, campus in enumerate(campuses)
                    for k in range(per_campus)
                ]
            )
        )
    return campuses, *staff


def main(doc, bench, add_arguments=None):
    """Parse ``-c ODOO_CONF -d DATABASE``, run ``bench(env, args)`` as superuser with
    tracking off, and roll everything back."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        bench(api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True}), args)
        cr.rollback()


def teacher_classes(env, prefix, sizes, passwords=False):
    """One campus with an attendance clerk, a campus manager and a counselor, and one
    class per entry of ``sizes`` with that many students, taught (and head-taught) by its
    own teacher, login ``<prefix>_teacher_<k>`` (password = login when ``passwords``).
    Every student has a guardian who receives the notices (e-mail and mobile) and an
    active enrolment since four weeks ago; last week's session of each class is validated
    with everybody present (today is not the first lesson) and today's is planned at the
    current hour, with the campus policy's defaults. Returns ``(campus, teachers, today's
    sessions)``, in the order of ``sizes``."""
    campus, _clerk, _manager, counselor = campuses_with_staff(
        env,
        prefix,
        1,
        "training_attendance.group_attendance_clerk",
        "training_attendance.group_manager",
        "training_attendance.group_counselor",
    )
    logins = [f"{prefix.lower()}_teacher_{k:03d}" for k in range(len(sizes))]
    teachers = env["res.users"].create(
        [
            {
                "name": f"{prefix} teacher {k:03d}",
                "login": login,
                "company_id": campus.id,
                "company_ids": [Command.set(campus.ids)],
                "groups_id": [Command.set(env.ref("training_attendance.group_teacher").ids)],
                **({"password": login} if passwords else {}),
            }
            for k, login in enumerate(logins)
        ]
    )
    course = env["training.course"].create(
        {"name": f"{prefix} course", "lesson_duration": 1.5, "company_id": campus.id}
    )
    classes = env["training.class"].create(
        [
            {
                "name": f"{prefix} class {k:03d}",
                "company_id": campus.id,
                "course_id": course.id,
                "teacher_id": teacher.id,
                "head_teacher_id": teacher.id,
            }
            for k, teacher in enumerate(teachers)
        ]
    )
    students = env["res.partner"].create(
        [
            {
                "name": f"{prefix} student {k:03d}-{i:03d}",
                "is_student": True,
                "company_id": campus.id,
                "counselor_id": counselor.id,
            }
            for k, size in enumerate(sizes)
            for i in range(size)
        ]
    )
    guardians = env["res.partner"].create(
        [
            {
                "name": f"Guardian of {student.name}",
                "email": f"guardian{student.id}@example.com",
                "mobile": f"+3247{student.id:07d}",
            }
            for student in students
        ]
    )
    env["training.guardian.link"].create(
        [
            {"student_id": s.id, "guardian_id": g.id, "is_primary": True}
            for s, g in zip(students, guardians, strict=True)
        ]
    )
    start = date.today() - timedelta(weeks=4)
    class_of = [klass for klass, size in zip(classes, sizes, strict=True) for _ in range(size)]
    env["training.enrollment"].create(
        [
            {
                "student_id": student.id,
                "class_id": klass.id,
                "company_id": campus.id,
                "date_contract": start,
                "date_start": start,
                "hours_purchased": 60,
                "state": "active",
            }
            for student, klass in zip(students, class_of, strict=True)
        ]
    )
    now = datetime.now().replace(minute=0, second=0, microsecond=0)

    def sessions_at(moment):
        return env["training.session"].create(
            [
                {"class_id": klass.id, "start": moment, "stop": moment + timedelta(hours=1.5)}
                for klass in classes
            ]
        )

    past = sessions_at(now - timedelta(weeks=1))
    for chunk in range(0, len(past), 50):
        batch = past[chunk : chunk + 50]
        batch.action_open()
        batch.action_mark_rest_present()
        batch.action_validate()
        env.flush_all()
        env.invalidate_all()
    # last week's follow-up done too (when validation leaves it to the absence job)
    run_batches(env, env["training.attendance.line"]._cron_process_absences)
    return campus, teachers, sessions_at(now)


def code_version():
    """The code measured: the commit of the checkout the addon is loaded from, and
    whether the addon had uncommitted changes (call it after ``main`` read the config)."""
    addon = odoo.modules.module.get_module_path("training_attendance")
    git = ["git", "-C", os.path.dirname(addon)]
    commit = subprocess.run([*git, "log", "-1", "--format=%h"], capture_output=True, text=True)
    if commit.returncode:
        return f"{addon} (not in a git checkout)"
    status = subprocess.run(
        [*git, "status", "--short", "--", addon], capture_output=True, text=True
    )
    changes = "uncommitted changes" if status.stdout.strip() else "no uncommitted change"
    return f"{addon} at commit {commit.stdout.strip()}, {changes}"
