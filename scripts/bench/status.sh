#!/usr/bin/env bash
# Status polling: wrk with 64 and 256 connections on GET /v1/jobs/{id}/status vs our /healthz vs a bare
# Hummingbird route (the framework's floor) vs nginx serving the same JSON.
# One command on a fresh clone: installs its peers (Debian), builds the server and asyncjobs-bench in
# release, prints the table and appends the medians to BENCHMARKS.md. `--smoke` runs it in seconds
# with the debug builds and records nothing.
. "$(dirname "$0")/http-common.sh"
echo "building asyncjobs-bench ($BENCH_CONFIGURATION)"
swift build -c "$BENCH_CONFIGURATION" --product asyncjobs-bench >/dev/null
ASYNCJOBS_BENCH_BIN="$(swift build -c "$BENCH_CONFIGURATION" --show-bin-path)/asyncjobs-bench"
export ASYNCJOBS_BENCH_BIN
python3 scripts/bench/status.py
