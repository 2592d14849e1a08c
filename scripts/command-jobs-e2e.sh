#!/usr/bin/env bash
# Command jobs end to end, against the real `asyncjobs` binary on 127.0.0.1, as a new user would run them:
#   1. a config file declares gzip with a `level` parameter: submit → poll → download, and the download
#      gunzips to the input; GET /v1/job-types and `asyncjobs job-types` list it with its schema
#   2. a level outside the declared range, an undeclared parameter and a file name that fails its
#      pattern are 422s naming the field, and create no job
#   3. `"; rm -rf /"` reaches the program as one literal argument
#   4. a failing program fails the job with the tail of its stderr as the error
#   5. cancelling a running command job leaves no process of its group (checked with ps), and so
#      does stopping the server while one runs
# Needs curl, jq, gzip and ps. Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/checks.sh

swift build --product asyncjobs >/dev/null
BIN=$PWD/.build/debug/asyncjobs
WORK=$(mktemp -d)
DATA=$WORK/data
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
SERVER_PID=""
MARK="asyncjobs-e2e-$$-$RANDOM"

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  # Should the script fail half-way, no sleeper of ours is left behind either.
  pkill -KILL -f "$MARK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/files"
seq 1 200000 >"$WORK/files/numbers.txt"
cat >"$WORK/jobs.yaml" <<YAML
jobs:
  - type: file.gzip
    summary: Compress a file from the files directory with gzip
    executable: /usr/bin/gzip
    arguments: ["-c", "-{level}", "--", "{file}"]
    workingDirectory: $WORK/files
    timeoutSeconds: 120
    maxAttempts: 1
    concurrency: 2
    parameters:
      - {name: file, type: string, required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*", description: a file in the files directory}
      - {name: level, type: integer, default: 6, minimum: 1, maximum: 9, description: gzip compression level}
    result: {from: stdout, fileName: "{file}.gz", contentType: application/gzip}
  - type: text.echo
    executable: /usr/bin/printf
    arguments: ["%s", "{text}"]
    parameters: [{name: text, type: string, required: true}]
    result: {fileName: echo.txt, contentType: text/plain}
  - type: text.fail
    executable: /bin/sh
    arguments: ["-c", "echo 'reading input' >&2; echo 'no space left on device' >&2; exit 3"]
    maxAttempts: 3
  - type: sleep.tree
    executable: /bin/sh
    arguments: ["-c", "sleep 300 & sleep 300 & echo '::progress 5' >&2; wait", "{marker}"]
    cancelGraceSeconds: 2
    parameters: [{name: marker, type: string, required: true}]
YAML

start_server() {
  "$BIN" serve --port "$PORT" --data-dir "$DATA" --config "$WORK/jobs.yaml" --workers 4 --shutdown-grace 1 >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start"; cat "$WORK/server.log"; exit 1
}

start_server
CREDS=$DATA/dev-credentials.json
KEY=$(jq -r .apiKey "$CREDS")
TOKEN=$(curl -sf -X POST "$BASE/oauth2/token" -d grant_type=client_credentials \
  -d client_id="$(jq -r .clientId "$CREDS")" -d client_secret="$(jq -r .clientSecret "$CREDS")" | jq -r .access_token)
AUTH=(-H "X-API-Key: $KEY" -H "Authorization: Bearer $TOKEN")

submit() { # submit JSON → prints "HTTP_CODE BODY"
  curl -s -w '\n%{http_code}' -X POST "$BASE/v1/jobs" "${AUTH[@]}" -H 'Content-Type: application/json' -d "$1"
}

wait_terminal() { # wait_terminal STATUS_URL → prints the final status body
  local body
  for _ in $(seq 1 300); do
    body=$(curl -s "$1" "${AUTH[@]}")
    case "$(echo "$body" | jq -r .status)" in completed|failed|cancelled) echo "$body"; return 0;; esac
    sleep 0.1
  done
  echo "$body"
}

# --- 1. gzip: submit → poll → download ----------------------------------------------------------
TYPES=$(curl -s "$BASE/v1/job-types" "${AUTH[@]}")
check "job-types lists the declared gzip type" "file.gzip" "$(echo "$TYPES" | jq -r '.jobTypes[] | select(.type=="file.gzip") | .type')"
check "job-types gives the level's range" "1-9" "$(echo "$TYPES" | jq -r '.jobTypes[] | select(.type=="file.gzip") | .parameters.properties.level | "\(.minimum)-\(.maximum)"')"
check "job-types gives the required fields" "file" "$(echo "$TYPES" | jq -r '.jobTypes[] | select(.type=="file.gzip") | .parameters.required | join(",")')"
check "job-types gives the concurrency limit" "2" "$(echo "$TYPES" | jq -r '.jobTypes[] | select(.type=="file.gzip") | .concurrencyLimit')"
CLI_TYPES=$("$BIN" job-types --url "$BASE" --data-dir "$DATA" 2>&1 || true)
contains "asyncjobs job-types lists it" "file.gzip" "$CLI_TYPES"
contains "asyncjobs job-types shows the level's range" "level" "$CLI_TYPES"

RESPONSE=$(submit '{"type":"file.gzip","parameters":{"file":"numbers.txt","level":9}}')
check "gzip submit answers 202" "202" "$(echo "$RESPONSE" | tail -1)"
STATUS_URL=$(echo "$RESPONSE" | head -1 | jq -r .statusUrl)
STATUS=$(wait_terminal "$STATUS_URL")
check "the gzip job completes" "completed" "$(echo "$STATUS" | jq -r .status)"
check "download answers 200" "200" "$(curl -s -o "$WORK/numbers.txt.gz" -w '%{http_code}' "$(echo "$STATUS" | jq -r .resultUrl)")"
if gunzip -c "$WORK/numbers.txt.gz" | cmp -s - "$WORK/files/numbers.txt"; then same=yes; else same=no; fi
check "the download gunzips to the input" "yes" "$same"
check "the result is named after the file" "numbers.txt.gz" "$(curl -s "${STATUS_URL%/status}" "${AUTH[@]}" | jq -r .result.fileName)"

# --- 2. validation before the 202 ---------------------------------------------------------------
BEFORE=$(curl -s "$BASE/v1/jobs" "${AUTH[@]}" | jq '.jobs | length')
RESPONSE=$(submit '{"type":"file.gzip","parameters":{"file":"numbers.txt","level":10}}')
check "level 10 answers 422" "422" "$(echo "$RESPONSE" | tail -1)"
check "the 422 names the field" "level" "$(echo "$RESPONSE" | head -1 | jq -r .field)"
contains "the 422 says the range" "between 1 and 9" "$(echo "$RESPONSE" | head -1 | jq -r .detail)"
RESPONSE=$(submit '{"type":"file.gzip","parameters":{"file":"../../etc/passwd"}}')
check "a path outside the pattern answers 422 naming file" "422 file" "$(echo "$RESPONSE" | tail -1) $(echo "$RESPONSE" | head -1 | jq -r .field)"
RESPONSE=$(submit '{"type":"file.gzip","parameters":{"file":"numbers.txt","flags":"-f"}}')
check "an undeclared parameter answers 422 naming it" "422 flags" "$(echo "$RESPONSE" | tail -1) $(echo "$RESPONSE" | head -1 | jq -r .field)"
check "refused submissions created no job" "$BEFORE" "$(curl -s "$BASE/v1/jobs" "${AUTH[@]}" | jq '.jobs | length')"

# --- 3. no shell ---------------------------------------------------------------------------------
touch "$WORK/canary"
HOSTILE="\"; rm -rf $WORK/canary; echo \$(id) \`id\` *"
RESPONSE=$(submit "$(jq -cn --arg text "$HOSTILE" '{type:"text.echo",parameters:{text:$text}}')")
STATUS=$(wait_terminal "$(echo "$RESPONSE" | head -1 | jq -r .statusUrl)")
check "the echo job completes" "completed" "$(echo "$STATUS" | jq -r .status)"
check "the program got the value as one literal argument" "$HOSTILE" "$(curl -s "$(echo "$STATUS" | jq -r .resultUrl)")"
check "nothing was run by a shell" "yes" "$([ -f "$WORK/canary" ] && echo yes || echo no)"

# --- 4. a failing program ------------------------------------------------------------------------
RESPONSE=$(submit '{"type":"text.fail"}')
STATUS=$(wait_terminal "$(echo "$RESPONSE" | head -1 | jq -r .statusUrl)")
check "a non-zero exit fails the job" "failed" "$(echo "$STATUS" | jq -r .status)"
check "its error is the exit status and the tail of stderr" "text.fail exited with status 3: reading input
no space left on device" "$(echo "$STATUS" | jq -r .error.message)"
check "status 3 is not retried" "1" "$(curl -s "$(echo "$RESPONSE" | head -1 | jq -r .statusUrl | sed 's:/status$::')" "${AUTH[@]}" | jq .attempt)"

# --- 5. cancel and shutdown leave no process -----------------------------------------------------
group_of() { # group_of MARKER → the process group of the sh whose argv holds MARKER, once it runs
  local pid=""
  for _ in $(seq 1 100); do
    pid=$(ps -eo pid=,args= | awk -v m="$1" '$0 ~ m && $2 == "/bin/sh" {print $1; exit}')
    [ -n "$pid" ] && break
    sleep 0.1
  done
  echo "$pid"
}
members() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | wc -l | tr -d ' '; }

RESPONSE=$(submit "{\"type\":\"sleep.tree\",\"parameters\":{\"marker\":\"$MARK-cancel\"}}")
STATUS_URL=$(echo "$RESPONSE" | head -1 | jq -r .statusUrl)
PGID=$(group_of "$MARK-cancel")
check "the command runs as sh and two sleeps in one process group" "3" "$(members "${PGID:-none}")"
curl -s -o /dev/null -X POST "${STATUS_URL%/status}/cancel" "${AUTH[@]}"
for _ in $(seq 1 40); do [ "$(members "$PGID")" = 0 ] && break; sleep 0.1; done
check "cancel leaves no process of the group within the grace period" "0" "$(members "$PGID")"
check "the job is cancelled" "cancelled" "$(curl -s "$STATUS_URL" "${AUTH[@]}" | jq -r .status)"

submit "{\"type\":\"sleep.tree\",\"parameters\":{\"marker\":\"$MARK-shutdown\"}}" >/dev/null
PGID=$(group_of "$MARK-shutdown")
check "a second tree runs" "3" "$(members "${PGID:-none}")"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
check "stopping the server leaves no process of the group" "0" "$(members "$PGID")"
check "no process with our marker is left at all" "0" "$(pgrep -fc "$MARK" || true)"

report "command jobs e2e"
