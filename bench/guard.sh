#!/usr/bin/env bash
# CI guard for the benchmark ratios, small and quick (well under a minute):
# the debug binary that `cargo test` built, a dev server on 127.0.0.1 with a
# few hundred records, and the two curl loops people write without apptctl.
# Needs curl and jq (which .ci/run installs) and awk.
# Fails when
#   - cancel-batch is not at least $MIN_CANCEL_SPEEDUP x faster than
#     `xargs -P 8 curl` cancelling as many other records, or
#   - `list --all -o ndjson` is not faster than the curl page loop.
# The bounds are generous on purpose: a shared CI machine is noisy, and the
# guard is there to catch a regression by a factor, not by a percent.
#
#   bench/guard.sh            # BIN=target/debug/apptctl, 500 records a side
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-target/debug/apptctl}
COUNT=${COUNT:-500}
MIN_CANCEL_SPEEDUP=${MIN_CANCEL_SPEEDUP:-3}
# A comparison that misses its bound is measured again on fresh records, up
# to this many times in all: a real regression misses every time, a burst
# of load from a neighbour rarely does.
ATTEMPTS=${ATTEMPTS:-3}
OTP=123456

[ -x "$BIN" ] || cargo build --quiet --bin apptctl
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "guard: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
unset APPTCTL_TOKEN APPTCTL_SERVER APPTCTL_PROFILE

now() { date +%s.%N; }
# Floating-point arithmetic and comparisons (true prints 1) through awk,
# which every machine has, unlike bc.
calc() { awk "BEGIN { print ($*) }"; }

start_server() {
  "$BIN" server start-dev --addr 127.0.0.1:0 --db "$work/guard.db" \
    --records $((COUNT * (2 * ATTEMPTS + 1))) --otp-fixed "$OTP" --rate-limit 0 \
    >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/server.out" 2>/dev/null | head -1 || true)
    [ -z "$url" ] || return 0
    sleep 0.1
  done
  echo "guard: the dev server did not start" >&2
  cat "$work/server.err" >&2
  exit 1
}

login_with_token() {
  echo demo12345 | "$BIN" --server "$url" login --username demo --password-stdin \
    --code "$OTP" >/dev/null
  token=$("$BIN" --server "$url" token create --name guard --scope records:read \
    --scope records:cancel --code "$OTP" -o json | jq -er .secret)
  export APPTCTL_TOKEN=$token
}

list_active_ids() {
  "$BIN" --server "$url" list --all -q --status confirmed,pending \
    --from "$(date -u -d '+3 days' +%Y-%m-%d)" >"$work/active"
}

# split_ids ATTEMPT: COUNT ids for each side, unused by earlier attempts.
split_ids() {
  local first=$(($1 * COUNT * 2))
  sed -n "$((first + 1)),$((first + COUNT))p" "$work/active" >"$work/ids-apptctl"
  sed -n "$((first + COUNT + 1)),$((first + COUNT * 2))p" "$work/active" >"$work/ids-curl"
  if [ "$(wc -l <"$work/ids-curl")" -lt "$COUNT" ]; then
    echo "guard: not enough active records for attempt $(($1 + 1))" >&2
    exit 1
  fi
}

cancel_apptctl() {
  local t0 t1
  t0=$(now)
  "$BIN" --server "$url" cancel-batch --file "$work/ids-apptctl" --reason duplicate --yes \
    -o json >"$work/cancel.json"
  t1=$(now)
  apptctl_cancel=$(calc "$t1 - $t0")
  [ "$(jq .summary.cancelled "$work/cancel.json")" -eq "$COUNT" ] || {
    echo "guard: cancel-batch did not cancel all $COUNT records" >&2
    exit 1
  }
}

cancel_curl() {
  local t0 t1
  t0=$(now)
  xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H 'Idempotency-Key: curl-{}' -d '{"reason":"duplicate"}' \
    "$url/v1/records/{}/cancellation" <"$work/ids-curl" >"$work/curl.codes"
  t1=$(now)
  curl_cancel=$(calc "$t1 - $t0")
  [ "$(grep -c '^200$' "$work/curl.codes")" -eq "$COUNT" ] || {
    echo "guard: the curl loop did not cancel all $COUNT records" >&2
    exit 1
  }
}

list_apptctl() {
  local t0 t1
  t0=$(now)
  "$BIN" --server "$url" list --all -o ndjson >"$work/apptctl.ndjson"
  t1=$(now)
  apptctl_list=$(calc "$t1 - $t0")
}

# Pages of 1,000, the API's largest and what `list --all` asks for.
list_curl() {
  local t0 t1 cursor="" page
  : >"$work/curl.ndjson"
  t0=$(now)
  while :; do
    page=$(curl -sf -H "Authorization: Bearer $token" \
      "$url/v1/records?limit=1000${cursor:+&cursor=$cursor}")
    jq -c '.items[]' <<<"$page" >>"$work/curl.ndjson"
    cursor=$(jq -r '.next_cursor // empty' <<<"$page")
    [ -n "$cursor" ] || break
  done
  t1=$(now)
  curl_list=$(calc "$t1 - $t0")
  [ "$(wc -l <"$work/curl.ndjson")" -eq "$(wc -l <"$work/apptctl.ndjson")" ] || {
    echo "guard: apptctl and the curl loop listed different numbers of records" >&2
    exit 1
  }
}

main() {
  start_server
  login_with_token
  list_active_ids
  local attempt failed=0
  for attempt in $(seq 0 $((ATTEMPTS - 1))); do
    compare_cancel "$attempt" && break
  done || failed=1
  for attempt in $(seq 1 "$ATTEMPTS"); do
    compare_list && break
  done || failed=1

  [ "$failed" -eq 0 ] && echo "guard: ok"
  return "$failed"
}

# compare_cancel ATTEMPT: whether cancel-batch beat xargs+curl by the bound.
compare_cancel() {
  local speedup
  split_ids "$1"
  cancel_apptctl
  cancel_curl
  speedup=$(calc "$curl_cancel / $apptctl_cancel")
  printf 'bulk cancel of %d: apptctl %.2f s, xargs+curl %.2f s: %.1fx (need >= %s)\n' \
    "$COUNT" "$apptctl_cancel" "$curl_cancel" "$speedup" "$MIN_CANCEL_SPEEDUP"
  [ "$(calc "$speedup >= $MIN_CANCEL_SPEEDUP")" -eq 1 ] && return 0
  echo "guard: cancel-batch is not ${MIN_CANCEL_SPEEDUP}x faster than xargs+curl" >&2
  return 1
}

compare_list() {
  local speedup
  list_apptctl
  list_curl
  speedup=$(calc "$curl_list / $apptctl_list")
  printf 'list --all of %d: apptctl %.3f s, curl page loop %.3f s: %.1fx (need > 1)\n' \
    "$(wc -l <"$work/apptctl.ndjson")" "$apptctl_list" "$curl_list" "$speedup"
  [ "$(calc "$speedup > 1")" -eq 1 ] && return 0
  echo "guard: list --all is not faster than the curl page loop" >&2
  return 1
}

main "$@"
