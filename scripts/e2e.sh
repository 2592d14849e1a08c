#!/usr/bin/env bash
# End-to-end checks against the real `asyncjobs` binary on 127.0.0.1, as a new user would run it:
#   1. the README's curl flow: token, submit, poll, download (200), tampered link (403), expired link (403)
#   2. a second tenant (created while the server runs) gets 404 for the first tenant's job
#   3. kill -9 of the server with 200 demo.csv jobs queued or running, then a restart: all 200 complete,
#      every result matches its SHA-256, and the database passes PRAGMA integrity_check.
#   4. admission limits on a second node: requests past --max-concurrent-requests get 503 at once,
#      submissions past --max-queued-jobs get 429, and both come back when the load goes.
# Needs curl, jq, sqlite3 and sha256sum. Stops everything it started.
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
LIMITED_PID=""

cleanup() {
  [ -n "$LIMITED_PID" ] && kill "$LIMITED_PID" 2>/dev/null && wait "$LIMITED_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT


start_server() {
  "$BIN" serve --port "$PORT" --data-dir "$DATA" --result-url-ttl "${TTL:-300}" --lease-ttl 3 --workers 2 --body-timeout 2 "$@" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start"; cat "$WORK/server.log"; exit 1
}

token() { # token CREDENTIALS_FILE
  curl -sf -X POST "$BASE/oauth2/token" -d grant_type=client_credentials \
    -d client_id="$(jq -r .clientId "$1")" -d client_secret="$(jq -r .clientSecret "$1")" | jq -r .access_token
}

# --- 1. the README flow -------------------------------------------------------------------------
TTL=3 start_server
CREDS=$DATA/dev-credentials.json
check "dev credentials file is private" "600" "$(stat -c %a "$CREDS")"
KEY=$(jq -r .apiKey "$CREDS")
TOKEN=$(token "$CREDS")
AUTH=(-H "X-API-Key: $KEY" -H "Authorization: Bearer $TOKEN")

SUBMIT=$(curl -s -D "$WORK/headers" -X POST "$BASE/v1/jobs" "${AUTH[@]}" -H 'Content-Type: application/json' \
  -d '{"type":"demo.csv","parameters":{"rows":1000,"durationMs":500}}')
check "submit answers 202" "202" "$(head -1 "$WORK/headers" | awk '{print $2}')"
STATUS_URL=$(echo "$SUBMIT" | jq -r .statusUrl)
check "Location is the absolute status URL" "$STATUS_URL" "$(grep -i '^location:' "$WORK/headers" | awk '{print $2}' | tr -d '\r')"

for _ in $(seq 1 100); do
  STATUS=$(curl -s "$STATUS_URL" "${AUTH[@]}" -H 'Accept: application/vnd.sciquest.com.ees+json')
  [ "$(echo "$STATUS" | jq -r .status)" = completed ] && break
  sleep 0.1
done
check "job completes" "completed" "$(echo "$STATUS" | jq -r .status)"
check "vendor status has exactly the seed's fields" "resultUrl,resultUrlExpiresInSeconds,status" "$(echo "$STATUS" | jq -r 'keys | join(",")')"
RESULT_URL=$(echo "$STATUS" | jq -r .resultUrl)
check "download answers 200" "200" "$(curl -s -o "$WORK/result.csv" -w '%{http_code}' "$RESULT_URL")"
check "the CSV has a header and 1000 rows" "1001" "$(wc -l <"$WORK/result.csv" | tr -d ' ')"
TAMPERED="${RESULT_URL%?}$([ "${RESULT_URL: -1}" = 0 ] && echo 1 || echo 0)"
check "a tampered signature answers 403" "403" "$(curl -s -o /dev/null -w '%{http_code}' "$TAMPERED")"
sleep 4
check "the link after its TTL answers 403" "403" "$(curl -s -o "$WORK/expired.xml" -w '%{http_code}' "$RESULT_URL")"
check "the 403 says the request has expired" "Request has expired" "$(sed -n 's:.*<Message>\(.*\)</Message>.*:\1:p' "$WORK/expired.xml")"

# --- 1a. a URL pre-signed by boto3 with the server's signing credentials is accepted ---------------
if python3 -c "import boto3" 2>/dev/null; then
  OBJECT_KEY=$(echo "$RESULT_URL" | sed 's:.*/v1/results/::; s:?.*::')
  BOTO_URL=$(python3 - "$DATA/asyncjobs.sqlite" "$BASE" "$OBJECT_KEY" <<'PY'
import sqlite3, sys
import boto3
from botocore.config import Config
db = sqlite3.connect(sys.argv[1])
secret = dict(db.execute("SELECT name, value FROM secrets WHERE name LIKE 'sigv4.%'").fetchall())
s3 = boto3.client("s3", endpoint_url=sys.argv[2], region_name="us-east-1",
                  aws_access_key_id=secret["sigv4.access-key-id"], aws_secret_access_key=secret["sigv4.secret-access-key"],
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
# Path-style: bucket "v1", key "results/<key>" gives exactly the download route's path.
print(s3.generate_presigned_url("get_object", Params={"Bucket": "v1", "Key": "results/" + sys.argv[3]}, ExpiresIn=60))
PY
)
  check "a boto3-presigned URL downloads the result" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BOTO_URL")"
else
  echo "skip the boto3 presigner check (needs boto3 from PyPI)"
fi

# --- 1b. a client written like the seed's Java sample --------------------------------------------
JACKSON=/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
if command -v javac >/dev/null 2>&1 && [ -f /usr/share/java/jackson-databind.jar ]; then
  javac -d "$WORK/java" -cp "$JACKSON" scripts/interop/AsyncStatusPoller.java
  JAVA_URL=$(curl -sf -X POST "$BASE/v1/jobs" "${AUTH[@]}" -H 'Content-Type: application/json' \
    -d '{"type":"demo.csv","parameters":{"rows":500,"durationMs":4000}}' | jq -r .statusUrl)
  java -cp "$WORK/java:$JACKSON" AsyncStatusPoller "$JAVA_URL" "$TOKEN" "$KEY" "$WORK/java.csv" | sed 's/^/     java: /'
  check "the seed-style Java poller downloads the CSV" "501" "$(wc -l <"$WORK/java.csv" 2>/dev/null | tr -d ' ')"
else
  echo "skip the seed-style Java poller (needs javac and Debian's libjackson2-databind-java)"
fi

# A client that sends its headers and then trickles (here: stops) its body gets 408, not a hung task.
SLOW=$(python3 - "$PORT" "$KEY" "$TOKEN" <<'PY'
import socket, sys, time
port, key, token = sys.argv[1:]
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall((f"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nAuthorization: Bearer {token}\r\n"
           "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\": ").encode())
s.settimeout(15)
started = time.monotonic()
status = s.recv(64).split(b"\r\n")[0].decode()
print(f"{status.split(' ')[1]} {time.monotonic() - started < 6}")
PY
)
check "a body that stops arriving gets 408 within the body timeout" "408 True" "$SLOW"

# --- 2. tenant isolation ------------------------------------------------------------------------
"$BIN" tenant create other --data-dir "$DATA" >"$WORK/other.json"
OTHER_AUTH=(-H "X-API-Key: $(jq -r .apiKey "$WORK/other.json")" -H "Authorization: Bearer $(token "$WORK/other.json")")
check "another tenant gets 404 for the job" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$STATUS_URL" "${OTHER_AUTH[@]}")"
check "the owner still sees it" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$STATUS_URL" "${AUTH[@]}")"

# --- 3. kill -9 with 200 jobs in flight, then restart --------------------------------------------
BASELINE=$(sqlite3 "$DATA/asyncjobs.sqlite" "SELECT COUNT(*) FROM jobs WHERE state='succeeded'")
for i in $(seq 1 200); do
  curl -sf -X POST "$BASE/v1/jobs" "${AUTH[@]}" -H 'Content-Type: application/json' \
    -d '{"type":"demo.csv","parameters":{"rows":2000,"durationMs":150}}' | jq -r .jobId
done >"$WORK/ids"
check "200 submissions accepted" "200" "$(sort -u "$WORK/ids" | wc -l | tr -d ' ')"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
BEFORE=$(sqlite3 "$DATA/asyncjobs.sqlite" "SELECT state || ':' || COUNT(*) FROM jobs WHERE type='demo.csv' GROUP BY state ORDER BY state" | tr '\n' ' ')
echo "     after kill -9: $BEFORE"
start_server
TOKEN=$(token "$CREDS")
AUTH=(-H "X-API-Key: $KEY" -H "Authorization: Bearer $TOKEN")
for _ in $(seq 1 600); do
  DONE=$(sqlite3 "$DATA/asyncjobs.sqlite" "SELECT COUNT(*) FROM jobs WHERE state='succeeded'")
  [ "$DONE" -ge "$((200 + BASELINE))" ] && break
  sleep 0.2
done
check "all 200 jobs completed after the restart" "$((200 + BASELINE))" "$DONE"
corrupt=0
while read -r id; do
  job=$(curl -s "$BASE/v1/jobs/$id" "${AUTH[@]}")
  url=$(curl -s "$BASE/v1/jobs/$id/status" "${AUTH[@]}" | jq -r .resultUrl)
  curl -s -o "$WORK/r.csv" "$url"
  [ "$(sha256sum "$WORK/r.csv" | cut -d' ' -f1)" = "$(echo "$job" | jq -r .result.sha256)" ] || corrupt=$((corrupt + 1))
  [ "$(wc -l <"$WORK/r.csv" | tr -d ' ')" = 2001 ] || corrupt=$((corrupt + 1))
done <"$WORK/ids"
check "no result is truncated or mismatches its checksum" "0" "$corrupt"
check "jobs that were running were retried, none lost" "0" "$(sqlite3 "$DATA/asyncjobs.sqlite" "SELECT COUNT(*) FROM jobs WHERE state != 'succeeded'")"
echo "     attempts: $(sqlite3 "$DATA/asyncjobs.sqlite" "SELECT 'attempt ' || attempt || ': ' || COUNT(*) FROM jobs GROUP BY attempt" | tr '\n' ' ')"
check "PRAGMA integrity_check" "ok" "$(sqlite3 "$DATA/asyncjobs.sqlite" 'PRAGMA integrity_check')"
# --- 4. admission limits, on a second node sharing the database ----------------------------------
LIMITED_PORT=$(free_port)
"$BIN" serve --port "$LIMITED_PORT" --data-dir "$DATA" --workers 1 --max-concurrent-requests 2 --max-queued-jobs 2 \
  --body-timeout 20 >>"$WORK/server.log" 2>&1 &
LIMITED_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$LIMITED_PORT/healthz" >/dev/null && break; sleep 0.1; done
OTHER_KEY=$(jq -r .apiKey "$WORK/other.json"); OTHER_TOKEN=$(token "$WORK/other.json")
# Two requests whose bodies stop arriving occupy both places; a third request is refused at once.
ADMISSION=$(python3 - "$LIMITED_PORT" "$OTHER_KEY" "$OTHER_TOKEN" <<'PY'
import socket, sys, time, urllib.request, urllib.error
port, key, token = sys.argv[1:]
def healthz():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status, None
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Retry-After")
def stall():
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall((f"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nAuthorization: Bearer {token}\r\n"
               "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\": ").encode())
    s.setblocking(False)
    return s
def answered(s):  # the server answered (or closed): the request no longer holds a place
    try:
        s.recv(1, socket.MSG_PEEK)
        return True
    except BlockingIOError:
        return False
held = [stall(), stall()]
deadline = time.monotonic() + 10
while (answer := healthz())[0] != 503 and time.monotonic() < deadline:
    # A health check can slip in between the two stalled requests and take the second place for a
    # moment, and then the second stalled request is the one refused: stall another in its place.
    for index, s in enumerate(held):
        if answered(s):
            s.close()
            held[index] = stall()
    time.sleep(0.05)
refused = f"{answer[0]} retry-after={answer[1]}"
for s in held:
    s.close()
deadline = time.monotonic() + 10
while (answer := healthz())[0] != 200 and time.monotonic() < deadline:
    time.sleep(0.05)
print(f"{refused} then {answer[0]}")
PY
)
check "requests past --max-concurrent-requests get 503 with Retry-After, then 200 once the load goes" "503 retry-after=1 then 200" "$ADMISSION"
LIMITED_AUTH=(-H "X-API-Key: $OTHER_KEY" -H "Authorization: Bearer $OTHER_TOKEN")
for _ in 1 2; do
  curl -s -o /dev/null -X POST "http://127.0.0.1:$LIMITED_PORT/v1/jobs" "${LIMITED_AUTH[@]}" -H 'Content-Type: application/json' \
    -d '{"type":"demo.csv","parameters":{"rows":10,"durationMs":20000}}'
done
OVER=$(curl -s -D "$WORK/limit-headers" -X POST "http://127.0.0.1:$LIMITED_PORT/v1/jobs" "${LIMITED_AUTH[@]}" -H 'Content-Type: application/json' \
  -d '{"type":"demo.csv","parameters":{"rows":10}}')
check "a submission past --max-queued-jobs gets 429 too-many-queued-jobs" "429 urn:asyncjobs:problem:too-many-queued-jobs" \
  "$(head -1 "$WORK/limit-headers" | awk '{print $2}') $(echo "$OVER" | jq -r .type)"
check "the refused submission stored nothing" "2" \
  "$(sqlite3 "$DATA/asyncjobs.sqlite" "SELECT COUNT(*) FROM jobs j JOIN tenants t ON t.id = j.tenant_id WHERE t.name = 'other'")"
kill "$LIMITED_PID"; wait "$LIMITED_PID" 2>/dev/null || true; LIMITED_PID=""

check "no secret in the server log" "0" "$(grep -c -e "$KEY" -e "$(jq -r .clientSecret "$CREDS")" -e "$TOKEN" "$WORK/server.log" || true)"

report e2e
