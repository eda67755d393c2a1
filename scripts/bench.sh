#!/usr/bin/env bash
# Benchmark of the attendance hot path on a fresh database (created and dropped here).
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
cd "$REPO_ROOT"
WORK=$(mktemp -d)
DB="ta_bench_$(date +%Y%m%d%H%M%S)_$$"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
write_odoo_conf "$WORK/odoo.conf" 8269
"$PYTHON" -m odoo -c "$WORK/odoo.conf" -d "$DB" -i training_attendance --stop-after-init \
    --without-demo=all --log-level=warn
"$PYTHON" benchmarks/bench_attendance.py -c "$WORK/odoo.conf" -d "$DB" "$@"
