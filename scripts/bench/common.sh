# Shared by throughput.sh and pickup.sh: flags, installing the peers, building ours, a throw-away
# PostgreSQL, and one run of one contender. Sourced, not run.
#
# Flags: --smoke (a short run that only checks that everything still works; appends nothing),
#        --runs N (default 3). Environment: BENCH_CONFIGURATION (release; the smoke run uses debug,
#        which `swift build` has already built), BENCH_JOBS, BENCH_SLOW_PEER_JOBS.
set -euo pipefail
export BENCH_LOAD_AT_START="${BENCH_LOAD_AT_START:-$(cut -d" " -f1 /proc/loadavg)}"  # recorded beside the figures
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD

SMOKE=0
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
  --smoke) SMOKE=1 ;;
  --runs) RUNS=$2; shift ;;
  *) echo "unknown argument $1 (use --smoke, --runs N)" >&2; exit 2 ;;
  esac
  shift
done
[ "${BENCH_SMOKE:-0}" = 1 ] && SMOKE=1
if [ "$SMOKE" = 1 ]; then
  RUNS=1
  CONFIGURATION=${BENCH_CONFIGURATION:-debug}
else
  CONFIGURATION=${BENCH_CONFIGURATION:-release}
fi

log() { printf '== %s\n' "$*" >&2; }

install_peers() {
  local need_apt=()
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql-15)
  command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client-15)
  dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
  if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
  python3 -c "import huey, pgqueuer, procrastinate, asyncpg, psycopg" 2>/dev/null \
    || { log "installing the peers from PyPI"; pip install -q huey pgqueuer procrastinate asyncpg 'psycopg[binary]'; }
  python3 - <<'PY' >&2
from importlib.metadata import version
print("== peers: " + ", ".join(f"{name} {version(name)}" for name in ("huey", "pgqueuer", "procrastinate", "asyncpg", "psycopg")))
PY
}

build_ours() {
  log "building asyncjobs-bench ($CONFIGURATION)"
  swift build -c "$CONFIGURATION" --product asyncjobs-bench >&2
  BENCH_BIN="$(swift build -c "$CONFIGURATION" --show-bin-path)/asyncjobs-bench"
}

start_postgres() {
  log "starting a throw-away PostgreSQL on 127.0.0.1"
  eval "$(scripts/pg-cluster.sh start)"
  trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"; rm -rf "$BENCH_DIR"' EXIT
  PG_ADMIN_URL=$ASYNCJOBS_TEST_POSTGRES_URL
  PG_BASE_URL=${PG_ADMIN_URL%/postgres}
}

# A new, empty database on the cluster; prints its URL.
fresh_database() {
  local name="bench_$1"
  psql -q -X "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null 2>&1
  echo "$PG_BASE_URL/$name"
}

# run_contender BENCHMARK CONTENDER STORE [ARGS...]: one run, its JSON line appended to $RESULTS.
run_contender() {
  local benchmark=$1 contender=$2 store=$3
  shift 3
  local where=()
  if [ "$store" = postgres ]; then
    where=(--postgres-url "$(fresh_database "${contender}_$RANDOM")")
  else
    where=(--sqlite-path "$BENCH_DIR/$contender-$RANDOM.sqlite")
  fi
  local line
  case "$contender" in
  asyncjobs) line=$("$BENCH_BIN" "$benchmark" --store "$store" "${where[@]}" "$@" 2>>"$BENCH_DIR/stderr.log" | tail -1) ;;
  *) line=$(python3 "scripts/bench/peers/${contender}_bench.py" "$benchmark" "${where[@]}" "$@" 2>>"$BENCH_DIR/stderr.log" | tail -1) ;;
  esac
  case "$line" in
  "{"*) echo "$line" | tee -a "$RESULTS" >&2 ;;
  *) echo "$contender ($store) $benchmark $* failed; its output:" >&2; tail -20 "$BENCH_DIR/stderr.log" >&2; exit 1 ;;
  esac
  if [ "$store" = postgres ]; then
    psql -q -X "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS ${where[1]##*/}" >/dev/null 2>&1 || true
  fi
}

BENCH_DIR=$(mktemp -d /tmp/asyncjobs-bench.XXXXXX)
RESULTS=$BENCH_DIR/results.jsonl
