# Shared by scripts/test.sh, scripts/run.sh and scripts/bench.sh (sourced, not run).
# Checks that Odoo 18.0 is importable and writes an Odoo configuration for this repo.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c "import odoo.release as r; assert r.version_info[0] == 18" >/dev/null 2>&1; then
    echo "ERROR: Odoo 18.0 is not importable by '$PYTHON' (import odoo failed or is not 18.0)." \
        "Install Odoo 18.0 Community into this Python as README.md 'Prerequisites' says, then run again." >&2
    exit 2
fi

ODOO_CORE_ADDONS=$("$PYTHON" -c "import os, odoo; print(os.path.join(os.path.dirname(odoo.__file__), 'addons'))")

# write_odoo_conf FILE HTTP_PORT: database settings come from the usual PG* variables.
write_odoo_conf() {
    cat > "$1" <<CONF
[options]
addons_path = ${ODOO_CORE_ADDONS},${REPO_ROOT}
db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER:-False}
db_password = ${PGPASSWORD:-False}
http_port = $2
http_interface = 127.0.0.1
data_dir = ${ODOO_DATA_DIR:-$HOME/.local/share/Odoo}
CONF
}
