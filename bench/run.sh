#!/usr/bin/env bash
# The apptctl benchmark: apptctl against the curl loops people write without
# it, and against the server's ceiling, each pair measured in the same run.
#
#   bench/run.sh                                  # full run: 100,000 records
#   RECORDS=5000 SMALL_LIST=1000 CANCELS=1000 OHA_SECONDS=3 bench/run.sh   # short
#   POSTGRES=0 bench/run.sh                       # SQLite only
#
# The server rows are measured a second time with the service on PostgreSQL
# (a throwaway cluster from scripts/pg-local.sh, fsync off), in the same run
# so that the two backends' figures share the machine's load, and once more
# with two production instances on one PostgreSQL database.
#
# Figures land in $OUT (default bench/out): results.json, results.md and the
# raw output of every tool. Traffic goes to 127.0.0.1 only. Installs what is
# missing (Debian packages; oha through cargo) and builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-100000}
CANCELS=${CANCELS:-10000}
SMALL_LIST=${SMALL_LIST:-10000}
OHA_SECONDS=${OHA_SECONDS:-10}
OUT=${OUT:-bench/out}
BIN=target/release/apptctl
POSTGRES=${POSTGRES:-1}
OTP=123456
PG_DIR=$PWD/target/pg-bench

mkdir -p "$OUT"
work=$(mktemp -d)
pg_started=
# Servers start in command substitutions (subshells), so their pids are
# kept in files, not in a variable of this shell.
cleanup() {
  local pid_file
  for pid_file in "$work"/*.pid; do
    [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  [ -z "$pg_started" ] || APPTCTL_PG_DIR=$PG_DIR scripts/pg-local.sh stop
  rm -rf "$work"
}
trap cleanup EXIT

# The CLI's credentials and batch journals stay in the run's own directory.
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
unset APPTCTL_TOKEN APPTCTL_SERVER APPTCTL_PROFILE

log() { printf '== %s\n' "$*" >&2; }
now() { date +%s.%N; }
calc() { echo "$*" | bc -l; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# ticks PID...: their CPU ticks together (a process gone counts nothing).
ticks() {
  local pid
  for pid in "$@"; do cpu_ticks "$pid" 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'
}
peak_mib() { awk -F': ' '/Maximum resident/ {printf "%.1f", $2 / 1024}' "$1"; }

install_tools() {
  local missing=()
  command -v hyperfine >/dev/null || missing+=(hyperfine)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  command -v bc >/dev/null || missing+=(bc)
  [ -x /usr/bin/time ] || missing+=(time)
  if [ "$POSTGRES" = 1 ]; then
    # psql here, initdb and postgres for scripts/pg-local.sh.
    command -v psql >/dev/null || missing+=(postgresql)
    command -v pgrep >/dev/null || missing+=(procps)
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  export PATH=$PATH:$HOME/.cargo/bin
  command -v oha >/dev/null || { log "installing oha"; cargo install --locked oha; }
}

# start_server NAME RECORDS: a dev server on a free port and a fresh database;
# prints its URL once it listens. Its pid goes to $work/NAME.pid.
start_server() {
  launch "$1" server start-dev --addr 127.0.0.1:0 --db "$work/$1.db" --records "$2" \
    --otp-fixed "$OTP" --rate-limit 0
}

# launch NAME ARGS...: `apptctl ARGS...` in the background; prints the URL
# it announces once it listens. Its pid goes to $work/NAME.pid.
launch() {
  local name=$1 url
  shift
  "$BIN" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  echo $! >"$work/$name.pid"
  for _ in $(seq 1 1200); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/$name.out" 2>/dev/null | head -1 || true)
    if [ -n "$url" ]; then echo "$url"; return; fi
    sleep 0.1
  done
  log "server $name did not start"
  cat "$work/$name.err" >&2
  exit 1
}

# make_token URL: a records:read + records:cancel token of the demo account,
# made the way a user would: log in with the code, then `token create`.
make_token() {
  local url=$1
  echo demo12345 | "$BIN" --server "$url" login --username demo --password-stdin \
    --code "$OTP" >/dev/null
  "$BIN" --server "$url" token create --name bench --scope records:read \
    --scope records:cancel --code "$OTP" -o json | jq -er .secret
}

# active_ids URL FILE: ids of active records well outside the cutoff.
active_ids() {
  "$BIN" --server "$1" list --all -q --status confirmed,pending \
    --from "$(date -u -d '+3 days' +%Y-%m-%d)" >"$2"
}

measure_startup() {
  log "startup"
  hyperfine -N --warmup 20 --runs 200 --export-json "$OUT/startup.json" \
    "$BIN --version" "true" "curl --version" >"$OUT/startup.txt"
}

measure_show() {
  log "one call: show"
  local id
  id=$("$BIN" --server "$url" list -q --limit 1)
  echo "$id" >"$work/show-id"
  hyperfine -N --warmup 10 --runs 100 --export-json "$OUT/show.json" \
    "$BIN --server $url show $id -o json" \
    "curl -sf -H 'Authorization: Bearer $token' $url/v1/records/$id" >"$OUT/show.txt"
}

# Each contender cancels its own CANCELS distinct active records.
split_cancel_ids() {
  active_ids "$url" "$work/active"
  local have
  have=$(wc -l <"$work/active")
  if [ "$have" -lt $((CANCELS * 3)) ]; then
    log "only $have active records for 3 x $CANCELS cancellations; raise RECORDS"
    exit 1
  fi
  sed -n "1,${CANCELS}p" "$work/active" >"$work/ids-apptctl"
  sed -n "$((CANCELS + 1)),$((CANCELS * 2))p" "$work/active" >"$work/ids-curl"
  sed -n "$((CANCELS * 2 + 1)),$((CANCELS * 3))p" "$work/active" >"$work/ids-wrk"
}

cancel_with_apptctl() {
  local t0 t1 c0 c1
  c0=$(cpu_ticks "$server_pid"); t0=$(now)
  /usr/bin/time -v -o "$OUT/cancel-apptctl.time" "$BIN" --server "$url" cancel-batch \
    --file "$work/ids-apptctl" --reason duplicate --yes -o json >"$OUT/cancel-apptctl.json"
  t1=$(now); c1=$(cpu_ticks "$server_pid")
  apptctl_cancel=$(calc "$t1 - $t0")
  apptctl_cancel_cpu=$(calc "($c1 - $c0) / $clk / $apptctl_cancel")
  apptctl_cancelled=$(jq .summary.cancelled "$OUT/cancel-apptctl.json")
}

# The loop people write: one curl process per record, 8 at a time, each
# request the same as apptctl's (body, Idempotency-Key, token).
cancel_with_curl() {
  local t0 t1 c0 c1
  c0=$(cpu_ticks "$server_pid"); t0=$(now)
  xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: curl-{}' -d '{"reason":"duplicate"}' \
    "$url/v1/records/{}/cancellation" <"$work/ids-curl" >"$OUT/cancel-curl.codes"
  t1=$(now); c1=$(cpu_ticks "$server_pid")
  curl_cancel=$(calc "$t1 - $t0")
  curl_cancel_cpu=$(calc "($c1 - $c0) / $clk / $curl_cancel")
  curl_cancelled=$(grep -c '^200$' "$OUT/cancel-curl.codes" || true)
}

# wrk_start NAME URL IDS TOKEN THREADS CONNECTIONS: wrk cancelling each id
# of the file IDS once, in the background, output in $OUT/NAME.txt. wrk runs
# until interrupted; cancel.lua times the span from its first request to its
# last answer and leaves a file per thread when its share is answered.
wrk_start() {
  local name=$1 url=$2 ids=$3 token=$4 threads=$5 connections=$6
  mkdir -p "$work/$name-done"
  wrk -t"$threads" -c"$connections" -d600s -s bench/cancel.lua "$url" -- \
    "$ids" "$token" "$threads" "$work/$name-done" >"$OUT/$name.txt" 2>&1 &
  echo $! >"$work/$name.wrk"
}

# wrk_wait NAME THREADS: interrupts wrk once every thread has its share.
wrk_wait() {
  local name=$1 threads=$2 wrk_pid
  wrk_pid=$(cat "$work/$name.wrk")
  until [ "$(find "$work/$name-done" -type f | wc -l)" -ge "$threads" ] ||
    ! kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 0.05
  done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" || true
}

# wrk_figure NAME FIELD: a field of cancel.lua's summary line (seconds,
# answers, non_2xx, first, last).
wrk_figure() {
  awk -v field="$2" '/^cancel_seconds/ {
    for (i = 1; i < NF; i += 2) if ($i == field || $i == "cancel_" field) print $(i + 1)
  }' "$OUT/$1.txt"
}

# The ceiling: wrk on 16 keep-alive connections sends the same requests.
cancel_with_wrk() {
  local c0 c1
  c0=$(cpu_ticks "$server_pid")
  wrk_start cancel-wrk "$url" "$work/ids-wrk" "$token" 2 16
  wrk_wait cancel-wrk 2
  c1=$(cpu_ticks "$server_pid")
  wrk_cancel=$(wrk_figure cancel-wrk seconds)
  wrk_answers=$(calc "$(wrk_figure cancel-wrk answers) - $(wrk_figure cancel-wrk non_2xx)")
  wrk_cancel_cpu=$(calc "($c1 - $c0) / $clk / $wrk_cancel")
}

measure_cancel() {
  log "bulk cancel: $CANCELS records each for apptctl, xargs+curl and wrk"
  split_cancel_ids
  cancel_with_apptctl
  cancel_with_curl
  cancel_with_wrk
}

list_with_apptctl() {
  local t0 t1
  t0=$(now)
  /usr/bin/time -v -o "$OUT/list-100k.time" "$BIN" --server "$url" list --all -o ndjson \
    >"$work/list-apptctl.ndjson"
  t1=$(now)
  apptctl_list=$(calc "$t1 - $t0")
  apptctl_listed=$(wc -l <"$work/list-apptctl.ndjson")
}

# The loop people write: curl each page of 1,000 (the API's largest), jq
# for the records and the next cursor; the same NDJSON comes out.
list_with_curl() {
  local t0 t1 cursor="" page
  pages=0
  : >"$work/list-curl.ndjson"
  t0=$(now)
  while :; do
    page=$(curl -sf -H "Authorization: Bearer $token" \
      "$url/v1/records?limit=1000${cursor:+&cursor=$cursor}")
    jq -c '.items[]' <<<"$page" >>"$work/list-curl.ndjson"
    cursor=$(jq -r '.next_cursor // empty' <<<"$page")
    pages=$((pages + 1))
    [ -n "$cursor" ] || break
  done
  t1=$(now)
  curl_list=$(calc "$t1 - $t0")
  curl_listed=$(wc -l <"$work/list-curl.ndjson")
}

measure_list() {
  log "bulk read: list --all of every record, against the curl page loop"
  list_with_apptctl
  list_with_curl
  log "bulk read: list --all of $SMALL_LIST extra records (peak memory)"
  APPTCTL_TOKEN=$small_token /usr/bin/time -v -o "$OUT/list-10k.time" "$BIN" \
    --server "$small_url" list --all -o ndjson >/dev/null
}

# oha on the two read endpoints, the server's CPU use over both.
measure_server() {
  log "server: oha on the list and record endpoints, $OHA_SECONDS s each"
  local c0 c1 id
  id=$(cat "$work/show-id")
  c0=$(cpu_ticks "$server_pid")
  oha -z "${OHA_SECONDS}s" -c 32 --no-tui --output-format json \
    -H "Authorization: Bearer $token" "$url/v1/records?limit=50" >"$OUT/oha-list.json"
  oha -z "${OHA_SECONDS}s" -c 32 --no-tui --output-format json \
    -H "Authorization: Bearer $token" "$url/v1/records/$id" >"$OUT/oha-record.json"
  c1=$(cpu_ticks "$server_pid")
  oha_cpu=$(calc "($c1 - $c0) / $clk / (2 * $OHA_SECONDS)")
}

# A real cancel-batch of up to 100,000 ids (a batch's limit) of the big
# server: the active ones are cancelled, the rest are answered "already
# cancelled" or "cannot cancel".
measure_cancel_all() {
  log "cancel-batch of up to 100,000 ids: peak memory, a real run"
  local t0 t1
  "$BIN" --server "$url" list --all -q >"$work/ids-listed"
  head -n 100000 "$work/ids-listed" >"$work/ids-all"
  all_ids=$(wc -l <"$work/ids-all")
  t0=$(now)
  /usr/bin/time -v -o "$OUT/cancel-all.time" "$BIN" --server "$url" cancel-batch \
    --file "$work/ids-all" --reason duplicate --yes -o json >"$work/cancel-all.json" || true
  t1=$(now)
  cancel_all=$(calc "$t1 - $t0")
  jq .summary "$work/cancel-all.json" >"$OUT/cancel-all-summary.json"
}

# --- The server rows on PostgreSQL -------------------------------------------

# A throwaway cluster on loopback (fsync off: it flatters writes) and an
# empty database `bench` that start-dev migrates and seeds.
pg_start() {
  log "PostgreSQL: a throwaway cluster (scripts/pg-local.sh)"
  eval "$(APPTCTL_PG_DIR=$PG_DIR scripts/pg-local.sh start)"
  pg_started=1
  psql -q -v ON_ERROR_STOP=1 "$APPTCTL_TEST_POSTGRES_URL" -c 'CREATE DATABASE bench'
  pg_db=${APPTCTL_TEST_POSTGRES_URL%/postgres}/bench
  postmaster_pid=$(head -n 1 "$PG_DIR/data/postmaster.pid")
}

# The CPU ticks of the whole cluster: the postmaster and every backend (the
# pools' connections stay open, so the backends live through a measurement).
pg_ticks() {
  # shellcheck disable=SC2046 # one pid a word
  ticks "$postmaster_pid" $(pgrep -P "$postmaster_pid")
}

# Disjoint sets of CANCELS active records: cancel-batch and wrk on the dev
# server, wrk on one production instance, wrk on two.
split_pg_ids() {
  APPTCTL_TOKEN=$pg_token active_ids "$pg_url" "$work/pg-active"
  local have set n=0
  have=$(wc -l <"$work/pg-active")
  if [ "$have" -lt $((CANCELS * 4)) ]; then
    log "only $have active records on PostgreSQL for 4 x $CANCELS cancellations; raise RECORDS"
    exit 1
  fi
  for set in apptctl wrk one two; do
    sed -n "$((n * CANCELS + 1)),$(((n + 1) * CANCELS))p" "$work/pg-active" >"$work/pg-ids-$set"
    n=$((n + 1))
  done
  awk 'NR % 2 == 1' "$work/pg-ids-two" >"$work/pg-ids-two-a"
  awk 'NR % 2 == 0' "$work/pg-ids-two" >"$work/pg-ids-two-b"
}

pg_cancel_with_apptctl() {
  local t0 t1 c0 c1 p0 p1 k0
  k0=$(pg_conflicts); c0=$(cpu_ticks "$pg_pid"); p0=$(pg_ticks); t0=$(now)
  APPTCTL_TOKEN=$pg_token "$BIN" --server "$pg_url" cancel-batch --file "$work/pg-ids-apptctl" \
    --reason duplicate --yes -o json >"$OUT/pg-cancel-apptctl.json"
  t1=$(now); c1=$(cpu_ticks "$pg_pid"); p1=$(pg_ticks)
  pg_apptctl_cancel=$(calc "$t1 - $t0")
  pg_apptctl_cpu=$(calc "($c1 - $c0) / $clk / $pg_apptctl_cancel")
  pg_apptctl_pg_cpu=$(calc "($p1 - $p0) / $clk / $pg_apptctl_cancel")
  pg_apptctl_cancelled=$(jq .summary.cancelled "$OUT/pg-cancel-apptctl.json")
  pg_apptctl_conflicts=$(($(pg_conflicts) - k0))
}

pg_cancel_with_wrk() {
  local c0 c1 p0 p1 k0
  k0=$(pg_conflicts); c0=$(cpu_ticks "$pg_pid"); p0=$(pg_ticks)
  wrk_start pg-cancel-wrk "$pg_url" "$work/pg-ids-wrk" "$pg_token" 2 16
  wrk_wait pg-cancel-wrk 2
  c1=$(cpu_ticks "$pg_pid"); p1=$(pg_ticks)
  pg_wrk_cancel=$(wrk_figure pg-cancel-wrk seconds)
  pg_wrk_answers=$(calc "$(wrk_figure pg-cancel-wrk answers) - $(wrk_figure pg-cancel-wrk non_2xx)")
  pg_wrk_cpu=$(calc "($c1 - $c0) / $clk / $pg_wrk_cancel")
  pg_wrk_pg_cpu=$(calc "($p1 - $p0) / $clk / $pg_wrk_cancel")
  pg_wrk_conflicts=$(($(pg_conflicts) - k0))
}

# oha as on SQLite: the same pages and the same record number.
pg_server_oha() {
  local c0 c1 p0 p1 id
  id=$(APPTCTL_TOKEN=$pg_token "$BIN" --server "$pg_url" list -q --limit 1)
  c0=$(cpu_ticks "$pg_pid"); p0=$(pg_ticks)
  oha -z "${OHA_SECONDS}s" -c 32 --no-tui --output-format json \
    -H "Authorization: Bearer $pg_token" "$pg_url/v1/records?limit=50" >"$OUT/pg-oha-list.json"
  oha -z "${OHA_SECONDS}s" -c 32 --no-tui --output-format json \
    -H "Authorization: Bearer $pg_token" "$pg_url/v1/records/$id" >"$OUT/pg-oha-record.json"
  c1=$(cpu_ticks "$pg_pid"); p1=$(pg_ticks)
  pg_oha_cpu=$(calc "($c1 - $c0) / $clk / (2 * $OHA_SECONDS)")
  pg_oha_pg_cpu=$(calc "($p1 - $p0) / $clk / (2 * $OHA_SECONDS)")
}

stop_server() {
  local pid
  pid=$(cat "$work/$1.pid")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$work/$1.pid"
}

# `apptctl server start` (production: no fixed code, no demo seeding) on the
# database start-dev seeded; the token made there lives in the database.
start_production() {
  launch "$1" server start --addr 127.0.0.1:0 --database-url "$pg_db" --rate-limit 0
}

# wrk on one production instance, then on two at once (half the connections
# and half the ids each): whether a second process adds throughput here.
pg_instances() {
  log "PostgreSQL: wrk on one production instance, then split across two"
  local url_a url_b pid_a pid_b c0 c1 p0 p1 k0 first last
  stop_server pg
  url_a=$(start_production pg-a)
  url_b=$(start_production pg-b)
  pid_a=$(cat "$work/pg-a.pid")
  pid_b=$(cat "$work/pg-b.pid")

  k0=$(pg_conflicts); c0=$(ticks "$pid_a"); p0=$(pg_ticks)
  wrk_start pg-one-wrk "$url_a" "$work/pg-ids-one" "$pg_token" 2 16
  wrk_wait pg-one-wrk 2
  c1=$(ticks "$pid_a"); p1=$(pg_ticks)
  pg_one_cancel=$(wrk_figure pg-one-wrk seconds)
  pg_one_answers=$(calc "$(wrk_figure pg-one-wrk answers) - $(wrk_figure pg-one-wrk non_2xx)")
  pg_one_cpu=$(calc "($c1 - $c0) / $clk / $pg_one_cancel")
  pg_one_pg_cpu=$(calc "($p1 - $p0) / $clk / $pg_one_cancel")
  pg_one_conflicts=$(($(pg_conflicts) - k0))

  k0=$(pg_conflicts); c0=$(ticks "$pid_a" "$pid_b"); p0=$(pg_ticks)
  wrk_start pg-two-wrk-a "$url_a" "$work/pg-ids-two-a" "$pg_token" 1 8
  wrk_start pg-two-wrk-b "$url_b" "$work/pg-ids-two-b" "$pg_token" 1 8
  wrk_wait pg-two-wrk-a 1
  wrk_wait pg-two-wrk-b 1
  c1=$(ticks "$pid_a" "$pid_b"); p1=$(pg_ticks)
  first=$(printf '%s\n' "$(wrk_figure pg-two-wrk-a first)" "$(wrk_figure pg-two-wrk-b first)" |
    sort -g | head -n 1)
  last=$(printf '%s\n' "$(wrk_figure pg-two-wrk-a last)" "$(wrk_figure pg-two-wrk-b last)" |
    sort -g | tail -n 1)
  pg_two_cancel=$(calc "$last - $first")
  pg_two_answers=$(calc "$(wrk_figure pg-two-wrk-a answers) - $(wrk_figure pg-two-wrk-a non_2xx) \
    + $(wrk_figure pg-two-wrk-b answers) - $(wrk_figure pg-two-wrk-b non_2xx)")
  pg_two_cpu=$(calc "($c1 - $c0) / $clk / $pg_two_cancel")
  pg_two_pg_cpu=$(calc "($p1 - $p0) / $clk / $pg_two_cancel")
  pg_two_conflicts=$(($(pg_conflicts) - k0))
  pg_transactions
}

# Transactions PostgreSQL refused for a serialization failure or a deadlock
# so far (the store runs each again): the cluster logs every such ERROR.
pg_conflicts() {
  grep -c -e 'could not serialize access' -e 'deadlock detected' "$PG_DIR/server.log" || true
}

# Commits and rollbacks of the PostgreSQL part of the run (a refusal, such
# as a record already cancelled, also rolls back).
pg_transactions() {
  pg_commits=$(psql -At "$pg_db" -c \
    "SELECT xact_commit FROM pg_stat_database WHERE datname = 'bench'")
  pg_rollbacks=$(psql -At "$pg_db" -c \
    "SELECT xact_rollback FROM pg_stat_database WHERE datname = 'bench'")
}

measure_postgres() {
  if [ "$POSTGRES" != 1 ]; then
    echo null >"$OUT/postgres.json"
    return
  fi
  pg_start
  log "PostgreSQL: start-dev on an empty database, $RECORDS extra records"
  pg_url=$(launch pg server start-dev --addr 127.0.0.1:0 --database-url "$pg_db" \
    --records "$RECORDS" --otp-fixed "$OTP" --rate-limit 0)
  pg_pid=$(cat "$work/pg.pid")
  # The SQLite server's token in the environment would be sent to this one.
  pg_token=$(unset APPTCTL_TOKEN; make_token "$pg_url")
  split_pg_ids
  log "PostgreSQL: bulk cancel $CANCELS records each for apptctl and wrk; oha"
  pg_cancel_with_apptctl
  pg_cancel_with_wrk
  pg_server_oha
  pg_instances
  write_postgres_results
}

write_postgres_results() {
  jq -n \
    --argjson cancels "$CANCELS" \
    --argjson apptctl "$pg_apptctl_cancel" --argjson apptctl_cancelled "$pg_apptctl_cancelled" \
    --argjson apptctl_cpu "$pg_apptctl_cpu" --argjson apptctl_pg_cpu "$pg_apptctl_pg_cpu" \
    --argjson wrk "$pg_wrk_cancel" --argjson wrk_answers "$pg_wrk_answers" \
    --argjson wrk_cpu "$pg_wrk_cpu" --argjson wrk_pg_cpu "$pg_wrk_pg_cpu" \
    --argjson oha_cpu "$pg_oha_cpu" --argjson oha_pg_cpu "$pg_oha_pg_cpu" \
    --argjson one "$pg_one_cancel" --argjson one_answers "$pg_one_answers" \
    --argjson one_cpu "$pg_one_cpu" --argjson one_pg_cpu "$pg_one_pg_cpu" \
    --argjson two "$pg_two_cancel" --argjson two_answers "$pg_two_answers" \
    --argjson two_cpu "$pg_two_cpu" --argjson two_pg_cpu "$pg_two_pg_cpu" \
    --argjson commits "$pg_commits" --argjson rollbacks "$pg_rollbacks" \
    --argjson conflicts_apptctl "$pg_apptctl_conflicts" \
    --argjson conflicts_wrk "$pg_wrk_conflicts" --argjson conflicts_one "$pg_one_conflicts" \
    --argjson conflicts_two "$pg_two_conflicts" \
    --slurpfile oha_list "$OUT/pg-oha-list.json" --slurpfile oha_record "$OUT/pg-oha-record.json" \
    '{
      cancel: {
        seconds: {apptctl: $apptctl, wrk: $wrk},
        per_second: {apptctl: ($cancels / $apptctl), wrk: ($cancels / $wrk)},
        cancelled: {apptctl: $apptctl_cancelled, wrk: $wrk_answers},
        share_of_wrk_ceiling: ($wrk / $apptctl),
        server_cpu_cores: {apptctl: $apptctl_cpu, wrk: $wrk_cpu},
        postgres_cpu_cores: {apptctl: $apptctl_pg_cpu, wrk: $wrk_pg_cpu}
      },
      server: {
        oha_rps: {
          list_page_50: $oha_list[0].summary.requestsPerSec,
          record: $oha_record[0].summary.requestsPerSec
        },
        oha_cpu_cores: $oha_cpu,
        oha_postgres_cpu_cores: $oha_pg_cpu
      },
      instances: {
        one: {seconds: $one, per_second: ($cancels / $one), cancelled: $one_answers,
              server_cpu_cores: $one_cpu, postgres_cpu_cores: $one_pg_cpu},
        two: {seconds: $two, per_second: ($cancels / $two), cancelled: $two_answers,
              server_cpu_cores: $two_cpu, postgres_cpu_cores: $two_pg_cpu},
        speedup: ($one / $two)
      },
      transactions: {committed: $commits, rolled_back: $rollbacks},
      serialization_conflicts: {
        apptctl: $conflicts_apptctl, wrk: $conflicts_wrk,
        one_instance: $conflicts_one, two_instances: $conflicts_two
      }
    }' >"$OUT/postgres.json"
}

write_results() {
  local machine
  machine="$(uname -srm); $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' \
    /proc/cpuinfo)); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  jq -n \
    --arg machine "$machine" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --argjson records "$RECORDS" --argjson cancels "$CANCELS" \
    --argjson apptctl_cancel "$apptctl_cancel" --argjson curl_cancel "$curl_cancel" \
    --argjson wrk_cancel "$wrk_cancel" \
    --argjson apptctl_cancelled "$apptctl_cancelled" --argjson curl_cancelled "$curl_cancelled" \
    --argjson wrk_answers "$wrk_answers" \
    --argjson apptctl_cpu "$apptctl_cancel_cpu" --argjson curl_cpu "$curl_cancel_cpu" \
    --argjson wrk_cpu "$wrk_cancel_cpu" --argjson oha_cpu "$oha_cpu" \
    --argjson apptctl_list "$apptctl_list" --argjson curl_list "$curl_list" \
    --argjson apptctl_listed "$apptctl_listed" --argjson curl_listed "$curl_listed" \
    --argjson pages "$pages" \
    --argjson list_peak_big "$(peak_mib "$OUT/list-100k.time")" \
    --argjson list_peak_small "$(peak_mib "$OUT/list-10k.time")" \
    --argjson cancel_peak "$(peak_mib "$OUT/cancel-apptctl.time")" \
    --argjson cancel_all_peak "$(peak_mib "$OUT/cancel-all.time")" \
    --argjson cancel_all "$cancel_all" --argjson all_ids "$all_ids" \
    --slurpfile cancel_all_summary "$OUT/cancel-all-summary.json" \
    --slurpfile startup "$OUT/startup.json" --slurpfile show "$OUT/show.json" \
    --slurpfile oha_list "$OUT/oha-list.json" --slurpfile oha_record "$OUT/oha-record.json" \
    --slurpfile postgres "$OUT/postgres.json" \
    -f bench/results.jq >"$OUT/results.json"
  jq -r -f bench/table.jq "$OUT/results.json" >"$OUT/results.md"
  cat "$OUT/results.md"
}

main() {
  install_tools
  log "building the release binary"
  cargo build --release --quiet --bin apptctl
  clk=$(getconf CLK_TCK)

  log "starting servers ($RECORDS and $SMALL_LIST extra records)"
  url=$(start_server big "$RECORDS")
  small_url=$(start_server small "$SMALL_LIST")
  server_pid=$(cat "$work/big.pid")
  token=$(make_token "$url")
  small_token=$(make_token "$small_url")
  export APPTCTL_TOKEN=$token

  measure_startup
  measure_show
  measure_cancel
  measure_list
  measure_server
  measure_postgres
  measure_cancel_all
  write_results
}

main "$@"
