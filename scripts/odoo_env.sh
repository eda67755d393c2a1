# shellcheck shell=bash
# Shared by scripts/test.sh, scripts/run.sh and scripts/bench.sh (sourced, not run).
# Provides Odoo 18.0 and PostgreSQL, installing or starting only what is missing
# (scripts/bootstrap.sh, scripts/postgres.sh), and writes an Odoo configuration for this repo.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/bootstrap.sh
source "$REPO_ROOT/scripts/bootstrap.sh"
bootstrap_all # sets PYTHON (an interpreter with Odoo 18.0) and the PG* variables if needed

# Odoo's own addons: odoo/addons, and the source's top addons/ folder when it holds them
# (a git checkout or GitHub archive keeps web, mail, ... there, the nightly in odoo/addons).
ODOO_CORE_ADDONS=$("$PYTHON" -c "
import os, odoo
core = os.path.join(os.path.dirname(odoo.__file__), 'addons')
top = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), 'addons')
web = lambda path: os.path.isdir(os.path.join(path, 'web'))
print(core + (',' + top if not web(core) and web(top) else ''))")

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
