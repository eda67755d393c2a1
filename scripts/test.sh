#!/usr/bin/env bash
# Runs every test of the repo: ruff and pylint-odoo, a clean install with and without demo
# data, then the addon's Odoo tests (browser tours included) on a fresh database.
set -euo pipefail
source "$(dirname "$0")/odoo_env.sh"
cd "$REPO_ROOT"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

echo "== Static checks"
"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .
"$PYTHON" -m pylint --rcfile=.pylintrc-mandatory training_attendance

WORK=$(mktemp -d)
DB="ta_test_$(date +%Y%m%d%H%M%S)_$$"
cleanup() {
    for db in "$DB" "${DB}_demo"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
write_odoo_conf "$WORK/odoo.conf" "${TEST_HTTP_PORT:-8169}"

# install DB [odoo options...]: install the addon; any WARNING or ERROR in the log fails.
install() {
    local db=$1; shift
    if ! "$PYTHON" -m odoo -c "$WORK/odoo.conf" -d "$db" -i training_attendance \
        --stop-after-init --log-level=warn "$@" > "$WORK/$db.log" 2>&1 \
        || grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/$db.log"; then
        echo "FAILED: installing training_attendance in $db" >&2
        tail -n 40 "$WORK/$db.log" >&2
        exit 1
    fi
    echo "clean install: $db $*"
}

echo "== Install on fresh databases"
install "${DB}_demo"
dropdb --if-exists "${DB}_demo"
install "$DB" --without-demo=all

echo "== Odoo tests (pytest-odoo, tours in headless Chromium)"
"$PYTHON" -m pytest --odoo-config="$WORK/odoo.conf" --odoo-database="$DB" --odoo-http \
    --odoo-log-level=warn "$@" training_attendance/tests
