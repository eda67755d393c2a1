#!/usr/bin/env bash
# Benchmarks on a fresh database (created and dropped here).
#   scripts/bench.sh [attendance|followup|retention] [options of that benchmark]
# attendance (default): the teacher's hot path and the end-of-day absence job
#   (--case campus|group|all); followup: the counselor cadence job over 20,000
#   students; retention: the churn-risk job over 20,000 students.
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
cd "$REPO_ROOT"
BENCH=attendance
case "${1:-}" in
    attendance | followup | retention) BENCH=$1; shift ;;
esac
WORK=$(mktemp -d)
DB="ta_bench_$(date +%Y%m%d%H%M%S)_$$"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
write_odoo_conf "$WORK/odoo.conf" 8269
"$PYTHON" -m odoo -c "$WORK/odoo.conf" -d "$DB" -i training_attendance --stop-after-init \
    --without-demo=all --log-level=warn
"$PYTHON" "benchmarks/bench_$BENCH.py" -c "$WORK/odoo.conf" -d "$DB" "$@"
