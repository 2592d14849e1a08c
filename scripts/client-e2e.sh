#!/usr/bin/env bash
# End-to-end checks of the client CLI (`asyncjobs submit/status/wait/cancel/jobs`) against the real
# server binary on 127.0.0.1, as a new user would run them — no credentials given, so the client reads the
# dev-credentials.json that `serve` writes:
#   1. submit demo.csv (100,000 rows over 5 s), then wait: a progress bar on a terminal, plain lines
#      otherwise, and a correct file (also to standard output)
#   2. distinct exit codes: failed (with the server's message), cancelled, timed out, refused, unreachable, usage
#   3. a link that expired before the download started is renewed through the status URL
#   4. a result of more than 1 GiB downloads with the client under 64 MiB of RSS
#   5. kill -9 of the server mid-download, then a restart: the download resumes and the checksum matches
# Needs python3, sha256sum, script (util-linux) and GNU time. Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/lib/checks.sh

swift build --product asyncjobs >/dev/null
BIN=$ROOT/.build/debug/asyncjobs
WORK=$(mktemp -d)
cd "$WORK"
PORT=$(free_port)
export ASYNCJOBS_URL=http://127.0.0.1:$PORT
unset ASYNCJOBS_API_KEY ASYNCJOBS_CLIENT_ID ASYNCJOBS_CLIENT_SECRET ASYNCJOBS_DATA_DIR
SERVER_PID=""
PROXY_PID=""
CLIENT_PID=""

cleanup() {
  for pid in "$CLIENT_PID" "$PROXY_PID" "$SERVER_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  cd /
  rm -rf "$WORK"
}
trap cleanup EXIT


# The server keeps its data in ./.asyncjobs, as `swift run asyncjobs serve` does. Links live 2 s, so
# that the renewal checks below can wait for a real expiry.
start_server() {
  "$BIN" serve --port "$PORT" --result-url-ttl 2 --workers 2 >>server.log 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$ASYNCJOBS_URL/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start"; cat server.log; exit 1
}

expected_csv() { # expected_csv ROWS: the bytes demo.csv writes
  python3 -c '
import sys
out = sys.stdout
out.write("id,name,value\n")
for i in range(int(sys.argv[1])):
    out.write(f"{i + 1},item-{i + 1},{(i * 7919) % 10007}\n")' "$1"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
exit_code() { set +e; "$@" >/dev/null 2>>"$WORK/codes.err"; echo $?; set -e; }

start_server

# --- 1. the new user's flow ---------------------------------------------------------------------
URL=$("$BIN" submit demo.csv --param rows=100000 --param durationMs=5000)
check "submit prints the status URL" "$ASYNCJOBS_URL/v1/jobs/" "$(echo "$URL" | grep -o '^.*/v1/jobs/')"
# A pseudo-terminal, as a user at a shell has: `script` runs wait with its stdio on one.
set +e
script -qefc "$BIN wait $URL --output out.csv" /dev/null >tty.log 2>&1
rc=$?
set -e
check "wait on a terminal exits 0" "0" "$rc"
check "the terminal shows a bar redrawn in place" "yes" "$(grep -q $'\r.*\\[#' tty.log && echo yes || echo no)"
check "the bar reaches 100%" "yes" "$(grep -q '\[##############################\] completed 100%' tty.log && echo yes || echo no)"
check "the bar shows an ETA while the job runs" "yes" "$(grep -q 'processing .*ETA 0:0' tty.log && echo yes || echo no)"
expected_csv 100000 >expected.csv
check "out.csv is the job's result" "$(sha expected.csv)" "$(sha out.csv)"
check "wait leaves no temporary file" "0" "$(find . -maxdepth 1 -name '.out.csv.*' | wc -l | tr -d ' ')"
"$BIN" wait "$URL" >stdout.csv 2>plain.log
check "without --output the result goes to standard output" "$(sha expected.csv)" "$(sha stdout.csv)"
check "not on a terminal: plain lines, no bar" "0" "$(grep -c $'\r' plain.log || true)"
check "plain lines say what happened" "completed 100%" "$(head -1 plain.log)"
"$BIN" status "$URL" >status.txt
check "status shows the status" "completed" "$(awk '/^status:/ {print $2}' status.txt)"
"$BIN" jobs --status completed >jobs.txt
check "jobs lists the job" "1" "$(grep -c "$(basename "$(dirname "$URL")")" jobs.txt)"
echo "     output of the run on a terminal (carriage returns shown as new lines):"
tr '\r' '\n' <tty.log | sed 's/\x1b\[2K//' | grep -v '^$' >tty.lines
{ head -1 tty.lines; grep 'ETA' tty.lines | tail -1; grep -m1 'completed 100%' tty.lines; tail -1 tty.lines; } | sed 's/^/       /'

# --- 2. exit codes ------------------------------------------------------------------------------
FAILING=$("$BIN" submit demo.csv --param rows=1000 --param failAtPercent=40)
set +e
"$BIN" wait "$FAILING" -o failed.csv 2>failed.err
rc=$?
set -e
check "a failed job exits 2" "2" "$rc"
check "with the server's message" "yes" "$(grep -q 'failed on reaching 40% as requested by failAtPercent=40' failed.err && echo yes || echo no)"
check "and leaves no file" "no" "$([ -e failed.csv ] && echo yes || echo no)"
LONG=$("$BIN" submit demo.csv --param rows=100 --param durationMs=60000)
check "wait --timeout exits 4" "4" "$(exit_code "$BIN" wait "$LONG" --timeout 1)"
check "cancel exits 0" "0" "$(exit_code "$BIN" cancel "$LONG")"
check "a cancelled job exits 3" "3" "$(exit_code "$BIN" wait "$LONG")"
check "a refused request (unknown type) exits 6" "6" "$(exit_code "$BIN" submit no.such.type)"
check "cancelling a completed job is refused: 6" "6" "$(exit_code "$BIN" cancel "$URL")"
check "a bad command line exits 64" "64" "$(exit_code "$BIN" wait)"
check "an unreachable server exits 7" "7" "$(exit_code "$BIN" jobs --url "http://127.0.0.1:$(free_port)")"

# --- 3. a link that expired before the download started ------------------------------------------
PROXY_PORT=$(free_port)
python3 "$ROOT/scripts/interop/slow_status_proxy.py" "$PROXY_PORT" "$PORT" 3.5 &
PROXY_PID=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PROXY_PORT/healthz" >/dev/null && break; sleep 0.1; done
SMALL=$("$BIN" submit demo.csv --param rows=1000)
# The same status URL, through the proxy that holds the first 'completed' answer 3.5 s (links live 2 s).
"$BIN" wait "${SMALL/:$PORT/:$PROXY_PORT}" -o renewed.csv 2>renewed.err
check "the expired link was renewed once through the status URL" "yes" "$(grep -q 'link renewed 1×' renewed.err && echo yes || echo no)"
expected_csv 1000 >expected-small.csv
check "and the file is right" "$(sha expected-small.csv)" "$(sha renewed.csv)"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=""

# --- 4. more than 1 GiB with flat memory ---------------------------------------------------------
# demo.csv stops at 10 million rows (~250 MB), so a real job's stored result is made bigger: its object
# becomes 500 copies of the 100,000-row CSV (1.08 GB), with size and SHA-256 updated in the object's
# metadata. The server then streams it through its real download route with Content-Length and ETag.
BIG=$("$BIN" submit demo.csv --param rows=100000)
# --output naming a pipe (or a device such as /dev/null) writes into it and never replaces it.
mkfifo pipe
cat pipe >from-pipe.csv &
"$BIN" wait "$BIG" -o pipe 2>/dev/null
wait $!
check "--output to a pipe writes through it" "$(sha expected.csv)" "$(sha from-pipe.csv)"
check "and leaves the pipe a pipe" "fifo" "$(stat -c %F pipe)"
KEY=$("$BIN" status "$BIG" | awk '/^resultUrl:/ {print $2}' | sed 's:.*/v1/results/::; s:?.*::')
OBJECT=.asyncjobs/results/objects/$KEY
for _ in $(seq 1 500); do cat expected.csv; done >"$OBJECT.new"
mv "$OBJECT.new" "$OBJECT"
BIG_SIZE=$(stat -c %s "$OBJECT")
BIG_SHA=$(sha "$OBJECT")
python3 - ".asyncjobs/results/meta/$KEY.json" "$BIG_SIZE" "$BIG_SHA" <<'PY'
import json, sys
path, size, sha = sys.argv[1], int(sys.argv[2]), sys.argv[3]
meta = json.load(open(path))
meta.update(size=size, sha256=sha)
json.dump(meta, open(path, "w"))
PY
check "the result is over 1 GiB" "yes" "$([ "$BIG_SIZE" -gt 1073741824 ] && echo yes || echo no)"
START=$(date +%s.%N)
/usr/bin/time -v "$BIN" wait "$BIG" -o big.csv 2>big.err
END=$(date +%s.%N)
RSS_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' big.err)
echo "     1 GiB+ download: $BIG_SIZE bytes in $(python3 -c "print(round($END - $START, 1))") s, client max RSS $((RSS_KB / 1024)) MiB"
check "the client stayed under 64 MiB RSS" "yes" "$([ "$RSS_KB" -lt 65536 ] && echo yes || echo no)"
check "the big file is complete and verified" "$BIG_SHA" "$(sha big.csv)"
check "the client checked it against the ETag" "yes" "$(grep -q 'verified against the ETag (SHA-256)' big.err && echo yes || echo no)"
rm -f big.csv

# --- 5. kill -9 of the server mid-download --------------------------------------------------------
"$BIN" wait "$BIG" -o resumed.csv 2>resumed.err &
CLIENT_PID=$!
part_size() { find . -maxdepth 1 -name '.resumed.csv.*.part' -printf '%s\n' 2>/dev/null | head -1; }
for _ in $(seq 1 3000); do
  size=$(part_size)
  [ -n "$size" ] && [ "$size" -gt 104857600 ] && break
  sleep 0.01
done
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
AT_KILL=$(part_size)
echo "     killed the server with ${AT_KILL:-0} of $BIG_SIZE bytes in the client's temporary file"
check "the server died mid-download" "yes" "$([ -n "$AT_KILL" ] && [ "$AT_KILL" -lt "$BIG_SIZE" ] && echo yes || echo no)"
sleep 3  # longer than the link's 2 s: the resumed request must also renew it
start_server
set +e
wait "$CLIENT_PID"
rc=$?
set -e
CLIENT_PID=""
check "the download finished after the restart" "0" "$rc"
check "resumed with Range, not restarted" "yes" "$(grep -q 'resumed [0-9]*×' resumed.err && echo yes || echo no)"
check "with a renewed link" "yes" "$(grep -q 'link renewed [0-9]*×' resumed.err && echo yes || echo no)"
check "the resumed file's checksum matches" "$BIG_SHA" "$(sha resumed.csv)"
tail -1 resumed.err | sed 's/^/     /'
rm -f resumed.csv "$OBJECT"

# --- secrets stay out of output -------------------------------------------------------------------
CREDS=.asyncjobs/dev-credentials.json
leaks=$(cat ./*.log ./*.err ./*.txt | grep -c -e "$(python3 -c 'import json;print(json.load(open(".asyncjobs/dev-credentials.json"))["apiKey"])')" \
  -e "$(python3 -c 'import json;print(json.load(open(".asyncjobs/dev-credentials.json"))["clientSecret"])')" || true)
check "no API key or client secret in any output" "0" "$leaks"

report "client e2e"
