#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 and a free port, for tests and for trying the
# multi-node set-up by hand.
#
#   eval "$(scripts/pg-cluster.sh start)"   # exports ASYNCJOBS_TEST_POSTGRES_URL, _CA and PG_CLUSTER_DIR
#   scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"
#   scripts/pg-cluster.sh pause|resume "$PG_CLUSTER_DIR"   # stop and start the server, keeping its data (outage tests)
#
# The server runs as the unprivileged `postgres` user when started by root (initdb refuses root),
# accepts password (SCRAM) logins over TCP only, and keeps everything in one temporary directory.
set -euo pipefail

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  [ -x "$bin/initdb" ] || { echo "no PostgreSQL binaries in $bin (apt-get install postgresql-15)" >&2; exit 1; }
  dir=$(mktemp -d /tmp/asyncjobs-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' "$password" > "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pwfile"
  as_owner "$bin/initdb" -D "$dir/data" -U asyncjobs --pwfile="$dir/pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  rm -f "$dir/pwfile"
  # A self-signed certificate for 127.0.0.1, so clients can test sslmode=require and verify-full.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1
  cp "$dir/data/server.crt" "$dir/ca.crt"
  chmod 600 "$dir/data/server.key"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir/data/server.key" "$dir/data/server.crt"
  printf '%s' "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c ssl=on" >"$dir/options"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start >/dev/null
  url="postgres://asyncjobs:$password@127.0.0.1:$port/postgres"
  echo "export PG_CLUSTER_DIR=$dir"
  echo "export ASYNCJOBS_TEST_POSTGRES_URL=$url"
  echo "export ASYNCJOBS_TEST_POSTGRES_CA=$dir/ca.crt"
  ;;
pause)
  dir=${2:?usage: pg-cluster.sh pause DIR}
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
resume)
  dir=${2:?usage: pg-cluster.sh resume DIR}
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/options")" start >/dev/null
  ;;
stop)
  dir=${2:?usage: pg-cluster.sh stop DIR}
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg-cluster.sh start | stop DIR | pause DIR | resume DIR" >&2
  exit 2
  ;;
esac
