#!/usr/bin/env bash
# Provides what the scripts need, installing only what is missing; sourced by
# scripts/odoo_env.sh (bootstrap_all), or run on its own to prepare a machine:
#   scripts/bootstrap.sh
# - Odoo 18.0: $PYTHON (default python3) when it imports Odoo 18.0; else the repo's virtual
#   environment .venv (ignored by git), which is created from $PYTHON (3.10 to 3.12) with
#   Odoo 18.0 Community installed into it (editable, from .venv/src/odoo) the first time.
#   The source comes from ODOO_SRC: a local checkout or source archive (.tar.gz, .zip) of
#   Odoo 18.0, or a URL; by default Odoo's public 18.0 source (GitHub, else the nightly).
# - Debian packages (build headers when installing Odoo; postgresql when no server is
#   reachable; chromium for the browser tests; wkhtmltopdf for PDF reports): installed with
#   apt-get when the user is root, else listed in one message (needed ones stop the script).
# - PostgreSQL: see scripts/postgres.sh.
# Each install step prints one line with its duration (output in .data/setup.log); a second
# run finds everything in place and does nothing.

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ODOO_VENV=$REPO_ROOT/.venv
ODOO_VENV_SRC=$ODOO_VENV/src/odoo
ODOO_CONSTRAINTS=$REPO_ROOT/scripts/odoo-constraints.txt
SETUP_LOG=$REPO_ROOT/.data/setup.log
ODOO_DEFAULT_URLS=(
    https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz
    https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz
)
# shellcheck source=scripts/postgres.sh
declare -F pg_setup >/dev/null || source "$REPO_ROOT/scripts/postgres.sh"

# step WHAT CMD...: run CMD with its output in the setup log, on one line "WHAT ... done in
# N s"; on failure, show the end of its output and stop.
step() {
    local what=$1 t0=${EPOCHREALTIME/[.,]/} rc offset dt
    shift
    mkdir -p "$(dirname "$SETUP_LOG")"
    echo "=== $(date '+%F %T') $what" >> "$SETUP_LOG"
    offset=$(wc -c < "$SETUP_LOG")
    printf '%s ... ' "$what"
    set +e
    (set -e; "$@") >> "$SETUP_LOG" 2>&1 < /dev/null
    rc=$?
    set -e
    dt=$(((${EPOCHREALTIME/[.,]/} - t0) / 100000))
    if [ "$rc" -ne 0 ]; then
        printf 'FAILED after %d.%d s:\n' $((dt / 10)) $((dt % 10))
        tail -c +$((offset + 1)) "$SETUP_LOG" | tail -n 25 | sed 's/^/    /' >&2
        echo "(whole output: ${SETUP_LOG#"$REPO_ROOT"/})" >&2
        exit 1
    fi
    printf 'done in %d.%d s\n' $((dt / 10)) $((dt % 10))
}

# odoo18 PY: PY imports Odoo 18.0.
odoo18() {
    "$1" -c "import odoo.release as r; assert r.version_info[0] == 18" >/dev/null 2>&1
}

# --- Debian packages --------------------------------------------------------------------
PKG_NEEDED=() PKG_OPTIONAL=() PKG_WHY=()

# need_package needed|optional PACKAGE WHY [PROBE...]: note PACKAGE as missing unless a
# PROBE (a command, or an absolute path) exists or dpkg says it is installed.
need_package() {
    local kind=$1 pkg=$2 why=$3 probe
    shift 3
    for probe in "$@"; do
        if [[ $probe == /* ]]; then [ -e "$probe" ] && return 0; fi
        if [[ $probe != /* ]]; then command -v "$probe" >/dev/null 2>&1 && return 0; fi
    done
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q " installed$" && return 0
    if [ "$kind" = needed ]; then PKG_NEEDED+=("$pkg"); else PKG_OPTIONAL+=("$pkg"); fi
    PKG_WHY+=("$pkg ($why)")
}

# install_packages: apt-get install what need_package noted (root), else one message.
install_packages() {
    local all=("${PKG_NEEDED[@]}" "${PKG_OPTIONAL[@]}")
    [ ${#all[@]} -gt 0 ] || return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "Update Debian's package lists (apt-get update)" apt-get update -q
        step "Install Debian packages: ${all[*]}" \
            env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${all[@]}"
        return 0
    fi
    local list
    list=$(printf '%s, ' "${PKG_WHY[@]}")
    if [ ${#PKG_NEEDED[@]} -gt 0 ]; then
        echo "ERROR: missing Debian packages: ${list%, }. Install them as root, then run again:" >&2
    else
        echo "NOTE: missing Debian packages: ${list%, }. To install them as root:" >&2
    fi
    if command -v apt-get >/dev/null 2>&1; then
        echo "    sudo apt-get install -y ${all[*]}" >&2
    else
        echo "    (Debian's names: install their equivalents with this system's package manager)" >&2
    fi
    [ ${#PKG_NEEDED[@]} -eq 0 ] || exit 2
}

# --- Odoo 18.0 in .venv -----------------------------------------------------------------

# download URL FILE (with the base Python: no curl or wget needed)
download() {
    "$ODOO_BASE_PYTHON" - "$1" "$2" <<'PY'
import shutil, sys, urllib.request
url, dest = sys.argv[1:]
try:
    with urllib.request.urlopen(url, timeout=60) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)
except Exception as error:
    sys.exit(f"{url}: {error}")
PY
}

# download_default FILE: Odoo's public 18.0 source, from the first URL that answers.
download_default() {
    local url
    for url in "${ODOO_DEFAULT_URLS[@]}"; do
        download "$url" "$1" && return 0
    done
    echo "ERROR: could not download Odoo 18.0's source (no internet?). Set ODOO_SRC to a local" \
        "Odoo 18.0 checkout or source archive and run again, e.g." \
        "ODOO_SRC=~/odoo-18.0.tar.gz scripts/test.sh" >&2
    return 1
}

# is_odoo18_source DIR
is_odoo18_source() {
    grep -qE "^version_info = \(18, 0," "$1/odoo/release.py" 2>/dev/null
}

# unpack_source SRC: lay Odoo's source from SRC (a directory or an archive) in .venv/src/odoo.
# The official archives hold it under one top folder (odoo-18.0/), others at their top.
unpack_source() {
    local src=$1 tmp=$ODOO_VENV_SRC.partial root entries
    rm -rf "$tmp"
    mkdir -p "$tmp"
    if [ -d "$src" ]; then
        tar -C "$src" --exclude=.git -cf - . | tar -C "$tmp" -xf -
    elif "$ODOO_BASE_PYTHON" -c "import sys, zipfile; sys.exit(not zipfile.is_zipfile(sys.argv[1]))" "$src"; then
        "$ODOO_BASE_PYTHON" -m zipfile -e "$src" "$tmp"
    else
        tar -C "$tmp" -xf "$src"
    fi
    root=$tmp
    entries=("$tmp"/*)
    if [ ! -e "$tmp/setup.py" ] && [ ${#entries[@]} -eq 1 ] && [ -d "${entries[0]}" ]; then
        root=${entries[0]}
    fi
    if ! is_odoo18_source "$root"; then
        echo "ERROR: $src is not Odoo 18.0's source (no odoo/release.py of version 18.0 in it)." >&2
        rm -rf "$tmp"
        return 1
    fi
    mv "$root" "$ODOO_VENV_SRC"
    rm -rf "$tmp"
}

# fetch_source: Odoo's source in .venv/src/odoo, from ODOO_SRC or by default downloaded.
fetch_source() {
    local src=${ODOO_SRC:-} archive=$ODOO_VENV/src/odoo-18.0.download
    [ ! -f "$ODOO_VENV_SRC/odoo/release.py" ] || return 0
    mkdir -p "$ODOO_VENV/src"
    case "$src" in
        "")
            step "Download Odoo 18.0's public source (GitHub, else Odoo's nightly server)" \
                download_default "$archive"
            src=$archive
            ;;
        http://* | https://*)
            step "Download Odoo 18.0's source from $src" download "$src" "$archive"
            src=$archive
            ;;
        *)
            if [ ! -e "$src" ]; then
                echo "ERROR: ODOO_SRC=$src does not exist (a local Odoo 18.0 checkout or source archive)." >&2
                exit 2
            fi
            src=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
            if [ -d "$src" ] && ! is_odoo18_source "$src"; then
                echo "ERROR: ODOO_SRC=$src is not Odoo 18.0's source (no odoo/release.py of version 18.0)." >&2
                exit 2
            fi
            ;;
    esac
    step "$([ -d "$src" ] && echo Copy || echo Unpack) Odoo 18.0's source from $src into .venv/src/odoo (about 2 GB)" \
        unpack_source "$src"
    [ "$src" != "$archive" ] || rm -f "$archive"
}

# odoo_requirements FILE: Odoo's requirements.txt, with cbor2 5.4.2 (whose source archive
# builds as version 0.0.0) replaced by 5.4.6.
odoo_requirements() {
    sed -E 's/^cbor2==5\.4\.2([^0-9]|$)/cbor2==5.4.6\1/' "$ODOO_VENV_SRC/requirements.txt" > "$1"
}

# install_odoo: create .venv with $ODOO_BASE_PYTHON and install Odoo 18.0 into it.
install_odoo() {
    local vpy=$ODOO_VENV/bin/python stamps=$ODOO_VENV/.bootstrap t0=$SECONDS req sum
    fetch_source
    if [ ! -x "$vpy" ]; then
        step "Create the virtual environment .venv with $ODOO_BASE_PYTHON (Python $ODOO_BASE_VERSION)" \
            "$ODOO_BASE_PYTHON" -m venv "$ODOO_VENV"
    fi
    mkdir -p "$stamps"
    if ! cmp -s "$ODOO_CONSTRAINTS" "$stamps/tools"; then
        step "Install the pinned build tools into .venv ($(grep -E '^(pip|setuptools|wheel)==' "$ODOO_CONSTRAINTS" | paste -sd ' '))" \
            "$vpy" -m pip install --disable-pip-version-check -c "$ODOO_CONSTRAINTS" pip setuptools wheel
        cp "$ODOO_CONSTRAINTS" "$stamps/tools"
    fi
    req=$ODOO_VENV/src/requirements-odoo.txt
    odoo_requirements "$req"
    sum=$(cat "$req" "$ODOO_CONSTRAINTS" | cksum)
    if [ "$sum" != "$(cat "$stamps/requirements" 2>/dev/null)" ]; then
        step "Install Odoo's Python requirements into .venv (pinned; psycopg2 and python-ldap are built)" \
            "$vpy" -m pip install --disable-pip-version-check --no-build-isolation \
            -c "$ODOO_CONSTRAINTS" -r "$req"
        echo "$sum" > "$stamps/requirements"
    fi
    if ! odoo18 "$vpy"; then
        step "Install Odoo 18.0 into .venv (editable, from .venv/src/odoo)" \
            "$vpy" -m pip install --disable-pip-version-check --no-build-isolation --no-deps \
            --config-settings editable_mode=compat -e "$ODOO_VENV_SRC"
    fi
    if ! (cd / && odoo18 "$vpy"); then
        echo "ERROR: Odoo 18.0 is still not importable by $vpy; see ${SETUP_LOG#"$REPO_ROOT"/}." >&2
        exit 1
    fi
    touch "$stamps/complete"
    echo "Odoo 18.0 is installed in .venv ($((SECONDS - t0)) s in all); the scripts use it from now on."
}

# select_python: PYTHON imports Odoo 18.0 (as given, or .venv's); else ODOO_INSTALL=1 and
# ODOO_BASE_PYTHON is the Python to create .venv with.
select_python() {
    PYTHON=${PYTHON:-python3}
    ODOO_INSTALL=0
    odoo18 "$PYTHON" && return 0
    if [ -f "$ODOO_VENV/.bootstrap/complete" ] && odoo18 "$ODOO_VENV/bin/python"; then
        PYTHON=$ODOO_VENV/bin/python
        return 0
    fi
    ODOO_BASE_PYTHON=$(command -v "$PYTHON" || true)
    if [ -z "$ODOO_BASE_PYTHON" ]; then
        echo "ERROR: PYTHON=$PYTHON is not a Python interpreter (Python 3.11 is expected)." >&2
        exit 2
    fi
    ODOO_BASE_VERSION=$("$ODOO_BASE_PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    if ! "$ODOO_BASE_PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'; then
        echo "ERROR: Odoo 18.0 is not importable by $PYTHON, and Odoo 18.0 needs Python 3.10 to 3.12" \
            "to be installed, not $ODOO_BASE_VERSION: set PYTHON to another interpreter." >&2
        exit 2
    fi
    if [ -x "$ODOO_VENV/bin/python" ] && ! "$ODOO_VENV/bin/python" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'; then
        echo "ERROR: .venv holds a Python other than 3.10 to 3.12: remove .venv and run again." >&2
        exit 2
    fi
    ODOO_INSTALL=1
    echo "Odoo 18.0 is not importable by $PYTHON: installing it into .venv (once, several minutes;" \
        "details in ${SETUP_LOG#"$REPO_ROOT"/})."
}

# bootstrap_all: PYTHON imports Odoo 18.0 and the PG* variables name a usable
# PostgreSQL server, installing and starting only what is missing.
bootstrap_all() {
    local pyver include
    select_python
    if [ "$ODOO_INSTALL" = 1 ]; then
        pyver=${ODOO_BASE_VERSION%.*}
        include=$("$ODOO_BASE_PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
        need_package needed build-essential "C compiler for psycopg2 and python-ldap" gcc
        need_package needed "python$pyver-dev" "Python headers" "$include/Python.h"
        need_package needed "python$pyver-venv" "virtual environments" \
            "$("$ODOO_BASE_PYTHON" -c 'import ensurepip, os; print(os.path.dirname(ensurepip.__file__))' 2>/dev/null || echo /nonexistent)"
        need_package needed libpq-dev "to build psycopg2" pg_config
        need_package needed libldap2-dev "to build python-ldap" /usr/include/ldap.h
        need_package needed libsasl2-dev "to build python-ldap" /usr/include/sasl/sasl.h
    fi
    if [ "${PRIVATE_PG:-}" != 1 ] && pg_env_given; then
        need_package needed postgresql-client "psql, createdb, dropdb" psql
    elif ! command -v psql >/dev/null 2>&1; then
        need_package needed postgresql "PostgreSQL: no server found" psql
    elif [ "${PRIVATE_PG:-}" = 1 ] || ! pg_usable; then
        pg_bindir >/dev/null || need_package needed postgresql "PostgreSQL server: none is reachable"
    fi
    if [ "${NEEDS_BROWSER:-}" = 1 ]; then
        need_package optional chromium "browser tests, skipped without it" \
            chromium chromium-browser google-chrome google-chrome-stable
    fi
    need_package optional wkhtmltopdf "PDF reports, else printed as HTML" wkhtmltopdf
    install_packages
    if [ "$ODOO_INSTALL" = 1 ]; then
        install_odoo
        PYTHON=$ODOO_VENV/bin/python
    fi
    pg_setup
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    bootstrap_all
    echo "Odoo 18.0: PYTHON=$PYTHON"
    echo "PostgreSQL: PGHOST=${PGHOST:-(local socket)} PGPORT=${PGPORT:-(default)}"
fi
