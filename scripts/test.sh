#!/usr/bin/env bash
# The project's test command (README, .ci/run): the whole workspace with the
# service on SQLite, then the service's HTTP suite again on PostgreSQL.
#
# PostgreSQL: the server APPTCTL_TEST_POSTGRES_URL names (a maintenance
# database URL; each test creates and drops a database of its own), or, when
# unset, a throwaway one on loopback started by scripts/pg-local.sh.
# Extra arguments go to both `cargo test` runs (e.g. a test name filter).
set -euo pipefail

cd "$(dirname "$0")/.."

if [ -z "${APPTCTL_TEST_POSTGRES_URL:-}" ]; then
    eval "$(scripts/pg-local.sh start)"
    trap 'scripts/pg-local.sh stop' EXIT
fi
export APPTCTL_TEST_POSTGRES_URL

echo "== the workspace, service on SQLite (PostgreSQL-only tests on $APPTCTL_TEST_POSTGRES_URL)"
cargo test --workspace "$@"

echo "== the service's HTTP suite on PostgreSQL"
APPTCTL_TEST_BACKEND=postgres cargo test -p apptctl-server --test '*' "$@"
