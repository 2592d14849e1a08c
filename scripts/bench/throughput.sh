#!/usr/bin/env bash
# Job throughput: enqueue and complete no-op jobs, jobs/s from the first submit to the last
# completion, enqueued in batches and one at a time. AsyncJobs (SQLite) against huey (SQLite);
# AsyncJobs (PostgreSQL) against pgqueuer and procrastinate on the same server, a fresh database
# per run. Prints the table of medians and appends it to BENCHMARKS.md.
#
#   scripts/bench/throughput.sh [--runs N] [--smoke]
source "$(dirname "$0")/common.sh"

if [ "$SMOKE" = 1 ]; then JOBS=${BENCH_JOBS:-300}; SLOW_JOBS=${BENCH_SLOW_PEER_JOBS:-100}; else JOBS=${BENCH_JOBS:-20000}; SLOW_JOBS=${BENCH_SLOW_PEER_JOBS:-2000}; fi

install_peers
build_ours
start_postgres

for run in $(seq 1 "$RUNS"); do
  for mode in batched single; do
    log "run $run of $RUNS, $mode"
    run_contender throughput asyncjobs sqlite --mode "$mode" --jobs "$JOBS"
    run_contender throughput huey sqlite --mode "$mode" --jobs "$SLOW_JOBS"
    run_contender throughput asyncjobs postgres --mode "$mode" --jobs "$JOBS"
    # pgqueuer enqueues one job at a time at a few hundred per second here: the slow count for that mode.
    if [ "$mode" = batched ]; then pgqueuer_jobs=$JOBS; else pgqueuer_jobs=$SLOW_JOBS; fi
    run_contender throughput pgqueuer postgres --mode "$mode" --jobs "$pgqueuer_jobs"
    run_contender throughput procrastinate postgres --mode "$mode" --jobs "$SLOW_JOBS"
  done
done

append=()
[ "$SMOKE" = 1 ] && append=(--no-append)
python3 scripts/bench/report.py throughput "$RESULTS" "${append[@]}" \
  --command "scripts/bench/throughput.sh --runs $RUNS (BENCH_JOBS=$JOBS, BENCH_SLOW_PEER_JOBS=$SLOW_JOBS)"
