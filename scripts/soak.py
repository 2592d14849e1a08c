#!/usr/bin/env python3
"""Soak: a mixed load against one server for a while, and its resources before and after.

Run by scripts/soak.sh. Submits, polls, downloads, cancels and checks over SOAP, all at once, for
SOAK_SECONDS (600 by default; .ci/run uses 60). The server's RSS and open file descriptors are read
from /proc after a warm-up and at the end of the load; both must end within 10 % of where they
began (descriptors: or within 8 of it). Every response must be one the load asked for.
"""

import base64
import collections
import hashlib
import hmac
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BIN = os.environ["ASYNCJOBS_BIN"]
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
WARMUP = min(30, max(10, SECONDS // 6))


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resources(pid):
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class Load:
    def __init__(self, port, credentials, passport):
        self.port, self.credentials, self.passport = port, credentials, passport
        self.counts = collections.Counter()
        self.unexpected = collections.Counter()
        self.jobs = collections.deque(maxlen=500)
        self.stop = threading.Event()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": credentials["clientId"], "client_secret": credentials["clientSecret"]})
        connection.request("POST", "/oauth2/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
        self.headers = {"X-API-Key": credentials["apiKey"], "Authorization": "Bearer " + json.loads(connection.getresponse().read())["access_token"]}

    def call(self, connection, kind, method, path, body=None, headers=None, expected=(200,)):
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        connection.request(method, path, body, all_headers)
        response = connection.getresponse()
        payload = response.read()
        self.counts[kind] += 1
        if response.status not in expected:
            self.unexpected[f"{kind} {response.status}"] += 1
        return response.status, payload

    def worker(self, kind):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            try:
                self.step(connection, kind)
            except (OSError, http.client.HTTPException) as error:
                self.unexpected[f"{kind} {type(error).__name__}"] += 1
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                time.sleep(0.2)

    def step(self, connection, kind):
        if kind == "submit":
            rows = 50 if secrets.randbelow(5) else 5000
            status, payload = self.call(connection, kind, "POST", "/v1/jobs", json.dumps({"type": "demo.csv", "parameters": {"rows": rows, "durationMs": 200}}),
                                        {"Content-Type": "application/json"}, expected=(202,))
            if status == 202:
                self.jobs.append(json.loads(payload)["jobId"])
            time.sleep(0.05)
        elif kind == "poll" and self.jobs:
            self.call(connection, kind, "GET", f"/v1/jobs/{self.jobs[secrets.randbelow(len(self.jobs))]}/status")
        elif kind == "download" and self.jobs:
            status, payload = self.call(connection, "status", "GET", f"/v1/jobs/{self.jobs[secrets.randbelow(len(self.jobs))]}/status")
            link = json.loads(payload).get("resultUrl") if status == 200 else None
            if link:
                parts = urllib.parse.urlsplit(link)
                connection.request("GET", parts.path + "?" + parts.query)
                response = connection.getresponse()
                response.read()
                self.counts["download"] += 1
                if response.status != 200:
                    self.unexpected[f"download {response.status}"] += 1
            time.sleep(0.05)
        elif kind == "cancel" and self.jobs:
            # Cancelling a job that already ended is a 409 the load expects.
            self.call(connection, kind, "POST", f"/v1/jobs/{self.jobs[-1]}/cancel", expected=(200, 409))
            time.sleep(0.5)
        elif kind == "soap" and self.jobs:
            p = self.passport
            nonce, ts = secrets.token_hex(12), str(int(time.time()))
            text = "&".join([p["account"], p["consumerKey"], p["tokenId"], nonce, ts])
            signature = base64.b64encode(hmac.new((p["consumerSecret"] + "&" + p["tokenSecret"]).encode(), text.encode(), hashlib.sha256).digest()).decode()
            envelope = (
                '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><tokenPassport>'
                f"<account>{p['account']}</account><consumerKey>{p['consumerKey']}</consumerKey><token>{p['tokenId']}</token>"
                f'<nonce>{nonce}</nonce><timestamp>{ts}</timestamp><signature algorithm="HMAC-SHA256">{signature}</signature>'
                f"</tokenPassport></soapenv:Header><soapenv:Body><checkAsyncStatus><jobId>{self.jobs[0]}</jobId></checkAsyncStatus></soapenv:Body></soapenv:Envelope>"
            )
            self.call(connection, kind, "POST", "/soap", envelope, {"Content-Type": "text/xml"})
            time.sleep(0.05)
        else:
            time.sleep(0.05)


def main():
    work = tempfile.mkdtemp(prefix="asyncjobs-soak.")
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([BIN, "serve", "--port", str(port), "--data-dir", work, "--workers", "4", "--rate-limit", "0", "--retention-days", "1"],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            if os.path.exists(os.path.join(work, "dev-credentials.json")):
                break
            time.sleep(0.1)
        time.sleep(0.5)
        credentials = json.load(open(os.path.join(work, "dev-credentials.json")))
        passport = json.loads(subprocess.run([BIN, "tba", "create", "--tenant", "dev", "--data-dir", work], check=True, capture_output=True, text=True).stdout)
        load = Load(port, credentials, passport)
        threads = [threading.Thread(target=load.worker, args=(kind,), daemon=True)
                   for kind in ["submit", "submit", "poll", "poll", "poll", "poll", "download", "download", "cancel", "soap"]]
        for thread in threads:
            thread.start()
        print(f"soak: {SECONDS} s of mixed load, {WARMUP} s of it warm-up", flush=True)
        time.sleep(WARMUP)
        start = resources(server.pid)
        time.sleep(max(0, SECONDS - WARMUP))
        end = resources(server.pid)
        load.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        print(f"requests: {dict(load.counts)}", flush=True)
        print(f"after warm-up: RSS {start[0] / 1024:.1f} MiB, {start[1]} descriptors; at the end: RSS {end[0] / 1024:.1f} MiB, {end[1]} descriptors", flush=True)
        failures = []
        if load.unexpected:
            failures.append(f"unexpected answers: {dict(load.unexpected)}")
        if end[0] > start[0] * 1.10:
            failures.append(f"RSS grew {100 * (end[0] / start[0] - 1):.1f} %")
        if end[1] > max(start[1] * 1.10, start[1] + 8):
            failures.append(f"descriptors grew from {start[1]} to {end[1]}")
        if server.poll() is not None:
            failures.append("the server exited")
        print("soak: " + ("; ".join(failures) if failures else "flat, no unexpected answer"), flush=True)
        return 1 if failures else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
