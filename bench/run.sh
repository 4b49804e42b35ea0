#!/usr/bin/env bash
# The apptctl benchmark: apptctl against the curl loops people write without
# it, and against the server's ceiling, each pair measured in the same run.
#
#   bench/run.sh                                  # full run: 100,000 records
#   RECORDS=5000 SMALL_LIST=1000 CANCELS=1000 OHA_SECONDS=3 bench/run.sh   # short
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
OTP=123456

mkdir -p "$OUT"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
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
peak_mib() { awk -F': ' '/Maximum resident/ {printf "%.1f", $2 / 1024}' "$1"; }

install_tools() {
  local missing=()
  command -v hyperfine >/dev/null || missing+=(hyperfine)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  command -v bc >/dev/null || missing+=(bc)
  [ -x /usr/bin/time ] || missing+=(time)
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
  local name=$1 records=$2 url
  "$BIN" server start-dev --addr 127.0.0.1:0 --db "$work/$name.db" --records "$records" \
    --otp-fixed "$OTP" --rate-limit 0 >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
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

# The ceiling: wrk on 16 keep-alive connections sends the same requests. wrk
# runs until interrupted; cancel.lua times the span from its first request to
# its last answer and leaves a file per thread when its share is answered.
cancel_with_wrk() {
  local done_dir=$work/wrk-done c0 c1 wrk_pid
  mkdir -p "$done_dir"
  c0=$(cpu_ticks "$server_pid")
  wrk -t2 -c16 -d600s -s bench/cancel.lua "$url" -- "$work/ids-wrk" "$token" 2 "$done_dir" \
    >"$OUT/cancel-wrk.txt" 2>&1 &
  wrk_pid=$!
  until [ "$(find "$done_dir" -type f | wc -l)" -ge 2 ] || ! kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 0.05
  done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" || true
  c1=$(cpu_ticks "$server_pid")
  wrk_cancel=$(awk '/^cancel_seconds/ {print $2}' "$OUT/cancel-wrk.txt")
  wrk_answers=$(awk '/^cancel_seconds/ {print $4 - $6}' "$OUT/cancel-wrk.txt")
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
  measure_cancel_all
  write_results
}

main "$@"
