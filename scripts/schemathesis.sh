#!/usr/bin/env bash
# Fuzz the running reference service against its own OpenAPI contract with
# schemathesis: no 5xx, every status code, content type and body as documented.
#
#   scripts/schemathesis.sh [BIN]      # BIN defaults to target/debug/apptctl
#
# Starts a dev server on a free port with a temporary database, logs in as the
# demo applicant through the API (fixed one-time code), and runs a bounded number
# of examples per operation with a fixed seed so a failure reproduces.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/apptctl}
EXAMPLES=${EXAMPLES:-25}
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v schemathesis >/dev/null || pip install --quiet schemathesis

"$BIN" server start-dev --addr 127.0.0.1:0 --db "$work/db" --otp-fixed 123456 \
  --rate-limit 0 >"$work/out" 2>"$work/err" &
server=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/out" 2>/dev/null | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "dev server did not start" >&2; cat "$work/err" >&2; exit 1; }

post() { curl -sf -X POST -H 'content-type: application/json' "$url$1" -d "$2"; }
challenge=$(post /v1/sessions '{"username":"demo","password":"demo12345"}' | jq -r .challenge.id)
post "/v1/challenges/$challenge/confirm" '{"code":"123456"}' >/dev/null
token=$(post /v1/sessions "{\"challenge_id\":\"$challenge\"}" | jq -r .session.token)

# Logout would end the session mid-run; every other operation is fair game.
# Run from the temporary directory so schemathesis's own cache directory
# stays out of the checkout.
cd "$work"
schemathesis run "$url/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /v1/sessions/current \
  --max-examples "$EXAMPLES" --seed 20261203 --generation-database none \
  --request-timeout 10 --no-color
