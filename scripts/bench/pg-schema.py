#!/usr/bin/env python3
"""What PostgreSQL spends per job on the jobs table: schema v4 (HOT updates), v3, and a floor.

Not a peer comparison: an analysis for the PostgreSQL throughput targets (BENCHMARKS.md). Until
schema v3, every update of a job changed `state`, which `jobs_by_tenant_state` and the partial
indexes (`jobs_due`, `jobs_leased`, `jobs_finished`, `jobs_live_results`) named, so PostgreSQL could
not update the row in place (a heap-only tuple, HOT): each claim and each completion wrote a new
entry into all nine indexes of the table. Schema v4 moved the per-state indexes to narrow side
tables (`job_queue`, `job_leases`, `job_endings`). The script runs a job's life (inserts of 1,000,
claims of 128 and completions of those 128, as the throughput benchmark's node does) for 20,000
jobs over one connection, on three schemas:

* the current one, as `asyncjobs migrate` makes it, with copies of PostgresJobStore's statements
  (constants where the store binds times; a change to the store's SQL should be made here too);
* schema v3, made from the current one by undoing migration 4, with the statements v3 used;
* a one-index queue table in the shape pgqueuer uses, whose completion deletes the row and appends to
  a log: the floor for any design that keeps a job's status.

It reads the server backend's CPU time from /proc (the server runs here, on 127.0.0.1), so the figure
is PostgreSQL's own work per job, not the client's; a tick is 10 ms, hence 20,000 jobs a run.

    scripts/bench/pg-schema.py [--runs N]    # starts a throw-away PostgreSQL; needs a built asyncjobs
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid

import benchlib as bench

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
JOBS, INSERT_BATCH, CLAIM_BATCH = 20_000, 1_000, 128

try:
    import psycopg
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "psycopg[binary]"], check=True)
    import psycopg

V3_INSERT = """
INSERT INTO asyncjobs.jobs (id, tenant_id, type, parameters, state, attempt, max_attempts,
    created_at, updated_at, run_after, idempotency_key, request_fingerprint)
SELECT v.id, 'tn_bench', 'bench.noop', v.parameters, 'queued', 0, 3, now(), now(), now(), NULL, 'f'
FROM unnest(%s::text[], %s::text[]) AS v(id, parameters)
ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING id"""
V3_CLAIM = """
WITH due AS (
    SELECT seq FROM asyncjobs.jobs WHERE state = 'queued' AND run_after <= now() AND type = ANY('{bench.noop}')
    ORDER BY run_after, seq LIMIT %s FOR UPDATE SKIP LOCKED
)
UPDATE asyncjobs.jobs AS j SET state = 'running', attempt = j.attempt + 1, lease_token = replace(gen_random_uuid()::text, '-', ''),
    lease_owner = 'w', lease_expires_at = now() + interval '30 s', started_at = now(), updated_at = now(),
    progress = 0, eta_seconds = NULL, progress_at = NULL
FROM due WHERE j.seq = due.seq
RETURNING j.id, j.lease_token"""
V3_COMPLETE = """
UPDATE asyncjobs.jobs AS j SET state = 'succeeded', finished_at = now(), updated_at = now(), progress = 100, eta_seconds = 0,
    progress_at = now(), result_key = NULL, result_size = NULL, result_sha256 = NULL, result_content_type = NULL,
    result_file_name = NULL, item_errors = 0, error_code = NULL, error_message = NULL,
    lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
FROM unnest(%s::text[], %s::text[]) AS v(id, token)
WHERE j.id = v.id AND j.state = 'running' AND j.lease_token = v.token
RETURNING v.id"""
# Undoes migration 4: the side tables go, the per-state indexes of v3 come back.
V3_SCHEMA = """
DROP TABLE asyncjobs.job_queue, asyncjobs.job_leases, asyncjobs.job_endings;
ALTER TABLE asyncjobs.jobs RESET (fillfactor);
CREATE INDEX jobs_due ON asyncjobs.jobs (run_after, seq) WHERE state = 'queued';
CREATE INDEX jobs_leased ON asyncjobs.jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_by_tenant_state ON asyncjobs.jobs (tenant_id, state, seq);
CREATE INDEX jobs_finished ON asyncjobs.jobs (finished_at, seq) WHERE state IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX jobs_live_results ON asyncjobs.jobs (finished_at, seq)
    WHERE state = 'succeeded' AND result_key IS NOT NULL AND result_expired_at IS NULL;
"""

STATE_COLUMNS = "j.seq, j.tenant_id, j.type, j.run_after, j.lease_expires_at, j.finished_at, j.result_key"
CURRENT_INSERT = f"""
WITH inserted AS ({V3_INSERT.replace("INTO asyncjobs.jobs (", "INTO asyncjobs.jobs AS j (").replace("RETURNING id", "RETURNING j.id, " + STATE_COLUMNS)}),
queued AS (INSERT INTO asyncjobs.job_queue (seq, tenant_id, type, run_after) SELECT seq, tenant_id, type, run_after FROM inserted)
SELECT id FROM inserted"""
CURRENT_CLAIM = """
WITH due AS (
    DELETE FROM asyncjobs.job_queue WHERE seq IN (
        SELECT seq FROM asyncjobs.job_queue WHERE run_after <= now() AND type = ANY('{bench.noop}')
        ORDER BY run_after, seq LIMIT %s FOR UPDATE SKIP LOCKED)
    RETURNING seq
),
claimed AS (
    UPDATE asyncjobs.jobs AS j SET state = 'running', attempt = j.attempt + 1, lease_token = replace(gen_random_uuid()::text, '-', ''),
        lease_owner = 'w', lease_expires_at = now() + interval '30 s', started_at = now(), updated_at = now(),
        progress = 0, eta_seconds = NULL, progress_at = NULL
    FROM due WHERE j.seq = due.seq AND j.state = 'queued'
    RETURNING j.*
),
leased AS (INSERT INTO asyncjobs.job_leases (seq, tenant_id, type, expires_at) SELECT seq, tenant_id, type, lease_expires_at FROM claimed)
SELECT id, lease_token FROM claimed"""
CURRENT_COMPLETE = f"""
WITH completed AS ({V3_COMPLETE.replace("RETURNING v.id", "RETURNING v.id, v.token, " + STATE_COLUMNS)}),
unleased AS (DELETE FROM asyncjobs.job_leases AS lease USING completed WHERE lease.seq = completed.seq),
ended AS (
    INSERT INTO asyncjobs.job_endings (seq, tenant_id, type, state, finished_at, live_result)
    SELECT seq, tenant_id, type, 'succeeded', finished_at, result_key IS NOT NULL FROM completed
)
SELECT id FROM completed"""

QUEUE_SCHEMA = """
CREATE TABLE queue (seq bigserial PRIMARY KEY, state text NOT NULL, type text NOT NULL, run_after timestamptz NOT NULL,
    payload text NOT NULL, token text);
CREATE INDEX queue_due ON queue (run_after, seq) WHERE state = 'queued';
CREATE TABLE queue_log (seq bigint NOT NULL, state text NOT NULL, finished_at timestamptz NOT NULL);
"""
QUEUE_INSERT = """
INSERT INTO queue (state, type, run_after, payload)
SELECT 'queued', 'bench.noop', now(), v.parameters FROM unnest(%s::text[], %s::text[]) AS v(id, parameters)
RETURNING seq"""
QUEUE_CLAIM = """
UPDATE queue SET state = 'running', token = replace(gen_random_uuid()::text, '-', '') WHERE seq IN (
    SELECT seq FROM queue WHERE state = 'queued' AND run_after <= now() AND type = ANY('{bench.noop}')
    ORDER BY run_after, seq LIMIT %s FOR UPDATE SKIP LOCKED)
RETURNING seq::text, token"""
QUEUE_COMPLETE = """
WITH done AS (
    DELETE FROM queue USING unnest(%s::text[], %s::text[]) AS v(seq, token)
    WHERE queue.seq = v.seq::bigint AND queue.token = v.token RETURNING queue.seq
)
INSERT INTO queue_log SELECT seq, 'succeeded', now() FROM done RETURNING seq"""

VARIANTS = {
    "current schema (v4: HOT updates, state in side tables)": (None, CURRENT_INSERT, CURRENT_CLAIM, CURRENT_COMPLETE),
    "schema v3 (state indexes on the jobs table)": (V3_SCHEMA, V3_INSERT, V3_CLAIM, V3_COMPLETE),
    "one-index queue, delete on completion (floor)": (QUEUE_SCHEMA, QUEUE_INSERT, QUEUE_CLAIM, QUEUE_COMPLETE),
}


def backend_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(admin_url, name, variant):
    """The server's CPU seconds and the wall seconds for JOBS jobs' lives on a fresh database."""
    schema, insert, claim, complete = VARIANTS[variant]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        subprocess.run([bench.built_binary(), "migrate"], env={**os.environ, "ASYNCJOBS_STORE": url}, check=True, capture_output=True)
        with psycopg.connect(url, autocommit=True) as connection:
            if schema:
                connection.execute(schema)
            pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            cpu, started = backend_cpu_seconds(pid), time.perf_counter()
            submitted = completed = 0
            while completed < JOBS:
                if submitted < JOBS:
                    ids = [uuid.uuid4().hex for _ in range(INSERT_BATCH)]
                    assert len(connection.execute(insert, (ids, ['{"n":1}'] * INSERT_BATCH)).fetchall()) == INSERT_BATCH
                    submitted += INSERT_BATCH
                while leases := connection.execute(claim, (CLAIM_BATCH,)).fetchall():
                    done = connection.execute(complete, ([str(lease[0]) for lease in leases], [lease[1] for lease in leases])).fetchall()
                    assert len(done) == len(leases), f"{variant}: {len(done)} of {len(leases)} completions written"
                    completed += len(done)
            cpu, wall = backend_cpu_seconds(pid) - cpu, time.perf_counter() - started
            connection.execute("SELECT pg_stat_force_next_flush()")
        # The statistics of the closed connection are flushed by now: the share of updates made in place.
        with psycopg.connect(url, autocommit=True) as connection:
            hot, updates = connection.execute("SELECT sum(n_tup_hot_upd), sum(n_tup_upd) FROM pg_stat_user_tables").fetchone()
        return cpu, wall, hot / updates
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cluster = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start"], check=True, capture_output=True, text=True).stdout
    exports = dict(line.removeprefix("export ").split("=", 1) for line in cluster.splitlines() if line.startswith("export "))
    try:
        results = {variant: [] for variant in VARIANTS}
        for attempt in range(runs):
            for number, variant in enumerate(VARIANTS):  # interleaved, so a busy moment hits every variant
                results[variant].append(run(exports["ASYNCJOBS_TEST_POSTGRES_URL"], f"schema_{attempt}_{number}", variant))
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", exports["PG_CLUSTER_DIR"]], check=True)
    baseline = statistics.median(cpu for cpu, _, _ in results[next(iter(VARIANTS))]) / JOBS
    print(f"{JOBS:,} jobs a run (inserts of {INSERT_BATCH:,}, claims and completions of {CLAIM_BATCH}), medians of {runs} run(s)\n")
    print("| schema | server CPU µs/job | wall s | updates in place (HOT) | CPU ÷ current |")
    print("|---|---:|---:|---:|---:|")
    for variant, figures in results.items():
        cpu = statistics.median(cpu for cpu, _, _ in figures) / JOBS
        wall = statistics.median(wall for _, wall, _ in figures)
        hot = statistics.median(hot for _, _, hot in figures)
        print(f"| {variant} | {cpu * 1e6:.1f} | {wall:.2f} | {hot:.0%} | {cpu / baseline:.2f}× |")


if __name__ == "__main__":
    main()
