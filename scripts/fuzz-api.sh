#!/usr/bin/env bash
# Property-based fuzzing of the REST API with schemathesis (PyPI) against /openapi.yaml on a live
# server on 127.0.0.1: no 5xx, and every response conforms to the document (status codes, content
# types, bodies). EXAMPLES=N per operation (default 30, as in .ci/run; try 500 for a long run).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/checks.sh

python3 -c "import schemathesis" 2>/dev/null || pip install -q schemathesis
swift build --product asyncjobs >/dev/null
BIN=$PWD/.build/debug/asyncjobs
WORK=$(mktemp -d)
PORT=$(free_port)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# No rate limit: the fuzzer sends thousands of requests as one tenant.
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" --rate-limit 0 --workers 2 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
CREDS=$WORK/data/dev-credentials.json
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/oauth2/token" -d grant_type=client_credentials \
  -d client_id="$(jq -r .clientId "$CREDS")" -d client_secret="$(jq -r .clientSecret "$CREDS")" | jq -r .access_token)

set +e
schemathesis run "http://127.0.0.1:$PORT/openapi.yaml" \
  -H "X-API-Key: $(jq -r .apiKey "$CREDS")" -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "${EXAMPLES:-30}" --seed 1 >"$WORK/schemathesis.log" 2>&1
STATUS=$?
set -e
tail -25 "$WORK/schemathesis.log"
check "schemathesis finds no 5xx and no response outside the document" "0" "$STATUS"
check "the server survived the fuzzing" "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
check "no stack trace or crash in the server log" "0" "$(grep -c -i -e 'fatal error' -e 'stack trace' "$WORK/server.log" || true)"
report "fuzz-api"
