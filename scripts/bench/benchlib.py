"""Shared by the HTTP benchmarks in scripts/bench: the real server, nginx, wrk, medians, the table and
BENCHMARKS.md.

Each benchmark script (status.py, download.py, scale.py) is started by its .sh twin, which installs
the peers (wrk, nginx) and builds the server; ASYNCJOBS_BIN names the binary, and ASYNCJOBS_BENCH_BIN
the `asyncjobs-bench` binary whose `http-floor` status.sh polls too. BENCH_SMOKE=1 (or
--smoke) makes every run short and small, to check in CI that the script still works; a smoke run
prints its table but records nothing.
"""

import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMOKE = os.environ.get("BENCH_SMOKE") == "1" or "--smoke" in sys.argv[1:]
BIN = os.environ.get("ASYNCJOBS_BIN", os.path.join(ROOT, ".build/release/asyncjobs"))
RECORD_FILE = os.path.join(ROOT, "BENCHMARKS.md")
SECTION = "## HTTP: status polling, downloads, scale"


def built_binary():
    """An asyncjobs binary that is already built, for the analysis scripts that build nothing:
    ASYNCJOBS_BIN, else the release build, else the debug build."""
    candidates = [os.environ.get("ASYNCJOBS_BIN"), *(os.path.join(ROOT, ".build", c, "asyncjobs") for c in ("release", "debug"))]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("no asyncjobs binary: run swift build -c release --product asyncjobs first")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def answers(port, path="/"):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", path)
        return connection.getresponse().status < 500
    except OSError:
        return False


def stop_process(process, timeout=20):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """`asyncjobs serve` on 127.0.0.1 with a data directory of its own and no rate limit."""

    def __init__(self, stack, work, data_dir, *arguments, environment=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        log = open(os.path.join(work, "server.log"), "ab")
        command = [BIN, "serve", "--port", str(self.port), "--data-dir", data_dir, "--rate-limit", "0", *arguments]
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(environment or {})})
        self.pid = self.process.pid
        stack.callback(stop_process, self.process)
        self.stack = stack
        wait_until(lambda: self.process.poll() is None and answers(self.port, "/healthz"), 60, "the server to answer /healthz")

    def stop(self):
        stop_process(self.process)

    def credentials(self, file=None):
        with open(file or os.path.join(self.data_dir, "dev-credentials.json")) as f:
            credentials = json.load(f)
        form = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": credentials["clientId"], "client_secret": credentials["clientSecret"]}
        )
        status, body = self.request("POST", "/oauth2/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        return {"X-API-Key": credentials["apiKey"], "Authorization": "Bearer " + json.loads(body)["access_token"]}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.read()

    def completed_job(self, headers, parameters):
        """Submits a demo.csv job and waits until it has completed; returns its status path."""
        status, body = self.request(
            "POST", "/v1/jobs", json.dumps({"type": "demo.csv", "parameters": parameters}), {**headers, "Content-Type": "application/json"}
        )
        assert status == 202, body
        path = urllib.parse.urlparse(json.loads(body)["statusUrl"]).path
        wait_until(lambda: json.loads(self.request("GET", path, headers=headers)[1])["status"] == "completed", 120, "the job to complete")
        return path

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

    def reset_peak_rss(self):
        # Writing 5 to clear_refs resets VmHWM to the current RSS (proc(5)).
        with open(f"/proc/{self.pid}/clear_refs", "w") as f:
            f.write("5")


class Nginx:
    """Debian's nginx as a plain process on 127.0.0.1, serving `root` with its own prefix and config."""

    def __init__(self, stack, work, root):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        prefix = os.path.join(work, "nginx")
        os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
        # Workers run as the user that starts nginx when it is not root; as root they would switch to
        # nobody, who cannot read the temporary directories, so they stay root here (loopback only).
        user = "user root;" if os.geteuid() == 0 else ""
        config = f"""
            {user}
            daemon off;
            worker_processes auto;
            pid {prefix}/nginx.pid;
            error_log {prefix}/logs/error.log warn;
            events {{ worker_connections 4096; }}
            http {{
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 100000000;
                keepalive_timeout 75s;
                client_body_temp_path {prefix}/body;
                proxy_temp_path {prefix}/proxy;
                fastcgi_temp_path {prefix}/fastcgi;
                uwsgi_temp_path {prefix}/uwsgi;
                scgi_temp_path {prefix}/scgi;
                types {{ application/json json; text/csv csv; }}
                default_type application/octet-stream;
                server {{
                    listen 127.0.0.1:{self.port};
                    root {root};
                    location / {{ }}
                }}
            }}
            """
        path = os.path.join(prefix, "nginx.conf")
        with open(path, "w") as f:
            f.write(config)
        log = open(os.path.join(work, "nginx.log"), "ab")
        self.process = subprocess.Popen(["nginx", "-p", prefix, "-c", path], stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop_process, self.process)
        wait_until(lambda: self.process.poll() is None and answers(self.port), 30, "nginx to answer")


class HTTPFloor:
    """`asyncjobs-bench http-floor` on 127.0.0.1: status polls answered with the bytes of `body_file` by bare
    Hummingbird (the framework's floor). ASYNCJOBS_BENCH_BIN names the binary (status.sh builds it), else
    the release build."""

    def __init__(self, stack, work, body_file):
        binary = os.environ.get("ASYNCJOBS_BENCH_BIN", os.path.join(ROOT, ".build/release/asyncjobs-bench"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = open(os.path.join(work, "http-floor.log"), "ab")
        self.process = subprocess.Popen([binary, "http-floor", "--port", str(self.port), "--body-file", body_file], stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop_process, self.process)
        wait_until(lambda: self.process.poll() is None and answers(self.port, "/v1/jobs/floor/status"), 60, "the bare route to answer")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url, connections, seconds, headers=None, script=None, threads=2):
    """One wrk run; returns requests/s, p99 latency in ms, and the count of non-2xx answers and socket errors."""
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
    failures = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": rps,
        "p99": float(value) * UNITS[unit],
        "non2xx": int(failures.group(1)) if failures else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def wrk_checked(*arguments, **keywords):
    """A wrk run that must have had only 2xx answers and no socket errors."""
    result = wrk(*arguments, **keywords)
    if result["non2xx"] or result["errors"]:
        raise SystemExit(f"wrk {arguments[0]}: {result['non2xx']} non-2xx answers and {result['errors']} socket errors")
    return result


def median(values):
    return statistics.median(values)


def ratio(ours, theirs):
    return ours / theirs if theirs else float("nan")


def machine():
    model = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    with open("/proc/meminfo") as f:
        memory = int(f.readline().split()[1]) // (1024 * 1024)
    return f"{platform.node() or 'host'}: {os.cpu_count()} × {model}, {memory} GiB, {platform.system()} {platform.release()}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met):
    return "met" if met else "MISSED"


def machine_load():
    """The 1-minute load average when the script started and now: this machine is shared, so a run records how busy it was."""
    return f"1-minute load average {os.environ.get('BENCH_LOAD_AT_START', '?')} when the script started, {os.getloadavg()[0]:.2f} when it recorded"


def record(title, command, runs, table, notes):
    """Prints the table and, unless smoke, adds the run to BENCHMARKS.md under this section."""
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    block = "\n".join(
        [
            f"### {title} — {date}",
            "",
            f"* Machine: {machine()}; {machine_load()} (the machine is shared: compare ratios from the same run; figures are medians of {runs} runs).",
            f"* Command: `{command}` at commit `{commit or 'unknown'}`.",
            "",
            table,
            "",
            *[f"* {note}" for note in notes],
            "",
        ]
    )
    print()
    print(block)
    if SMOKE:
        print("(smoke run: nothing recorded in BENCHMARKS.md)")
        return
    text = open(RECORD_FILE).read() if os.path.exists(RECORD_FILE) else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nEach run below was appended by its script; rerun with the command it names.\n"
    # The run goes at the end of this section, before the next second-level heading if there is one.
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    end = len(text) if following == -1 else following + 1
    text = text[:end].rstrip("\n") + "\n\n" + block + ("\n" + text[end:] if following != -1 else "")
    with open(RECORD_FILE, "w") as f:
        f.write(text)
    print(f"(recorded in {os.path.relpath(RECORD_FILE)})")


def command_line():
    script = os.environ.get("BENCH_COMMAND") or " ".join(shlex.quote(a) for a in sys.argv)
    return script


@contextlib.contextmanager
def workspace():
    """A temporary directory, readable by nginx's workers, and an ExitStack that stops what was started."""
    with tempfile.TemporaryDirectory(prefix="asyncjobs-bench-") as work, contextlib.ExitStack() as stack:
        os.chmod(work, 0o755)
        yield work, stack
