#!/usr/bin/env bash
# End-to-end checks of S3 result storage against the real `asyncjobs` binary and a moto S3 server,
# all on 127.0.0.1, as a new user would run them:
#   1. `serve --results s3://…` completes a demo.csv job whose resultUrl is a pre-signed GET on the
#      bucket (asking for a download file name); plain curl downloads it, with the job's SHA-256
#   2. deleting the job deletes its object: the old link answers 403 or 404 (moto: 403)
#   3. a large result (S3_E2E_MIB, default 200 MiB) goes up as a multipart upload with the server's
#      RSS staying flat
#   4. cancelling a job during its multipart upload leaves no incomplete upload and no object
#   5. --result-retention: the result is deleted, the status says so, the old link answers 403 or 404
# Needs curl, jq, python3 with boto3 and moto. Stops everything it started.
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
MOTO_S3_PID=""
BUCKET=e2e-results
LARGE_MIB=${S3_E2E_MIB:-200}

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$MOTO_S3_PID" ] && scripts/moto-s3.sh stop "$MOTO_S3_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

eval "$(scripts/moto-s3.sh start)"
ENDPOINT=$ASYNCJOBS_TEST_S3_ENDPOINT
export AWS_ACCESS_KEY_ID=AKIAE2EASYNCJOBS AWS_SECRET_ACCESS_KEY="e2e/secret+key-never-logged" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN

s3() { # s3 COMMAND [ARG]: create-bucket, incomplete-uploads, objects SUBSTRING (counts keys holding it)
  python3 - "$ENDPOINT" "$BUCKET" "$@" <<'PY'
import sys
import boto3
from botocore.config import Config
endpoint, bucket, command = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
if command == "create-bucket":
    s3.create_bucket(Bucket=bucket)
elif command == "incomplete-uploads":
    print(len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])))
elif command == "objects":
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in page.get("Contents", [])]
    print(sum(sys.argv[4] in key for key in keys))
PY
}
s3 create-bucket

start_server() {
  "$BIN" serve --port "$PORT" --data-dir "$DATA" --workers 2 \
    --results "s3://$BUCKET/jobs?endpoint=$ENDPOINT&region=us-east-1&path-style=true" "$@" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do curl -sf "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start"; cat "$WORK/server.log"; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

auth() {
  CREDS=$DATA/dev-credentials.json
  TOKEN=$(curl -sf -X POST "$BASE/oauth2/token" -d grant_type=client_credentials \
    -d client_id="$(jq -r .clientId "$CREDS")" -d client_secret="$(jq -r .clientSecret "$CREDS")" | jq -r .access_token)
  AUTH=(-H "X-API-Key: $(jq -r .apiKey "$CREDS")" -H "Authorization: Bearer $TOKEN")
}
submit() { # submit JSON_PARAMETERS -> job id
  curl -sf -X POST "$BASE/v1/jobs" "${AUTH[@]}" -H 'Content-Type: application/json' \
    -d "{\"type\":\"demo.csv\",\"parameters\":$1}" | jq -r .jobId
}
status() { curl -s "$BASE/v1/jobs/$1/status" "${AUTH[@]}"; }
wait_for() { # wait_for JOB STATUS [TENTHS]
  for _ in $(seq 1 "${3:-600}"); do [ "$(status "$1" | jq -r .status)" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }

# --- 1. a demo.csv result in the bucket, downloaded with plain curl --------------------------------
start_server
auth
contains "the server logs where results go" "s3://$BUCKET/jobs at $ENDPOINT" "$(cat "$WORK/server.log")"
JOB=$(submit '{"rows":1000}')
wait_for "$JOB" completed || true
STATUS=$(status "$JOB")
check "the job completes" "completed" "$(echo "$STATUS" | jq -r .status)"
RESULT_URL=$(echo "$STATUS" | jq -r .resultUrl)
contains "resultUrl points at the object in the bucket" "$ENDPOINT/$BUCKET/jobs/" "$RESULT_URL"
contains "resultUrl is pre-signed" "X-Amz-Signature=" "$RESULT_URL"
contains "resultUrl asks for a download file name" "response-content-disposition=attachment" "$RESULT_URL"
check "resultUrlExpiresInSeconds is the TTL" "300" "$(echo "$STATUS" | jq -r .resultUrlExpiresInSeconds)"
check "curl downloads it (200)" "200" "$(curl -s -D "$WORK/headers" -o "$WORK/result.csv" -w '%{http_code}' "$RESULT_URL")"
check "the CSV has a header and 1000 rows" "1001" "$(wc -l <"$WORK/result.csv" | tr -d ' ')"
# moto ignores response-content-disposition (AWS honours it); the media type was stored with the object.
contains "the bucket serves it as text/csv" "text/csv" "$(grep -i '^content-type:' "$WORK/headers")"
check "the bytes match the job's SHA-256" "$(curl -s "$BASE/v1/jobs/$JOB" "${AUTH[@]}" | jq -r .result.sha256)" "$(sha256sum "$WORK/result.csv" | cut -d' ' -f1)"

# --- 2. deleting the job deletes its object --------------------------------------------------------
check "the object is in the bucket" "1" "$(s3 objects "/$JOB/")"
check "DELETE answers 204" "204" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$BASE/v1/jobs/$JOB" "${AUTH[@]}")"
check "the object is gone from the bucket" "0" "$(s3 objects "/$JOB/")"
contains "the old link answers 403 or 404" "$(curl -s -o /dev/null -w '%{http_code}' "$RESULT_URL")" "403 404"

# --- 3. a large result as a multipart upload, with flat server memory -------------------------------
# demo.csv rows are 24 to 26 bytes; ask for enough rows to pass LARGE_MIB (at most 10 million, ~250 MB).
ROWS=$(( LARGE_MIB * 1024 * 1024 / 24 + 1 ))
[ "$ROWS" -gt 10000000 ] && ROWS=10000000
BASELINE=$(rss_kib)
PEAK=$BASELINE
STARTED=$(date +%s)
BIG=$(submit "{\"rows\":$ROWS}")
while [ "$(status "$BIG" | jq -r .status)" = processing ]; do
  NOW=$(rss_kib); [ "$NOW" -gt "$PEAK" ] && PEAK=$NOW
  [ $(( $(date +%s) - STARTED )) -gt 1200 ] && break
  sleep 0.2
done
ELAPSED=$(( $(date +%s) - STARTED ))
BIG_STATUS=$(curl -s "$BASE/v1/jobs/$BIG" "${AUTH[@]}")
check "the large job completes" "completed" "$(echo "$BIG_STATUS" | jq -r .status)"
BIG_SIZE=$(echo "$BIG_STATUS" | jq -r .result.size)
echo "     large result: $BIG_SIZE bytes in ${ELAPSED}s; server RSS ${BASELINE} KiB before, peak ${PEAK} KiB"
check "the result is at least ${LARGE_MIB} MiB" "yes" "$([ "$BIG_SIZE" -ge $(( LARGE_MIB * 1024 * 1024 )) ] && echo yes || echo no)"
# The upload holds at most (part-concurrency + 1) parts of 8 MiB: 40 MiB with the defaults.
check "server RSS grew by less than 48 MiB while uploading" "yes" "$([ $(( PEAK - BASELINE )) -lt $(( 48 * 1024 )) ] && echo yes || echo no)"
BIG_URL=$(status "$BIG" | jq -r .resultUrl)
check "the large result downloads with its SHA-256" "$(echo "$BIG_STATUS" | jq -r .result.sha256)" "$(curl -s "$BIG_URL" | sha256sum | cut -d' ' -f1)"
check "no incomplete multipart upload is left" "0" "$(s3 incomplete-uploads)"

# --- 4. cancelling during a multipart upload aborts it ----------------------------------------------
SLOW=$(submit '{"rows":10000000,"durationMs":60000}')
for _ in $(seq 1 600); do [ "$(s3 incomplete-uploads)" -gt 0 ] && break; sleep 0.2; done
check "the slow job is uploading in parts" "1" "$(s3 incomplete-uploads)"
check "cancel answers 200" "200" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/jobs/$SLOW/cancel" "${AUTH[@]}")"
for _ in $(seq 1 100); do [ "$(s3 incomplete-uploads)" = 0 ] && break; sleep 0.1; done
check "list-multipart-uploads is empty after the cancel" "0" "$(s3 incomplete-uploads)"
check "the cancelled job left no object" "0" "$(s3 objects "/$SLOW/")"
check "the status says cancelled" "cancelled" "$(status "$SLOW" | jq -r .status)"
stop_server

# --- 5. result retention ----------------------------------------------------------------------------
start_server --result-retention 3s
SHORT=$(submit '{"rows":10}')
wait_for "$SHORT" completed || true
SHORT_URL=$(status "$SHORT" | jq -r .resultUrl)
check "the fresh result downloads" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$SHORT_URL")"
for _ in $(seq 1 100); do [ "$(status "$SHORT" | jq -r .error.code)" = result_expired ] && break; sleep 0.1; done
EXPIRED=$(curl -s "$BASE/v1/jobs/$SHORT/status" "${AUTH[@]}" -H 'Accept: application/json')
check "after the retention the status says result_expired" "result_expired" "$(echo "$EXPIRED" | jq -r .error.code)"
check "the status is still completed" "completed" "$(echo "$EXPIRED" | jq -r .status)"
check "no resultUrl is handed out" "null" "$(echo "$EXPIRED" | jq -r .resultUrl)"
check "resultExpiredAt is set" "yes" "$(echo "$EXPIRED" | jq -r 'if .resultExpiredAt then "yes" else "no" end')"
contains "the old link answers 403 or 404" "$(curl -s -o /dev/null -w '%{http_code}' "$SHORT_URL")" "403 404"
stop_server

lacks "the AWS secret key never reaches the log" "$AWS_SECRET_ACCESS_KEY" "$(cat "$WORK/server.log")"
report "s3-e2e"
