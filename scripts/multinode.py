#!/usr/bin/env python3
"""Many nodes, one queue: two `asyncjobs serve` nodes and one `asyncjobs worker` on one PostgreSQL.

Run by scripts/multinode.sh (which builds the binary and provides a PostgreSQL server). Two phases,
each on a fresh database:

  1. JOBS demo.csv jobs submitted alternately to both API nodes; every job must succeed, each
     handler must start exactly once (counted from the three processes' logs), every result file
     must match the SHA-256 the store recorded, and status must agree on both nodes.
  2. The same, with the worker process killed with SIGKILL mid-run: every job must still succeed;
     jobs started twice must be exactly those the killed worker was running, and they show
     attempt 2; results are intact. Afterwards `asyncjobs migrate` finds every job's state-table
     row in place, warns when one is removed by hand, and `--repair` puts it back.

Prints the figures (jobs, duplicate starts, rescued, wall time, jobs/s) and exits non-zero on any
failure. Uses only 127.0.0.1.
"""

import collections
import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BIN = os.environ["ASYNCJOBS_BIN"]
ADMIN_URL = os.environ["ASYNCJOBS_TEST_POSTGRES_URL"]
JOBS = int(os.environ.get("MULTINODE_JOBS", "5000"))
LEASE_TTL = 3
STARTED = re.compile(r"job\.attempt=(\d+) job\.id=(\S+) .*job started")

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)
    if not ok:
        failures.append(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    out = subprocess.run(["psql", url, "-At", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def database_url(name):
    parts = urllib.parse.urlsplit(ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class Cluster:
    """Two API nodes and a worker sharing one database and one result directory."""

    def __init__(self, name, work):
        self.db = database_url(name)
        psql(ADMIN_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(ADMIN_URL, f"CREATE DATABASE {name}")
        self.data = os.path.join(work, name)
        os.makedirs(self.data)
        # The store URL holds a password: pass it in the environment, not on the command line.
        # A load test: the per-tenant rate limit (100/s by default) is not what is measured here.
        self.env = dict(os.environ, ASYNCJOBS_STORE=self.db, ASYNCJOBS_DATA_DIR=self.data, ASYNCJOBS_LEASE_TTL=str(LEASE_TTL), ASYNCJOBS_RATE_LIMIT="0")
        out = subprocess.run([BIN, "tenant", "create", "load"], env=self.env, check=True, capture_output=True, text=True)
        self.credentials = json.loads(out.stdout)
        self.ports = [free_port(), free_port()]
        self.processes = {}
        self.logs = {}

    def start(self, name, args):
        log = open(os.path.join(self.data, name + ".log"), "w")
        self.logs[name] = log.name
        self.processes[name] = subprocess.Popen([BIN] + args + ["--log-level", "debug"], env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_all(self):
        for index, port in enumerate(self.ports):
            self.start(f"api-{index + 1}", ["serve", "--port", str(port), "--workers", "4"])
        self.start("worker", ["worker", "--workers", "8", "--public-url", f"http://127.0.0.1:{self.ports[0]}"])
        for port in self.ports:
            for _ in range(200):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.05)
        self.token = {}
        for port in self.ports:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = urllib.parse.urlencode({
                "grant_type": "client_credentials",
                "client_id": self.credentials["clientId"],
                "client_secret": self.credentials["clientSecret"],
            })
            conn.request("POST", "/oauth2/token", body, {"Content-Type": "application/x-www-form-urlencoded"})
            self.token[port] = json.loads(conn.getresponse().read())["access_token"]

    def headers(self, port):
        return {"X-API-Key": self.credentials["apiKey"], "Authorization": "Bearer " + self.token[port], "Content-Type": "application/json"}

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def submit(self, count, parameters):
        """Submits `count` jobs alternately to both API nodes with 16 keep-alive connections."""
        local = threading.local()

        def one(index):
            port = self.ports[index % 2]
            connections = getattr(local, "connections", None)
            if connections is None:
                connections = local.connections = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=30) for p in self.ports}
            body = json.dumps({"type": "demo.csv", "parameters": parameters})
            for attempt in range(3):
                try:
                    connections[port].request("POST", "/v1/jobs", body, self.headers(port))
                    response = connections[port].getresponse()
                    payload = response.read()
                    if response.status != 202:
                        raise RuntimeError(f"submit answered {response.status}: {payload[:200]!r}")
                    return json.loads(payload)["jobId"]
                except (OSError, http.client.HTTPException):
                    connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            raise RuntimeError("submit failed three times")

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            return list(pool.map(one, range(count)))

    def states(self):
        return dict((state, int(n)) for state, n in psql(self.db, "SELECT state, count(*) FROM asyncjobs.jobs GROUP BY state"))

    def wait_until_finished(self, count, deadline_seconds):
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            states = self.states()
            if sum(states.get(s, 0) for s in ("succeeded", "failed", "cancelled")) == count:
                return states
            time.sleep(0.25)
        return self.states()

    def starts(self):
        """Handler starts per job id, and which process made each."""
        starts = collections.defaultdict(list)
        for name, path in self.logs.items():
            with open(path, errors="replace") as log:
                for line in log:
                    match = STARTED.search(line)
                    if match:
                        starts[match.group(2)].append((name, int(match.group(1))))
        return starts

    def verify_results(self):
        """Every succeeded job's file exists and matches the checksum and size the store recorded."""
        bad = 0
        rows = psql(self.db, "SELECT id, result_key, result_sha256, result_size FROM asyncjobs.jobs WHERE state = 'succeeded'")
        for job_id, key, sha, size in rows:
            path = os.path.join(self.data, "results", "objects", key)
            try:
                with open(path, "rb") as f:
                    content = f.read()
            except OSError:
                bad += 1
                continue
            if hashlib.sha256(content).hexdigest() != sha or len(content) != int(size):
                bad += 1
        return len(rows), bad

    def status_on_both_nodes(self, job_ids):
        """The seed's status document for each job, from each API node; returns disagreements."""
        disagreements = 0
        connections = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in self.ports}
        for job_id in job_ids:
            seen = []
            for port, conn in connections.items():
                conn.request("GET", f"/v1/jobs/{job_id}", headers=self.headers(port))
                response = conn.getresponse()
                body = json.loads(response.read())
                seen.append((response.status, body.get("state"), body.get("attempt"), (body.get("result") or {}).get("sha256")))
            if seen[0] != seen[1] or seen[0][0] != 200:
                disagreements += 1
        return disagreements


def phase_all_nodes(work):
    print(f"\n-- phase 1: {JOBS} jobs across two API nodes and a worker", flush=True)
    cluster = Cluster("multinode_steady", work)
    try:
        cluster.start_all()
        began = time.monotonic()
        ids = cluster.submit(JOBS, {"rows": 20, "durationMs": 20})
        submitted = time.monotonic() - began
        states = cluster.wait_until_finished(JOBS, 300)
        wall = time.monotonic() - began
        check(f"all {JOBS} jobs succeeded", states.get("succeeded") == JOBS, f"states {states}")
        starts = cluster.starts()
        duplicates = sum(1 for runs in starts.values() if len(runs) > 1)
        check("every job's handler started exactly once", len(starts) == JOBS and duplicates == 0,
              f"{len(starts)} jobs started, {duplicates} more than once")
        by_process = collections.Counter(runs[0][0] for runs in starts.values())
        check("every process ran jobs", len(by_process) == 3, f"{dict(by_process)}")
        attempts = psql(cluster.db, "SELECT attempt, count(*) FROM asyncjobs.jobs GROUP BY attempt")
        check("no job needed a second attempt", attempts == [["1", str(JOBS)]], f"{attempts}")
        checked, bad = cluster.verify_results()
        check("every result matches its recorded SHA-256", checked == JOBS and bad == 0, f"{checked} checked, {bad} bad")
        disagreements = cluster.status_on_both_nodes(ids[:: max(1, JOBS // 100)])
        check("both API nodes report the same status for any job", disagreements == 0, f"{disagreements} disagree")
        print(f"figures: jobs={JOBS} duplicates={duplicates} rescued=0 submit={submitted:.1f}s wall={wall:.1f}s "
              f"jobs/s={JOBS / wall:.0f} by_process={dict(by_process)}", flush=True)
    finally:
        cluster.stop()
        subprocess.run(["rm", "-rf", cluster.data], check=False)


def migrate(cluster, *flags):
    """Runs `asyncjobs migrate` on the cluster's database; returns the exit code, stdout and stderr."""
    done = subprocess.run([BIN, "migrate", "--data-dir", cluster.data, *flags], env={**os.environ, "ASYNCJOBS_STORE": cluster.db},
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def phase_worker_killed(work):
    print(f"\n-- phase 2: {JOBS} jobs, the worker process killed with SIGKILL mid-run", flush=True)
    cluster = Cluster("multinode_kill", work)
    try:
        cluster.start_all()
        began = time.monotonic()
        ids = cluster.submit(JOBS, {"rows": 20, "durationMs": 100})
        while cluster.states().get("succeeded", 0) < JOBS // 4:
            time.sleep(0.1)
        worker = cluster.processes["worker"]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        killed_at = time.monotonic()
        running_on_worker = {job for job, runs in cluster.starts().items() if runs[-1][0] == "worker"}
        print(f"killed the worker after {killed_at - began:.1f}s", flush=True)
        states = cluster.wait_until_finished(JOBS, 300)
        wall = time.monotonic() - began
        check(f"all {JOBS} jobs succeeded after the kill", states.get("succeeded") == JOBS, f"states {states}")
        starts = cluster.starts()
        twice = {job for job, runs in starts.items() if len(runs) > 1}
        rescued = {row[0] for row in psql(cluster.db, "SELECT id FROM asyncjobs.jobs WHERE attempt = 2")}
        beyond = psql(cluster.db, "SELECT count(*) FROM asyncjobs.jobs WHERE attempt > 2")[0][0]
        check("some jobs were rescued from the killed worker", len(rescued) > 0, "none had attempt 2")
        # A rescued job's first attempt belonged to the dead worker, which may have died between the
        # claim and the handler's start; its second attempt ran on an API node.
        check("jobs started twice are rescued jobs", twice <= rescued, f"{len(twice - rescued)} started twice without being rescued")
        wrong = [job for job in rescued
                 if not any(attempt == 2 and name != "worker" for name, attempt in starts[job])
                 or any(attempt == 1 and name != "worker" for name, attempt in starts[job])]
        check("each rescued job's first attempt was on the killed worker, its second elsewhere", not wrong, f"{len(wrong)}: {wrong[:3]}")
        single = [job for job, runs in starts.items() if job not in rescued and [a for _, a in runs] != [1]]
        check("every other job started once, in attempt 1", not single, f"{len(single)}: {single[:3]}")
        check("rescued jobs had been running on the worker when it died", twice <= running_on_worker,
              f"{len(twice - running_on_worker)} were not")
        check("no job needed a third attempt", beyond == "0", f"{beyond} did")
        checked, bad = cluster.verify_results()
        check("every result matches its recorded SHA-256", checked == JOBS and bad == 0, f"{checked} checked, {bad} bad")
        sample = sorted(rescued)[:20]
        connection = http.client.HTTPConnection("127.0.0.1", cluster.ports[1], timeout=10)
        shown = []
        for job_id in sample:
            connection.request("GET", f"/v1/jobs/{job_id}", headers=cluster.headers(cluster.ports[1]))
            shown.append(json.loads(connection.getresponse().read()).get("attempt"))
        check("the API shows the rescued jobs with attempt 2", shown and all(a == 2 for a in shown), f"{shown}")
        # After the kill and the rescue, each job's row is in its state's side table (schema v4);
        # `asyncjobs migrate` checks that, says so when a row is missing, and --repair puts it back.
        code, out, err = migrate(cluster)
        check("migrate after the run finds the state tables consistent", code == 0 and "disagree" not in err, f"exit {code}: {err[-300:]}")
        psql(cluster.db, "DELETE FROM asyncjobs.job_endings WHERE seq = (SELECT min(seq) FROM asyncjobs.job_endings)")
        code, out, err = migrate(cluster)
        check("migrate warns about a missing state row", code == 0 and "1 rows of the state tables disagree" in err, f"exit {code}: {err[-300:]}")
        code, out, err = migrate(cluster, "--repair")
        check("migrate --repair puts it back", code == 0 and "1 rows written, 0 removed" in out, f"exit {code}: {out[-300:]} {err[-300:]}")
        code, out, err = migrate(cluster)
        check("and then finds nothing to repair", code == 0 and "disagree" not in err, f"exit {code}: {err[-300:]}")
        print(f"figures: jobs={JOBS} duplicates_without_lost_lease={len(twice - rescued)} rescued={len(rescued)} "
              f"recovery={wall - (killed_at - began):.1f}s wall={wall:.1f}s jobs/s={JOBS / wall:.0f}", flush=True)
    finally:
        cluster.stop()
        subprocess.run(["rm", "-rf", cluster.data], check=False)


def main():
    # 5,000 jobs leave some 40,000 small files and directories per phase: tmpfs makes writing and
    # removing them quick, and `rm -rf` removes them faster than shutil.
    parent = None
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) and shutil.disk_usage("/dev/shm").free >= 1 << 30:
        parent = "/dev/shm"
    work = tempfile.mkdtemp(prefix="asyncjobs-multinode.", dir=parent)
    try:
        phase_all_nodes(work)
        phase_worker_killed(work)
    finally:
        subprocess.run(["rm", "-rf", work], check=False)
    print(f"\nmultinode: {len(failures)} failed" + (": " + ", ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
