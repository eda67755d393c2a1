"""What the benchmarks share: the command line, the timing of a step, a daily job run
batch by batch as the scheduler runs it, and a group of campuses with their staff."""

import argparse
import time

import odoo
from odoo import Command, api
from odoo.tools import config


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


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
