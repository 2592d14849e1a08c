#!/usr/bin/env bash
# Pick-up latency: on an idle system, submit one no-op job, wait for its handler to start, pause,
# repeat; p50 and p99 of submit → handler start (from the submit call, and from its return).
# AsyncJobs (SQLite, PostgreSQL) against huey (SQLite), pgqueuer and procrastinate (PostgreSQL).
# Prints the table of medians over runs and appends it to BENCHMARKS.md.
#
#   scripts/bench/pickup.sh [--runs N] [--smoke]
source "$(dirname "$0")/common.sh"

if [ "$SMOKE" = 1 ]; then JOBS=${BENCH_JOBS:-50}; else JOBS=${BENCH_JOBS:-1000}; fi

install_peers
build_ours
start_postgres

for run in $(seq 1 "$RUNS"); do
  log "run $run of $RUNS"
  run_contender pickup asyncjobs sqlite --jobs "$JOBS"
  run_contender pickup huey sqlite --jobs "$JOBS"
  run_contender pickup asyncjobs postgres --jobs "$JOBS"
  run_contender pickup pgqueuer postgres --jobs "$JOBS"
  run_contender pickup procrastinate postgres --jobs "$JOBS"
done

append=()
[ "$SMOKE" = 1 ] && append=(--no-append)
python3 scripts/bench/report.py pickup "$RESULTS" "${append[@]}" \
  --command "scripts/bench/pickup.sh --runs $RUNS (BENCH_JOBS=$JOBS)"
