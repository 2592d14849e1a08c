#!/usr/bin/env bash
# A throw-away S3-compatible server (moto, from PyPI) on 127.0.0.1 and a free port, for the S3 tests
# and for trying `--results s3://…` by hand.
#
#   eval "$(scripts/moto-s3.sh start)"   # exports ASYNCJOBS_TEST_S3_ENDPOINT and MOTO_S3_PID
#   scripts/moto-s3.sh stop "$MOTO_S3_PID"
#
# moto keeps everything in memory and accepts any credentials; it does not check signatures.
set -euo pipefail

case "${1:-}" in
start)
  python3 -c "import moto.server" 2>/dev/null || { echo "moto is not installed: pip install 'moto[server]'" >&2; exit 1; }
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  log=$(mktemp /tmp/asyncjobs-moto.XXXXXX.log)
  python3 -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 150); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      echo "export ASYNCJOBS_TEST_S3_ENDPOINT=http://127.0.0.1:$port MOTO_S3_PID=$pid"
      exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "moto did not start; its log:" >&2
  cat "$log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
  ;;
stop)
  pid=${2:?usage: moto-s3.sh stop PID}
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  ;;
*)
  echo "usage: $0 start | stop PID" >&2
  exit 2
  ;;
esac
