#!/usr/bin/env bash
# Scale: status p99 and submit rate with 1,000 vs 1,000,000 jobs in the store, SQLite and PostgreSQL.
# One command on a fresh clone: installs its peers (Debian), builds the server in release, prints the
# table and appends the medians to BENCHMARKS.md. `--smoke` runs it in seconds and records nothing.
. "$(dirname "$0")/http-common.sh"
bench_need_apt sqlite3 postgresql-15
if [ -z "${ASYNCJOBS_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/pg-cluster.sh start)"
  trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
fi
python3 scripts/bench/scale.py
