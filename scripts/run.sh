#!/usr/bin/env bash
# Runs the addon: creates (if absent) a database with training_attendance and its demo data,
# then serves Odoo on localhost. Usage: scripts/run.sh [DATABASE] (default training_demo).
set -euo pipefail
# shellcheck source=scripts/odoo_env.sh
source "$(dirname "$0")/odoo_env.sh"
cd "$REPO_ROOT"
DB=${1:-training_demo}
PORT=${PORT:-8069}
CONF="$REPO_ROOT/.odoo-run.conf"
write_odoo_conf "$CONF" "$PORT"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements.txt

if ! psql -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" postgres | grep -q 1; then
    echo "Creating database $DB with training_attendance and its demo data (about a minute)..."
    # payment_demo: Odoo's demo payment provider, so that the demo guardian can pay online
    "$PYTHON" -m odoo -c "$CONF" -d "$DB" -i training_attendance,payment_demo \
        --stop-after-init --log-level=warn
fi
echo
echo "Odoo with training_attendance: http://localhost:$PORT/odoo?db=$DB"
echo "  administrator (campus manager): admin / admin"
echo "  teacher1, teacher2, counselor, clerk, supervisor, director, finance (password = login)"
echo "  guardian in the portal: parent / parent"
echo
exec "$PYTHON" -m odoo -c "$CONF" -d "$DB" --db-filter="^${DB}\$"
