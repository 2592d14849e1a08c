#!/usr/bin/env python3
"""Two builds of the server on the status route, side by side: the server's CPU per request and req/s.

For judging a change to the status route's hot path on a shared machine. Requests per second move
by 20 % between runs when other tenants are busy; the CPU time the server spends per answered
request (utime + stime from /proc, over the whole wrk run) moves far less, so a change of a few
percent shows. Each build gets its own server and data directory and a completed job; the two are
polled in turn, the order alternating, and the medians and their ratios (B ÷ A) are printed.
Appends nothing.

    cp .build/release/asyncjobs /tmp/asyncjobs-before     # build A, e.g. on main
    swift build -c release --product asyncjobs             # build B, with the change
    scripts/bench/status-ab.py /tmp/asyncjobs-before .build/release/asyncjobs [--rounds 9] [--connections 256]

With `floor` as build B, B is `asyncjobs-bench http-floor` (the release build) answering build A's
status bytes through bare Hummingbird set up as `asyncjobs serve` is, polled with the same headers:
B ÷ A then estimates the share of a poll's CPU that our middlewares and handler take. Like every
figure here it moves with the machine's load; compare several runs.

    swift build -c release --product asyncjobs-bench
    scripts/bench/status-ab.py .build/release/asyncjobs floor
"""

import argparse
import os
import statistics
import urllib.parse

import benchlib as bench


def cpu_ticks(pid):
    """The process's user + system time in clock ticks."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the asyncjobs binary of build A")
    parser.add_argument("b", help="the asyncjobs binary of build B, or floor for the bare Hummingbird route")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--seconds", type=int, default=5)
    arguments = parser.parse_args()
    if arguments.a == "floor":
        parser.error("floor can only be build B")
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    with bench.workspace() as (work, stack):
        targets = {}
        servers = {}
        for name, binary in (("A", arguments.a), ("B", arguments.b)):
            if binary == "floor":
                url, headers, _ = targets["A"]
                _, body = servers["A"].request("GET", urllib.parse.urlparse(url).path, headers=headers)
                with open(os.path.join(work, "status.json"), "wb") as f:
                    f.write(body)
                floor = bench.HTTPFloor(stack, work, os.path.join(work, "status.json"))
                targets[name] = (floor.base + urllib.parse.urlparse(url).path, headers, floor.process.pid)
                continue
            bench.BIN = os.path.abspath(binary)
            server = bench.Server(stack, work, os.path.join(work, "data-" + name), "--result-url-ttl", "3600")
            servers[name] = server
            headers = server.credentials()
            path = server.completed_job(headers, {"rows": 100})
            targets[name] = (server.base + path, {**headers, "Accept": "application/json"}, server.pid)
        for url, headers, _ in targets.values():  # warm-up
            bench.wrk_checked(url, arguments.connections, 2, headers=headers)
        rps = {name: [] for name in targets}
        cpu = {name: [] for name in targets}
        for round in range(arguments.rounds):
            order = list(targets.items()) if round % 2 == 0 else list(reversed(targets.items()))
            for name, (url, headers, pid) in order:
                before = cpu_ticks(pid)
                result = bench.wrk_checked(url, arguments.connections, arguments.seconds, headers=headers)
                used = (cpu_ticks(pid) - before) / ticks_per_second
                per_request = used / (result["rps"] * arguments.seconds) * 1e6
                rps[name].append(result["rps"])
                cpu[name].append(per_request)
                print(f"round {round + 1} {name}: {result['rps']:,.0f} req/s, p99 {result['p99']:.2f} ms, {per_request:.1f} µs CPU/request", flush=True)
        print(f"{arguments.connections} connections, {arguments.rounds} rounds of {arguments.seconds} s, medians:")
        print("| build | req/s | server CPU µs/request |")
        print("|---|---:|---:|")
        for name in targets:
            print(f"| {name} | {statistics.median(rps[name]):,.0f} | {statistics.median(cpu[name]):.1f} |")
        print(
            f"| B ÷ A | {statistics.median(rps['B']) / statistics.median(rps['A']):.3f}× "
            f"| {statistics.median(cpu['B']) / statistics.median(cpu['A']):.3f}× |"
        )


if __name__ == "__main__":
    main()
