#!/usr/bin/env bash
# The apptctl benchmark: apptctl against the curl loop people write without it,
# and against the server's ceiling, measured side by side in one run.
#
#   bench/run.sh                 # full run: 100,000 records, 10,000-record cancels
#   RECORDS=5000 CANCELS=1000 bench/run.sh   # a short run
#
# Figures land in bench/out/ (results.md, results.json, raw tool output).
# Needs: hyperfine, wrk, curl, jq, /usr/bin/time (Debian), oha (cargo install oha).
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-100000}
CANCELS=${CANCELS:-10000}
SMALL_LIST=${SMALL_LIST:-10000}
OUT=${OUT:-bench/out}
BIN=${BIN:-target/release/apptctl}
OHA_SECONDS=${OHA_SECONDS:-10}

mkdir -p "$OUT"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

install_tools() {
  local missing=()
  for tool in hyperfine wrk curl jq bc; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ -x /usr/bin/time ] || missing+=(time)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v oha >/dev/null || { log "installing oha"; cargo install --locked oha; }
}

# start_server NAME RECORDS: a dev server on a free port; prints its URL.
start_server() {
  local name=$1 records=$2
  "$BIN" server start-dev --addr 127.0.0.1:0 --db "$work/$name.db" --records "$records" \
    --otp-fixed 123456 --rate-limit 0 >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  echo $! >"$work/$name.pid"
  for _ in $(seq 1 600); do
    local url
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/$name.out" 2>/dev/null | head -1 || true)
    if [ -n "$url" ]; then echo "$url"; return; fi
    sleep 0.1
  done
  log "server $name did not start"; cat "$work/$name.err" >&2; exit 1
}

# A records:read+cancel token for demo, made through the CLI's own login.
make_token() {
  local url=$1
  export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
  echo demo12345 | "$BIN" --server "$url" login --username demo --password-stdin \
    --code 123456 >/dev/null
  "$BIN" --server "$url" token create --name bench --scope records:read \
    --scope records:cancel --code 123456 -o json | jq -r .secret
}

# active_ids URL TOKEN N FILE: N ids of active records outside the cutoff.
active_ids() {
  APPTCTL_TOKEN=$2 "$BIN" --server "$1" list --all -q --status confirmed,pending \
    --from "$(date -u -d '+3 days' +%Y-%m-%d)" | head -n "$3" >"$4"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

main() {
  install_tools
  [ -x "$BIN" ] || { log "building release"; cargo build --release; }

  log "starting servers ($RECORDS and $SMALL_LIST extra records)"
  url=$(start_server big "$RECORDS")
  small_url=$(start_server small "$SMALL_LIST")
  token=$(make_token "$url")
  small_token=$(make_token "$small_url")
  export APPTCTL_TOKEN=$token

  log "startup"
  hyperfine -N --warmup 20 --runs 200 --export-json "$OUT/startup.json" \
    "$BIN --version" "true" "curl --version" >"$OUT/startup.txt"

  log "one call"
  first=$("$BIN" --server "$url" list -q --limit 1)
  hyperfine -N --warmup 10 --runs 100 --export-json "$OUT/show.json" \
    "$BIN --server $url show $first -o json" \
    "curl -sf -H 'Authorization: Bearer $token' $url/v1/records/$first" >"$OUT/show.txt"

  log "bulk cancel: $CANCELS records each for apptctl, xargs+curl and wrk"
  active_ids "$url" "$token" $((CANCELS * 3)) "$work/all-ids"
  sed -n "1,${CANCELS}p" "$work/all-ids" >"$work/ids-apptctl"
  sed -n "$((CANCELS + 1)),$((CANCELS * 2))p" "$work/all-ids" >"$work/ids-curl"
  sed -n "$((CANCELS * 2 + 1)),$((CANCELS * 3))p" "$work/all-ids" >"$work/ids-wrk"

  server_pid=$(cat "$work/big.pid")
  ticks0=$(cpu_ticks "$server_pid"); t0=$(now)
  /usr/bin/time -v -o "$OUT/cancel-apptctl.time" "$BIN" --server "$url" cancel-batch \
    --file "$work/ids-apptctl" --reason duplicate --yes -o json >"$OUT/cancel-apptctl.json"
  t1=$(now); ticks1=$(cpu_ticks "$server_pid")
  apptctl_cancel=$(elapsed "$t0" "$t1")
  apptctl_cpu=$(echo "($ticks1 - $ticks0) / $(getconf CLK_TCK) / $apptctl_cancel" | bc -l)

  t0=$(now)
  xargs -P 8 -n 1 -I{} curl -s -o /dev/null -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: curl-{}' -d '{"reason":"duplicate"}' \
    "$url/v1/records/{}/cancellation" <"$work/ids-curl"
  t1=$(now)
  curl_cancel=$(elapsed "$t0" "$t1")

  ticks0=$(cpu_ticks "$server_pid"); t0=$(now)
  wrk -t2 -c16 -d120s -s bench/cancel.lua "$url" -- "$work/ids-wrk" "$token" 2 \
    >"$OUT/cancel-wrk.txt"
  t1=$(now); ticks1=$(cpu_ticks "$server_pid")
  wrk_cancel=$(elapsed "$t0" "$t1")
  wrk_cpu=$(echo "($ticks1 - $ticks0) / $(getconf CLK_TCK) / $wrk_cancel" | bc -l)

  log "bulk read"
  t0=$(now)
  /usr/bin/time -v -o "$OUT/list-100k.time" "$BIN" --server "$url" list --all -o ndjson \
    >"$work/list.ndjson"
  t1=$(now)
  apptctl_list=$(elapsed "$t0" "$t1")
  listed=$(wc -l <"$work/list.ndjson")

  t0=$(now)
  cursor=""; pages=0
  : >"$work/curl-list.json"
  while :; do
    page=$(curl -sf -H "Authorization: Bearer $token" \
      "$url/v1/records?limit=1000${cursor:+&cursor=$cursor}")
    echo "$page" | jq -c '.items[]' >>"$work/curl-list.json"
    cursor=$(echo "$page" | jq -r '.next_cursor // empty')
    pages=$((pages + 1))
    [ -n "$cursor" ] || break
  done
  t1=$(now)
  curl_list=$(elapsed "$t0" "$t1")

  APPTCTL_TOKEN=$small_token /usr/bin/time -v -o "$OUT/list-10k.time" "$BIN" \
    --server "$small_url" list --all -o ndjson >/dev/null

  log "cancel-batch of 100,000 ids: peak memory (dry run, every id validated and journaled)"
  "$BIN" --server "$url" list --all -q >"$work/ids-100k"
  /usr/bin/time -v -o "$OUT/cancel-100k.time" "$BIN" --server "$url" cancel-batch \
    --file "$work/ids-100k" --reason duplicate --yes --dry-run -o json >/dev/null || true

  log "server: oha on list and record, $OHA_SECONDS s each"
  ticks0=$(cpu_ticks "$server_pid")
  oha -z "${OHA_SECONDS}s" -c 32 --no-tui --output-format json \
    -H "Authorization: Bearer $token" "$url/v1/records?limit=50" >"$OUT/oha-list.json"
  oha -z "${OHA_SECONDS}s" -c 32 --no-tui --output-format json \
    -H "Authorization: Bearer $token" "$url/v1/records/$first" >"$OUT/oha-record.json"
  ticks1=$(cpu_ticks "$server_pid")
  oha_cpu=$(echo "($ticks1 - $ticks0) / $(getconf CLK_TCK) / (2 * $OHA_SECONDS)" | bc -l)

  peak() { awk -F': ' '/Maximum resident/ {printf "%.1f", $2 / 1024}' "$1"; }
  jq -n \
    --arg machine "$(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
    --argjson records "$RECORDS" --argjson cancels "$CANCELS" \
    --argjson apptctl_cancel "$apptctl_cancel" --argjson curl_cancel "$curl_cancel" \
    --argjson wrk_cancel "$wrk_cancel" \
    --argjson apptctl_cpu "$apptctl_cpu" --argjson wrk_cpu "$wrk_cpu" --argjson oha_cpu "$oha_cpu" \
    --argjson apptctl_list "$apptctl_list" --argjson curl_list "$curl_list" \
    --argjson listed "$listed" --argjson pages "$pages" \
    --argjson list_peak_100k "$(peak "$OUT/list-100k.time")" \
    --argjson list_peak_10k "$(peak "$OUT/list-10k.time")" \
    --argjson cancel_peak_10k "$(peak "$OUT/cancel-apptctl.time")" \
    --argjson cancel_peak_100k "$(peak "$OUT/cancel-100k.time")" \
    --slurpfile startup "$OUT/startup.json" --slurpfile show "$OUT/show.json" \
    --slurpfile oha_list "$OUT/oha-list.json" --slurpfile oha_record "$OUT/oha-record.json" \
    '{machine: $machine, records: $records, cancels: $cancels,
      startup_ms: ($startup[0].results | map({(.command): (.median * 1000)}) | add),
      show_ms: ($show[0].results | map({(.command | split(" ")[0]): (.median * 1000)}) | add),
      cancel_s: {apptctl: $apptctl_cancel, xargs_curl: $curl_cancel, wrk: $wrk_cancel},
      cancel_speedup_vs_curl: ($curl_cancel / $apptctl_cancel),
      cancel_share_of_ceiling: ($wrk_cancel / $apptctl_cancel),
      server_cpu_cores: {during_apptctl_cancel: $apptctl_cpu, during_wrk_cancel: $wrk_cpu,
                         during_oha: $oha_cpu},
      list_s: {apptctl: $apptctl_list, curl_loop: $curl_list, records: $listed, pages: $pages},
      peak_mib: {list_10k: $list_peak_10k, list_100k: $list_peak_100k,
                 cancel_batch_10k: $cancel_peak_10k, cancel_batch_100k_dry_run: $cancel_peak_100k},
      oha_rps: {list: $oha_list[0].summary.requestsPerSec,
                record: $oha_record[0].summary.requestsPerSec}}' >"$OUT/results.json"
  cat "$OUT/results.json"
}

main "$@"
