#!/usr/bin/env bash
# The multi-node test (scripts/multinode.py): two API nodes and a worker on one PostgreSQL.
# Uses the server in ASYNCJOBS_TEST_POSTGRES_URL, or starts a throw-away one with pg-cluster.sh.
# MULTINODE_JOBS sets the number of jobs per phase (default 5000).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product asyncjobs >/dev/null
export ASYNCJOBS_BIN=$PWD/.build/debug/asyncjobs
if [ -z "${ASYNCJOBS_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/pg-cluster.sh start)"
  trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
fi
python3 scripts/multinode.py
