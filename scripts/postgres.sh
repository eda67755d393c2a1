#!/usr/bin/env bash
# PostgreSQL for the scripts: an existing server is always preferred (the one that the usual
# PG* variables name, else the local socket); when there is none, a private cluster of this
# repo in .data/postgres (ignored by git), on a Unix socket in that folder only (no TCP port),
# with the current user as superuser. It is left running for the next command.
#   scripts/postgres.sh status | start | stop      (PRIVATE_PG=1: always the private cluster)
# PostgreSQL refuses to run as root: for root, the private cluster runs as the system user
# `postgres` (created by Debian's postgresql package), with `root` as its superuser role.
# Sourced by scripts/bootstrap.sh (functions pg_*), or run on its own as above.

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PG_PRIVATE_PORT=5432 # only names the socket file (.s.PGSQL.5432): the cluster listens on no TCP port

# pg_env_given: the user names a server through the usual PG* variables.
pg_env_given() {
    [ -n "${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGUSER:-}${PGPASSWORD:-}${PGSERVICE:-}" ]
}

# pg_usable: a server accepts the current settings (PG* or the local socket). Sets PG_ERROR.
pg_usable() {
    PG_ERROR=$(PGCONNECT_TIMEOUT=5 psql -XAtq -d postgres -c "SELECT 1" 2>&1 >/dev/null) && return 0
    PG_ERROR=$(head -n 1 <<< "${PG_ERROR#psql: error: }")
    return 1
}

# pg_bindir: prints the folder of PostgreSQL's server programs (initdb, pg_ctl, postgres):
# PG_BINDIR if set, else initdb's on the PATH, else Debian's newest /usr/lib/postgresql/*/bin.
pg_bindir() {
    local dir
    for dir in "${PG_BINDIR:-}" "$(dirname "$(readlink -f "$(command -v initdb)" 2>/dev/null || echo /none/x)")" \
        $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# pg_private_dir: the private cluster's folder (data in data/, socket and log beside it).
# Root's cluster runs as `postgres`, which must reach the folder: when the repo is not
# readable by it (say under /root), the cluster goes to a folder of its own in postgres's
# home instead, named after the repo's path.
pg_private_dir() {
    local dir=$REPO_ROOT/.data/postgres
    if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
        mkdir -p "$REPO_ROOT/.data"
        if ! runuser -u postgres -- test -x "$REPO_ROOT/.data" 2>/dev/null; then
            dir="$(getent passwd postgres | cut -d: -f6)/training_attendance-$(cksum <<< "$REPO_ROOT" | cut -d' ' -f1)"
        fi
    fi
    echo "$dir"
}

# pg_as_owner CMD...: run a server program as the cluster's owner (postgres for root).
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# pg_private_init DIR BINDIR: create the cluster (superuser: the current user, trusted on
# the socket, which only the owner's folder holds).
pg_private_init() {
    local dir=$1 bindir=$2
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    pg_as_owner "$bindir/initdb" -D "$dir/data" -U "$(id -un)" --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8
    cat >> "$dir/data/postgresql.conf" <<CONF

# Private cluster of training_attendance's scripts (scripts/postgres.sh)
listen_addresses = ''
unix_socket_directories = '$dir'
port = $PG_PRIVATE_PORT
# a development cluster: a crash may lose the last commits, never the database's consistency
synchronous_commit = off
CONF
}

# pg_private_use: point the PG* variables at the private cluster, creating and starting it
# when needed (it stays running; `scripts/postgres.sh stop` stops it).
pg_private_use() {
    local dir bindir
    dir=$(pg_private_dir)
    if [ $((${#dir} + 20)) -gt 107 ]; then
        echo "ERROR: the private PostgreSQL cluster's socket path under $dir is too long for a Unix" \
            "socket: move the repo to a shorter path, or point the PG* variables at a server." >&2
        exit 2
    fi
    unset PGHOSTADDR PGUSER PGPASSWORD PGSERVICE
    export PGHOST=$dir PGPORT=$PG_PRIVATE_PORT
    if pg_usable; then
        echo "PostgreSQL: the private cluster in $dir (stop it with: scripts/postgres.sh stop)"
        return 0
    fi
    if ! bindir=$(pg_bindir); then
        echo "ERROR: no PostgreSQL server is reachable and PostgreSQL's server programs (initdb," \
            "pg_ctl) are missing: install the Debian package 'postgresql' (as root:" \
            "apt-get install postgresql), or point the PG* variables at a server." >&2
        exit 2
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "ERROR: PostgreSQL refuses to run as root, and there is no system user 'postgres' to" \
            "run the private cluster (Debian's package postgresql creates it)." >&2
        exit 2
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        step "Create a private PostgreSQL cluster in $dir (PostgreSQL $("$bindir/postgres" --version | awk '{print $3}'), superuser $(id -un))" \
            pg_private_init "$dir" "$bindir"
    fi
    step "Start the private PostgreSQL cluster (socket in $dir, no TCP port)" \
        pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgresql.log" -w -t 60 start
    pg_usable || { echo "ERROR: the private PostgreSQL cluster does not answer: $PG_ERROR (log: $dir/postgresql.log)" >&2; exit 2; }
    echo "PostgreSQL: the private cluster in $dir is left running for the next command;" \
        "stop it with: scripts/postgres.sh stop"
}

# pg_setup: make the PG* variables name a usable server (see the top of this file).
pg_setup() {
    if [ "${PRIVATE_PG:-}" = 1 ]; then
        pg_private_use
    elif pg_env_given; then
        if ! pg_usable; then
            echo "ERROR: the PostgreSQL server that the PG* variables name" \
                "($(env | grep -E '^PG(HOST|HOSTADDR|PORT|USER|SERVICE)=' | paste -sd ' ')) is not usable: $PG_ERROR" >&2
            exit 2
        fi
    elif ! pg_usable; then
        if pg_isready -q >/dev/null 2>&1; then
            echo "PostgreSQL on the local socket refuses user $(id -un) ($PG_ERROR); using a private" \
                "cluster instead (to use that server: sudo -u postgres createuser --superuser $(id -un))"
        fi
        pg_private_use
    fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    # shellcheck source=scripts/bootstrap.sh
    declare -F step >/dev/null || source "$REPO_ROOT/scripts/bootstrap.sh" # for step
    dir=$(pg_private_dir)
    case "${1:-status}" in
        start) PRIVATE_PG=1 pg_setup ;;
        stop)
            if [ -f "$dir/data/postmaster.pid" ] && bindir=$(pg_bindir); then
                step "Stop the private PostgreSQL cluster in $dir" \
                    pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop
            else
                echo "The private PostgreSQL cluster in $dir is not running."
            fi
            ;;
        status)
            if PGHOST=$dir PGPORT=$PG_PRIVATE_PORT pg_usable; then
                echo "The private PostgreSQL cluster in $dir is running (PGHOST=$dir PGPORT=$PG_PRIVATE_PORT)."
            else
                echo "The private PostgreSQL cluster in $dir is not running."
            fi
            ;;
        *)
            echo "usage: scripts/postgres.sh [status|start|stop]" >&2
            exit 2
            ;;
    esac
fi
