#!/usr/bin/env bash
# The SOAP face against the real binary on 127.0.0.1, as a new user would try it:
#   1. `asyncjobs tba create`, then the seed's checkAsyncStatus envelope posted with curl, signed with
#      `openssl dgst -sha256 -hmac`: the seed's response shape for a real job;
#   2. the same envelope again, a timestamp 10 minutes old, a changed signature, an XXE payload
#      reading /etc/passwd: each a SOAP Fault, with nothing of the file in it;
#   3. `asyncjobs status --soap` (the Swift client signing its own passport);
#   4. zeep (PyPI), using only our WSDL: submit, check, fetch the result.
# Needs curl, jq, openssl and python3 with zeep. Stops everything it started.
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

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT


"$BIN" serve --port "$PORT" --data-dir "$DATA" --workers 2 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

TBA=$WORK/tba.json
"$BIN" tba create --tenant dev --data-dir "$DATA" >"$TBA" 2>/dev/null
check "tba create prints the five fields" "account,consumerKey,consumerSecret,tokenId,tokenSecret" "$(jq -r 'keys | join(",")' "$TBA")"
ACCOUNT=$(jq -r .account "$TBA"); CONSUMER_KEY=$(jq -r .consumerKey "$TBA"); TOKEN_ID=$(jq -r .tokenId "$TBA")
KEY="$(jq -r .consumerSecret "$TBA")&$(jq -r .tokenSecret "$TBA")"
lacks "the secrets are not stored in plain text" "$(jq -r .tokenSecret "$TBA")" "$(cat "$DATA"/asyncjobs.sqlite* | tr -c '[:print:]' ' ')"

# A real job, through REST.
CREDS=$DATA/dev-credentials.json
TOKEN=$(curl -sf -X POST "$BASE/oauth2/token" -d grant_type=client_credentials \
  -d client_id="$(jq -r .clientId "$CREDS")" -d client_secret="$(jq -r .clientSecret "$CREDS")" | jq -r .access_token)
AUTH=(-H "X-API-Key: $(jq -r .apiKey "$CREDS")" -H "Authorization: Bearer $TOKEN")
JOB=$(curl -sf -X POST "$BASE/v1/jobs" "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"type":"demo.csv","parameters":{"rows":100}}' | jq -r .jobId)
for _ in $(seq 1 100); do
  [ "$(curl -sf "$BASE/v1/jobs/$JOB/status" "${AUTH[@]}" | jq -r .status)" = completed ] && break
  sleep 0.1
done

# The seed's envelope, byte for byte but for its placeholders and job id.
sign() { printf '%s' "$ACCOUNT&$CONSUMER_KEY&$TOKEN_ID&$1&$2" | openssl dgst -sha256 -hmac "$KEY" -binary | base64; }
envelope() { # envelope NONCE TIMESTAMP [SIGNATURE]
  local signature=${3:-$(sign "$1" "$2")}
  sed -e "s|{{accountId}}|$ACCOUNT|; s|{{consumerKey}}|$CONSUMER_KEY|; s|{{tokenId}}|$TOKEN_ID|" \
      -e "s|{{nonce}}|$1|; s|{{timestamp}}|$2|; s|{{signature}}|$signature|" \
      -e "s|ASYNCWEBSERVICES_TSTDRV2782962_080120231326469820838822226_7|$JOB|" \
      Tests/AsyncJobsSOAPTests/Fixtures/seed-checkAsyncStatus-request.xml
}
post() { curl -s -o "$WORK/body" -w '%{http_code}' -X POST "$BASE/soap" -H 'Content-Type: text/xml; charset=utf-8' --data-binary @-; }

NOW=$(date +%s)
envelope "nonce$NOW" "$NOW" >"$WORK/seed.xml"
check "the seed's request answers 200" "200" "$(post <"$WORK/seed.xml")"
RESPONSE=$(cat "$WORK/body")
contains "documentInfo/nsId header" "<platformMsgs:nsId>WEBSERVICES_DEV_" "$RESPONSE"
contains "the response element in no namespace" '<checkAsyncStatusResponse xmlns="">' "$RESPONSE"
contains "asyncStatusResult in the core namespace" '<platformCore:asyncStatusResult xmlns:platformCore="urn:core_2021_2.platform.webservices.netsuite.com">' "$RESPONSE"
contains "jobId" "<platformCore:jobId>$JOB</platformCore:jobId>" "$RESPONSE"
contains "status finished" "<platformCore:status>finished</platformCore:status>" "$RESPONSE"
contains "percentCompleted as a decimal" "<platformCore:percentCompleted>100.0</platformCore:percentCompleted>" "$RESPONSE"
contains "estRemainingDuration as a decimal" "<platformCore:estRemainingDuration>0.0</platformCore:estRemainingDuration>" "$RESPONSE"

check "the same envelope again is refused" "500" "$(post <"$WORK/seed.xml")"
contains "... as an invalid login" "<platformFaults:code>INVALID_LOGIN_ATTEMPT</platformFaults:code>" "$(cat "$WORK/body")"
OLD=$((NOW - 600))
check "a timestamp 10 minutes old is refused" "500" "$(envelope "old$NOW" "$OLD" | post)"
contains "... with the same fault" "<faultstring>Invalid login attempt.</faultstring>" "$(cat "$WORK/body")"
SIGNATURE=$(sign "changed$NOW" "$NOW")
check "a changed signature is refused" "500" "$(envelope "changed$NOW" "$NOW" "AAAA${SIGNATURE:4}" | post)"
contains "... with the same fault" "<faultstring>Invalid login attempt.</faultstring>" "$(cat "$WORK/body")"

XXE='<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<checkAsyncStatus><jobId>&x;</jobId></checkAsyncStatus></soapenv:Body></soapenv:Envelope>'
check "an XXE payload is a fault" "500" "$(printf '%s' "$XXE" | post)"
contains "... a SOAP Fault" "<soapenv:Fault>" "$(cat "$WORK/body")"
lacks "... with nothing of /etc/passwd in it" "root:" "$(cat "$WORK/body")"
head -c 2000000 /dev/zero | tr '\0' 'a' >"$WORK/big.xml"
check "a body over 1 MiB is a fault" "500" "$(post <"$WORK/big.xml")"
contains "... a SOAP Fault saying so" "larger than" "$(cat "$WORK/body")"
check "wrong content type is a fault" "500" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/soap" -H 'Content-Type: application/json' -d '{}')"

# The Swift client, signing its own passport.
OUT=$("$BIN" status "$JOB" --soap --url "$BASE" --tba-credentials "$TBA")
contains "asyncjobs status --soap" "status:    finished" "$OUT"
set +e
"$BIN" status not-a-job --soap --url "$BASE" --tba-credentials "$TBA" >/dev/null 2>"$WORK/err"
CODE=$?
set -e
check "asyncjobs status --soap on an unknown job exits 6" "6" "$CODE"
contains "... with the server's fault" "INVALID_JOBID" "$(cat "$WORK/err")"

# zeep, from our WSDL only.
if python3 - "$BASE" "$TBA" <<'PY'
import base64, hashlib, hmac, json, secrets, sys, time
import zeep
base, tba = sys.argv[1], json.load(open(sys.argv[2]))
client = zeep.Client(base + "/soap?wsdl")
def passport():
    nonce, ts = secrets.token_hex(12), str(int(time.time()))
    text = "&".join([tba["account"], tba["consumerKey"], tba["tokenId"], nonce, ts])
    key = (tba["consumerSecret"] + "&" + tba["tokenSecret"]).encode()
    signature = base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()
    return {"tokenPassport": {"account": tba["account"], "consumerKey": tba["consumerKey"], "token": tba["tokenId"],
            "nonce": nonce, "timestamp": int(ts), "signature": {"_value_1": signature, "algorithm": "HMAC-SHA256"}}}
submitted = client.service.submitAsyncJob(jobType="demo.csv", parameters='{"rows": 250}', _soapheaders=passport())
job = submitted.body.asyncStatusResult.jobId
for _ in range(100):
    status = client.service.checkAsyncStatus(jobId=job, _soapheaders=passport()).body.asyncStatusResult
    if status.status == "finished":
        break
    time.sleep(0.1)
assert status.status == "finished" and status.percentCompleted == 100.0, status
result = client.service.getAsyncResult(jobId=job, pageIndex=1, _soapheaders=passport()).body.asyncResult
content = b""
for page in range(1, result.totalPages + 1):
    content += client.service.getAsyncResult(jobId=job, pageIndex=page, _soapheaders=passport()).body.asyncResult.content
assert hashlib.sha256(content).hexdigest() == result.sha256, "content matches its checksum"
assert content.count(b"\n") == 251, "header and 250 rows"
try:
    bad = passport(); bad["tokenPassport"]["signature"]["_value_1"] = "AAAA" + bad["tokenPassport"]["signature"]["_value_1"][4:]
    client.service.checkAsyncStatus(jobId=job, _soapheaders=bad)
    raise SystemExit("a bad signature was accepted")
except zeep.exceptions.Fault as fault:
    assert fault.message == "Invalid login attempt.", fault.message
print(f"zeep: submitted {job}, finished, fetched {len(content)} bytes in {result.totalPages} page(s), bad signature refused")
PY
then check "zeep submits, checks and fetches using only the WSDL" "yes" "yes"; else check "zeep submits, checks and fetches using only the WSDL" "yes" "no"; fi

lacks "no secret in the server log" "$(jq -r .tokenSecret "$TBA")" "$(cat "$WORK/server.log")"
report soap-e2e
