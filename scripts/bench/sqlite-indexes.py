#!/usr/bin/env python3
"""What the SQLite jobs table's indexes cost per job, and what leaner schemas would save.

Not a peer comparison: an analysis for the embedded throughput target (BENCHMARKS.md). The schema is
the real one, read from a database that `asyncjobs migrate` has just created, and each variant is
derived from it by a textual edit, so the script follows the migrations. The variants: the state
tested with `IN` lists as schema v4 did (SQLite runs each constant list of more than two values
through an ephemeral b-tree, opened on every execution of an insert or update), no
`AUTOINCREMENT` (a write to `sqlite_sequence` per insert), the idempotency constraint as a partial
unique index (most jobs have no key, yet each insert writes a `(tenant, NULL)` entry), and
`jobs_by_tenant_state` dropped or kept for unfinished jobs only (every state change rewrites it).
Each variant runs a job's life (insert, claim, completion) for 20,000 jobs in batches of 100, as a
busy node's group commits make them. The statements are copies of SQLiteJobStore's, with constants
where the store binds times and results; unlike the schema they do not follow the store by
themselves, so a change to its SQL should be made here too. `synchronous=OFF` leaves the disk out:
only the b-tree work is timed. Python's binding adds the same cost to every variant;
the ratio to the current schema is the figure to read.

    scripts/bench/sqlite-indexes.py [--runs N]    # needs a built asyncjobs (ASYNCJOBS_BIN, else .build/release, else .build/debug)
"""

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid

import benchlib as bench

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
JOBS, BATCH = 20_000, 100

INSERT = (
    "INSERT INTO jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at, run_after,"
    " idempotency_key, request_fingerprint) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)"
)
CLAIM = (
    "UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_token = lower(hex(randomblob(16))), lease_owner = 'w',"
    " lease_expires_at = 2, started_at = 1, updated_at = 1, progress = 0, eta_seconds = NULL, progress_at = NULL"
    " WHERE seq IN (SELECT seq FROM jobs WHERE state = 'queued' AND run_after <= 5 ORDER BY run_after, seq LIMIT ?)"
    " RETURNING id, lease_token"
)
COMPLETE = (
    "UPDATE jobs SET state = 'succeeded', finished_at = 3, updated_at = 3, progress = 100, eta_seconds = 0, progress_at = 3,"
    " result_key = NULL, result_size = NULL, result_sha256 = NULL, result_content_type = NULL, result_file_name = NULL,"
    " item_errors = 0, error_code = NULL, error_message = NULL, lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL"
    " WHERE id = ? AND state = 'running' AND lease_token = ?"
)
UNFINISHED_BY_TENANT = "CREATE INDEX jobs_unfinished_by_tenant ON jobs (tenant_id, seq) WHERE state IN ('queued', 'running')"
PARTIAL_IDEMPOTENCY = "CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL"


def current_schema():
    """The CREATE statements of the jobs table and its indexes, as the migrations leave them."""
    with tempfile.TemporaryDirectory() as data:
        subprocess.run([bench.built_binary(), "migrate", "--data-dir", data], check=True, capture_output=True)
        database = sqlite3.connect(os.path.join(data, "asyncjobs.sqlite"))
        table = database.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").fetchone()[0]
        indexes = [row[0] for row in database.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL")]
        database.close()
    return table, indexes


STATE_CHECK_COMPARISONS = "state = 'queued' OR state = 'running' OR state = 'succeeded' OR state = 'failed' OR state = 'cancelled'"
STATE_CHECK_IN_LIST = "state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')"
FINISHED_COMPARISONS = "(state = 'succeeded' OR state = 'failed' OR state = 'cancelled')"
FINISHED_IN_LIST = "state IN ('succeeded', 'failed', 'cancelled')"


def variants(table, indexes):
    # Schema v4 tested the state against IN lists, which SQLite 3.40 runs through an ephemeral b-tree
    # opened on every execution; v5 compares it with each name. Kept as a variant to show the cost.
    in_lists_table = table.replace(STATE_CHECK_COMPARISONS, STATE_CHECK_IN_LIST)
    in_lists_indexes = [sql.replace(FINISHED_COMPARISONS, FINISHED_IN_LIST) for sql in indexes]
    assert in_lists_table != table and in_lists_indexes != indexes, "the schema changed: update the variants"
    no_autoincrement = table.replace(" AUTOINCREMENT", "")
    unique_constraint = re.compile(r",\s*UNIQUE \(tenant_id, idempotency_key\)")
    assert unique_constraint.search(table) and no_autoincrement != table, "the schema changed: update the variants"
    without_tenant_state = [sql for sql in indexes if "jobs_by_tenant_state" not in sql]
    assert len(without_tenant_state) == len(indexes) - 1, "the schema changed: update the variants"
    return {
        "current schema": (table, indexes),
        "state tested with IN lists (schema v4)": (in_lists_table, in_lists_indexes),
        "no AUTOINCREMENT": (no_autoincrement, indexes),
        "partial idempotency index": (unique_constraint.sub("", table), indexes + [PARTIAL_IDEMPOTENCY]),
        "both": (unique_constraint.sub("", no_autoincrement), indexes + [PARTIAL_IDEMPOTENCY]),
        "both, no jobs_by_tenant_state": (unique_constraint.sub("", no_autoincrement), without_tenant_state + [PARTIAL_IDEMPOTENCY]),
        "both, jobs_by_tenant_state only for unfinished jobs": (
            unique_constraint.sub("", no_autoincrement),
            without_tenant_state + [PARTIAL_IDEMPOTENCY, UNFINISHED_BY_TENANT],
        ),
    }


def run(directory, table, indexes):
    """Seconds for the inserts, the claims and the completions of JOBS jobs."""
    path = os.path.join(directory, f"{uuid.uuid4()}.sqlite")
    database = sqlite3.connect(path, isolation_level=None)
    database.execute("PRAGMA journal_mode = WAL")
    database.execute("PRAGMA synchronous = OFF")
    database.execute(table)
    for sql in indexes:
        database.execute(sql)
    ids = [str(uuid.uuid4()) for _ in range(JOBS)]
    started = time.perf_counter()
    for first in range(0, JOBS, BATCH):
        database.execute("BEGIN")
        database.executemany(INSERT, [(i, "tn_bench", "noop", '{"n":1}', 3, 1.0, 1.0, 1.0, None, "f" * 64) for i in ids[first : first + BATCH]])
        database.execute("COMMIT")
    inserted = time.perf_counter()
    leases = []
    for _ in range(0, JOBS, BATCH):
        leases += database.execute(CLAIM, (BATCH,)).fetchall()
    claimed = time.perf_counter()
    assert len(leases) == JOBS
    for first in range(0, JOBS, BATCH):
        database.execute("BEGIN")
        database.executemany(COMPLETE, leases[first : first + BATCH])
        database.execute("COMMIT")
    completed = time.perf_counter()
    assert database.execute("SELECT count(*) FROM jobs WHERE state = 'succeeded'").fetchone()[0] == JOBS
    database.close()
    return inserted - started, claimed - inserted, completed - claimed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    table, indexes = current_schema()
    candidates = variants(table, indexes)
    results = {name: [] for name in candidates}
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(runs):
            for name, (variant_table, variant_indexes) in candidates.items():  # interleaved: noise falls on all alike
                results[name].append(run(directory, variant_table, variant_indexes))
    print(f"SQLite {sqlite3.sqlite_version}, {JOBS:,} jobs in batches of {BATCH}, medians of {runs} runs")
    print("| schema | total ms | insert ms | claim ms | complete ms | ÷ current |")
    print("|---|---:|---:|---:|---:|---:|")
    baseline = statistics.median(sum(r) for r in results["current schema"])
    for name, samples in results.items():
        total = statistics.median(sum(r) for r in samples)
        parts = [statistics.median(r[i] for r in samples) * 1000 for i in range(3)]
        print(f"| {name} | {total * 1000:,.0f} | {parts[0]:,.0f} | {parts[1]:,.0f} | {parts[2]:,.0f} | {total / baseline:.2f}× |")


if __name__ == "__main__":
    main()
