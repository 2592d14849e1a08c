#!/usr/bin/env python3
"""Scale: status p99 and submit rate with 1,000 vs 1,000,000 jobs in the store, SQLite and PostgreSQL.
Run by scripts/bench/scale.sh, which starts a throw-away PostgreSQL unless ASYNCJOBS_TEST_POSTGRES_URL
names one.

For each store and size the server starts once on an empty store (creating the schema and the dev
tenant), stops, the jobs are inserted in bulk with the real schema (finished jobs of the dev tenant
with random UUIDs, as the server makes them), and the server starts again:

* status: wrk, 64 connections, each request for a job id drawn at random from 1,000 ids sampled
  from the store (so the index is read all over, not one hot row);
* submit: wrk, 32 connections, POST /v1/jobs of a demo.csv job. The node has one worker, busy with
  the first job submitted (it runs for an hour), so the rest stay queued and the figure is the API's
  durable-insert rate, not the worker's.
"""

import os
import sqlite3
import subprocess
import time
import urllib.parse

import benchlib as bench

SIZES = [200, 2000] if bench.SMOKE else [1000, 1_000_000]
RUNS = 1 if bench.SMOKE else 3
SECONDS = 1 if bench.SMOKE else 10
STATUS_CONNECTIONS = 8 if bench.SMOKE else 64
SUBMIT_CONNECTIONS = 8 if bench.SMOKE else 32
SAMPLE = 1000
ADMIN_URL = os.environ.get("ASYNCJOBS_TEST_POSTGRES_URL")

SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

SQLITE_SEED = f"""
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :count),
ids(x, id) AS (
    SELECT x, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
        || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    FROM n
)
INSERT INTO jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at, run_after,
    started_at, finished_at, progress, result_key, result_size, result_sha256, result_content_type, result_file_name,
    request_fingerprint)
SELECT id, :tenant, 'demo.csv', '{{"rows":10}}', 'succeeded', 1, 3, :now - x, :now - x, :now - x, :now - x, :now - x, 100,
    :tenant || '/' || id || '/1/demo.csv', 100, '{SHA}', 'text/csv', 'demo.csv', 'bench'
FROM ids
"""

POSTGRES_SEED = f"""
SET synchronous_commit = off;
INSERT INTO asyncjobs.jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at,
    run_after, started_at, finished_at, progress, result_key, result_size, result_sha256, result_content_type,
    result_file_name, request_fingerprint)
SELECT id, :'tenant', 'demo.csv', '{{"rows":10}}', 'succeeded', 1, 3, at, at, at, at, at, 100,
    :'tenant' || '/' || id || '/1/demo.csv', 100, '{SHA}', 'text/csv', 'demo.csv', 'bench'
FROM (SELECT gen_random_uuid()::text AS id, now() - x * interval '1 second' AS at FROM generate_series(1, :count) AS x) AS seed;
-- Each finished job has its row in the table of endings (schema version 4), as the store writes it.
INSERT INTO asyncjobs.job_endings (seq, tenant_id, type, state, finished_at, live_result)
SELECT seq, tenant_id, type, state, finished_at, true FROM asyncjobs.jobs WHERE tenant_id = :'tenant' AND state = 'succeeded'
ON CONFLICT (seq) DO NOTHING;
VACUUM ANALYZE;
"""

STATUS_LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_IDS")) do paths[#paths + 1] = "/v1/jobs/" .. line .. "/status" end
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""

SUBMIT_LUA = """
wrk.method = "POST"
wrk.body = '{"type":"demo.csv","parameters":{"rows":10,"durationMs":3600000}}'
wrk.headers["Content-Type"] = "application/json"
"""


def psql(url, sql, **variables):
    command = ["psql", url, "-v", "ON_ERROR_STOP=1", "-At", "-q"]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    return subprocess.run(command, input=sql, capture_output=True, text=True, check=True).stdout.split()


class Store:
    """One empty store: a SQLite file in the data directory, or a new PostgreSQL database."""

    def __init__(self, backend, size, work):
        self.backend = backend
        self.data_dir = os.path.join(work, f"{backend}-{size}")
        self.environment = {}
        if backend == "postgres":
            self.database = f"asyncjobs_bench_{size}"
            psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE); CREATE DATABASE {self.database};")
            self.url = urllib.parse.urlunsplit(urllib.parse.urlsplit(ADMIN_URL)._replace(path="/" + self.database))
            # The URL holds a password: it goes in the environment, not on the command line.
            self.environment = {"ASYNCJOBS_STORE": self.url}

    def query(self, sql):
        if self.backend == "postgres":
            return psql(self.url, sql.replace("FROM jobs", "FROM asyncjobs.jobs").replace("FROM tenants", "FROM asyncjobs.tenants"))
        with sqlite3.connect(os.path.join(self.data_dir, "asyncjobs.sqlite")) as db:
            return [str(row[0]) for row in db.execute(sql)]

    def seed(self, count):
        tenant = self.query("SELECT id FROM tenants WHERE name = 'dev'")[0]
        if self.backend == "postgres":
            psql(self.url, POSTGRES_SEED, tenant=tenant, count=count)
            return
        with sqlite3.connect(os.path.join(self.data_dir, "asyncjobs.sqlite")) as db:
            db.execute(SQLITE_SEED, {"count": count, "tenant": tenant, "now": time.time()})
            db.execute("ANALYZE")

    def drop(self):
        if self.backend == "postgres":
            psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")


def server(stack, work, store):
    # Every seeded job has finished: without turning the finished-job cache off, the polls after the
    # first second would measure memory, not the store's lookup at 1,000 vs 1,000,000 jobs. The
    # submitted jobs stay queued (one worker, hour-long jobs), so the per-tenant limit of queued jobs
    # is lifted: three runs of ten seconds pass its default of 10,000, and it would answer 429.
    return bench.Server(
        stack, work, store.data_dir, "--workers", "1", "--shutdown-grace", "1", "--status-cache-ttl", "0", "--max-queued-jobs", "0",
        environment=store.environment,
    )


def measure(work, stack, backend, size):
    store = Store(backend, size, work)
    server(stack, work, store).stop()
    started = time.monotonic()
    store.seed(size)
    seeded_in = time.monotonic() - started
    count = int(store.query("SELECT count(*) FROM jobs")[0])
    assert count == size, f"{backend}: {count} jobs seeded, not {size}"
    ids_file = os.path.join(work, f"ids-{backend}-{size}")
    with open(ids_file, "w") as f:
        f.write("\n".join(store.query(f"SELECT id FROM jobs ORDER BY random() LIMIT {SAMPLE}")) + "\n")
    node = server(stack, work, store)
    headers = node.credentials()
    os.environ["BENCH_IDS"] = ids_file
    status_lua, submit_lua = os.path.join(work, "status.lua"), os.path.join(work, "submit.lua")
    for path, text in ((status_lua, STATUS_LUA), (submit_lua, SUBMIT_LUA)):
        with open(path, "w") as f:
            f.write(text)
    bench.wrk_checked(node.base + "/", STATUS_CONNECTIONS, 1, headers=headers, script=status_lua)  # warm-up
    status, submit = [], []
    for run in range(RUNS):
        status.append(bench.wrk_checked(node.base + "/", STATUS_CONNECTIONS, SECONDS, headers=headers, script=status_lua))
        submit.append(bench.wrk_checked(node.base + "/v1/jobs", SUBMIT_CONNECTIONS, SECONDS, headers=headers, script=submit_lua))
        print(
            f"{backend} {size:,} jobs, run {run + 1}/{RUNS}: status {status[-1]['rps']:,.0f} req/s p99 {status[-1]['p99']:.2f} ms; "
            f"submit {submit[-1]['rps']:,.0f}/s p99 {submit[-1]['p99']:.2f} ms",
            flush=True,
        )
    node.stop()
    store.drop()
    return {
        "seeded_in": seeded_in,
        "status_rps": bench.median([r["rps"] for r in status]),
        "status_p99": bench.median([r["p99"] for r in status]),
        "submit_rps": bench.median([r["rps"] for r in submit]),
        "submit_p99": bench.median([r["p99"] for r in submit]),
    }


def main():
    if not ADMIN_URL:
        raise SystemExit("ASYNCJOBS_TEST_POSTGRES_URL is not set (scripts/bench/scale.sh starts a cluster)")
    with bench.workspace() as (work, stack):
        results = {}
        for backend in ("sqlite", "postgres"):
            for size in SIZES:
                results[(backend, size)] = measure(work, stack, backend, size)
        rows, notes = [], []
        small, large = SIZES
        for backend in ("sqlite", "postgres"):
            for size in SIZES:
                r = results[(backend, size)]
                rows.append([backend, f"{size:,}", f"{r['status_rps']:,.0f}", f"{r['status_p99']:.2f}", f"{r['submit_rps']:,.0f}", f"{r['submit_p99']:.2f}", f"{r['seeded_in']:.0f} s"])
            a, b = results[(backend, small)], results[(backend, large)]
            growth = bench.ratio(b["status_p99"], a["status_p99"])
            rows.append([backend, f"ratio {large:,} ÷ {small:,}", f"{bench.ratio(b['status_rps'], a['status_rps']):.2f}×", f"{growth:.2f}×",
                         f"{bench.ratio(b['submit_rps'], a['submit_rps']):.2f}×", f"{bench.ratio(b['submit_p99'], a['submit_p99']):.2f}×", ""])
            notes.append(f"{backend}: status p99 at {large:,} jobs within 1.5× of {small:,} → {growth:.2f}× ({bench.verdict(growth <= 1.5)}).")
        table = bench.markdown_table(["store", "jobs", "status req/s", "status p99 ms", "submits/s", "submit p99 ms", "seeding"], rows)
        notes.insert(
            0,
            f"Status: wrk -t2 -c{STATUS_CONNECTIONS}, random ids among {SAMPLE} sampled from the store; submit: wrk -t2 -c{SUBMIT_CONNECTIONS}, "
            f"POST /v1/jobs (durable: SQLite commits, then syncs its log, before answering; PostgreSQL commits); {SECONDS} s a run; `--rate-limit 0 --max-queued-jobs 0 --workers 1`.",
        )
        bench.record("Scale: 1,000 vs 1,000,000 jobs", bench.command_line(), RUNS, table, notes)


if __name__ == "__main__":
    main()
