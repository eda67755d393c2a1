#!/usr/bin/env bash
# Benchmarks on a fresh database (created and dropped here).
#   scripts/bench.sh [attendance|followup|retention|teacher|load|roster|monthly] [options of that benchmark]
# attendance (default): the teacher's hot path and the end-of-day absence job
#   (--case campus|group|all); followup: the counselor cadence job over 20,000
#   students; retention: the churn-risk job over 20,000 students;
#   teacher: the teacher's flow for 10, 30 and 60 students (--runs 7 --sizes 10,30,60),
#   side by side with OpenEduCat's attendance sheet when OPENEDUCAT names the addons
#   folder of an openeducat_erp 18.0 checkout (installed in the same database);
#   load: N teachers at once through JSON-RPC on Odoo started with --workers=4
#   (--teachers 50 --ramp 30 --think 1 --port 8469 --wait 180);
#   roster: a month's duty roster for 50 campuses and the duty reminder job.
#   monthly: the monthly report job, each batch rendered by one wkhtmltopdf per CPU at once
#   (--students 20000 --campuses 50 --batch 100 --batches 5; --batches 0 renders all;
#   --compare now,odoo: batches in turn as the job renders and as Odoo would, one at a time).
# BENCH_DB_PREFIX names the database (default ta_bench).
set -euo pipefail
# shellcheck source=scripts/odoo_env.sh
source "$(dirname "$0")/odoo_env.sh"
cd "$REPO_ROOT"
BENCH=attendance
case "${1:-}" in
    attendance | followup | retention | teacher | load | roster | monthly) BENCH=$1; shift ;;
esac
WORK=$(mktemp -d)
DB="${BENCH_DB_PREFIX:-ta_bench}_$(date +%Y%m%d%H%M%S)_$$"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
write_odoo_conf "$WORK/odoo.conf" 8269
MODULES=training_attendance
if [ "$BENCH" = teacher ] && [ -n "${OPENEDUCAT:-}" ]; then
    if [ ! -f "$OPENEDUCAT/openeducat_attendance/__manifest__.py" ]; then
        echo "ERROR: OPENEDUCAT=$OPENEDUCAT is not the addons folder of openeducat_erp 18.0" \
            "(no openeducat_attendance in it)." >&2
        exit 2
    fi
    sed -i "s|^addons_path *=.*|&,$(cd "$OPENEDUCAT" && pwd)|" "$WORK/odoo.conf"
    # stops, naming what is missing, when its dependencies are not all available
    "$PYTHON" benchmarks/bench_teacher.py --check-addons "$WORK/odoo.conf" "$OPENEDUCAT"
    MODULES=$MODULES,openeducat_attendance
fi
"$PYTHON" -m odoo -c "$WORK/odoo.conf" -d "$DB" -i "$MODULES" --stop-after-init \
    --without-demo=all --log-level=warn
"$PYTHON" "benchmarks/bench_$BENCH.py" -c "$WORK/odoo.conf" -d "$DB" "$@"
