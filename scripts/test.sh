#!/usr/bin/env bash
# Runs every test of the repo: ruff and pylint-odoo, a clean install with and without demo
# data, the addon's tests with Odoo's own runner on the database with demo data, then again
# with pytest-odoo (browser tours included) on the database without demo data.
set -euo pipefail
NEEDS_BROWSER=1 # the tours run in Chromium: the bootstrap checks that it is installed
# shellcheck source=scripts/odoo_env.sh
source "$(dirname "$0")/odoo_env.sh"
cd "$REPO_ROOT"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-test.txt \
    -r requirements.txt

# the PDF reports: Odoo renders them with wkhtmltopdf (installed by the bootstrap as root)
if command -v wkhtmltopdf >/dev/null 2>&1; then
    echo "wkhtmltopdf: $(command -v wkhtmltopdf) ($(wkhtmltopdf --version 2>/dev/null)):" \
        "the monthly report's PDF test renders real PDFs"
else
    echo "wkhtmltopdf: not found (Debian package wkhtmltopdf): reports are tested as HTML," \
        "the PDF rendering test is skipped"
fi

echo "== Static checks"
"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .
"$PYTHON" -m pylint --rcfile=.pylintrc-mandatory training_attendance
"$PYTHON" scripts/gen_readme.py --check

WORK=$(mktemp -d)
DB="ta_test_$(date +%Y%m%d%H%M%S)_$$"
cleanup() {
    for db in "$DB" "${DB}_demo"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
# two configurations: the two test runs below go side by side, each with its HTTP port
write_odoo_conf "$WORK/odoo.conf" "${TEST_HTTP_PORT:-8169}"
write_odoo_conf "$WORK/odoo-runner.conf" "$((${TEST_HTTP_PORT:-8169} + 1))"

# install DB [odoo options...]: install the addon; any WARNING or ERROR in the log fails.
install() {
    local db=$1; shift
    # payment_demo: Odoo's demo payment provider, for the test of an online payment
    if ! "$PYTHON" -m odoo -c "$WORK/odoo.conf" -d "$db" -i training_attendance,payment_demo \
        --stop-after-init --log-level=warn "$@" > "$WORK/$db.log" 2>&1 \
        || grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/$db.log"; then
        echo "FAILED: installing training_attendance in $db" >&2
        tail -n 40 "$WORK/$db.log" >&2
        exit 1
    fi
    echo "clean install: $db $*"
}

# odoo_tests DB: Odoo's own test runner (--test-enable), as OCA's CI runs it, on the
# installed database: our tests are post_install, so they run without installing again.
# Fails on a non-zero exit, any ERROR or CRITICAL line (a failing test logs "ERROR ...
# FAIL: ..." or "ERROR ... ERROR: ...") or a final summary other than "0 failed, 0
# error(s) of N tests" with N > 0.
odoo_tests() {
    local db=$1 log="$WORK/$1.tests.log" rc=0 summary
    "$PYTHON" -m odoo -c "$WORK/odoo-runner.conf" -d "$db" --test-enable \
        --test-tags /training_attendance --stop-after-init --log-level=info > "$log" 2>&1 || rc=$?
    summary=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database" \
        "$log" | tail -n 1 || true)
    if [ "$rc" -ne 0 ] || grep -qE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$log" \
        || ! grep -qE "^0 failed, 0 error\(s\) of [1-9][0-9]* tests" <<< "$summary"; then
        echo "FAILED: Odoo tests on $db (exit code $rc): ${summary:-no summary line}" >&2
        # each ERROR or CRITICAL line with its traceback
        awk '/^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) /{p=1; print; next}
             /^[0-9-]+ [0-9:,]+ [0-9]+ /{p=0} p' "$log" >&2
        tail -n 5 "$log" >&2
        exit 1
    fi
    echo "Odoo tests on $db: $summary"
}

# side DESCRIPTION COMMAND...: run COMMAND in the background, its output in a file of its own
side() {
    local name=$1; shift
    ( "$@" ) > "$WORK/$name.out" 2>&1 &
    echo $! > "$WORK/$name.pid"
}
# joined NAME: wait for a side run, print its output; its exit code
joined() {
    local rc=0
    wait "$(cat "$WORK/$1.pid")" || rc=$?
    cat "$WORK/$1.out"
    return "$rc"
}

# The two databases are installed, then tested, side by side (the machine's two cores):
# each step's outputs are printed once both are done, and either failing fails the command.
echo "== Install on fresh databases"
side install_demo install "${DB}_demo"
side install_plain install "$DB" --without-demo=all
rc=0
joined install_demo || rc=$?
joined install_plain || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

echo "== Odoo tests: Odoo's runner (--test-enable) on the database with demo data, and"
echo "   pytest-odoo (tours in headless Chromium) on the database without, side by side"
side runner odoo_tests "${DB}_demo"
side pytest "$PYTHON" -m pytest --odoo-config="$WORK/odoo.conf" --odoo-database="$DB" \
    --odoo-http --odoo-log-level=warn "$@" training_attendance/tests
rc=0
echo "-- Odoo's runner, database with demo data"
joined runner || rc=$?
echo "-- pytest-odoo, database without demo data"
joined pytest || rc=$?
exit "$rc"
