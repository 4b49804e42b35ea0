#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests and benchmarks, from
# the machine's PostgreSQL binaries (Debian: apt-get install postgresql).
#
#   eval "$(scripts/pg-local.sh start)"   # exports APPTCTL_TEST_POSTGRES_URL
#   scripts/pg-local.sh stop
#
# The cluster lives in target/pg-local (APPTCTL_PG_DIR overrides), listens on
# 127.0.0.1 only, on a free port, with trust authentication and fsync off:
# fast, and never for data anyone keeps.
set -euo pipefail

cd "$(dirname "$0")/.."
dir="${APPTCTL_PG_DIR:-$PWD/target/pg-local}"
data="$dir/data"

bindir() {
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
        echo "pg-local: no PostgreSQL server binaries (initdb) found;" \
            "install them: apt-get install postgresql" >&2
        exit 1
    fi
    echo "$found"
}

# initdb and postgres refuse to run as root: run them as the `postgres`
# account the Debian package creates.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local bin port
    bin=$(bindir)
    stop_quietly
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$dir"
    fi
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2 || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "$port" >"$dir/port"
    echo "export APPTCTL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
}

stop_quietly() {
    if [ -f "$data/postmaster.pid" ]; then
        as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

case "${1:-}" in
start) start ;;
stop) stop_quietly ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
