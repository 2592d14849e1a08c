#!/usr/bin/env python3
"""Status polling: wrk on GET /v1/jobs/{id}/status with real credentials, against our own /healthz, a
bare Hummingbird route answering the same bytes (`asyncjobs-bench http-floor`, the framework's floor)
and nginx serving a static file with the same JSON body. Run by scripts/bench/status.sh.

The polled job is a completed demo.csv job, so every answer carries a freshly pre-signed resultUrl
(the costliest status answer there is). The targets are measured in turn within each run so
that the machine's noise falls on all of them alike; the table has the medians.
"""

import json
import os

import benchlib as bench

CONNECTIONS = [8, 32] if bench.SMOKE else [64, 256]
RUNS = 1 if bench.SMOKE else 3
SECONDS = 1 if bench.SMOKE else 10
FLOOR_TARGET = "bare Hummingbird route, same JSON (the framework's floor)"


def main():
    with bench.workspace() as (work, stack):
        server = bench.Server(stack, work, os.path.join(work, "data"), "--result-url-ttl", "3600")
        headers = server.credentials()
        status_path = server.completed_job(headers, {"rows": 100})
        _, body = server.request("GET", status_path, headers={**headers, "Accept": "application/json"})
        assert json.loads(body)["status"] == "completed"
        www = os.path.join(work, "www")
        os.makedirs(www)
        with open(os.path.join(www, "status.json"), "wb") as f:
            f.write(body)
        os.chmod(www, 0o755)
        nginx = bench.Nginx(stack, work, www)
        floor = bench.HTTPFloor(stack, work, os.path.join(www, "status.json"))
        # The same store read by a second server that keeps no finished job in memory, so every poll
        # pays the store read, the signature and the encoding: what polling many distinct jobs costs.
        uncached = bench.Server(stack, work, os.path.join(work, "data"), "--result-url-ttl", "3600", "--status-cache-ttl", "0")
        uncached_headers = uncached.credentials()

        targets = {
            "our status (auth + finished-job cache + signed URL)": (server.base + status_path, {**headers, "Accept": "application/json"}),
            "our status, finished-job cache off": (uncached.base + status_path, {**uncached_headers, "Accept": "application/json"}),
            "our /healthz (store read, no auth)": (server.base + "/healthz", {}),
            FLOOR_TARGET: (floor.base + status_path, {**headers, "Accept": "application/json"}),
            "nginx static file, same JSON": (nginx.base + "/status.json", {}),
        }
        results = {(c, name): [] for c in CONNECTIONS for name in targets}
        for connections in CONNECTIONS:
            for (url, target_headers) in targets.values():  # warm-up
                bench.wrk_checked(url, connections, 1, headers=target_headers)
            for run in range(RUNS):
                for name, (url, target_headers) in targets.items():
                    result = bench.wrk_checked(url, connections, SECONDS, headers=target_headers)
                    results[(connections, name)].append(result)
                    print(f"c={connections} run {run + 1}/{RUNS} {name}: {result['rps']:.0f} req/s, p99 {result['p99']:.2f} ms", flush=True)

        rows, headline = [], {}
        nginx_name = list(targets)[-1]
        for connections in CONNECTIONS:
            nginx_rps = bench.median([r["rps"] for r in results[(connections, nginx_name)]])
            for name in targets:
                rps = bench.median([r["rps"] for r in results[(connections, name)]])
                p99 = bench.median([r["p99"] for r in results[(connections, name)]])
                rows.append([connections, name, f"{rps:,.0f}", f"{p99:.2f}", f"{bench.ratio(rps, nginx_rps):.2f}×"])
                headline[(connections, name)] = (rps, p99, bench.ratio(rps, nginx_rps))
        table = bench.markdown_table(["connections", "target", "requests/s", "p99 ms", "÷ nginx req/s"], rows)
        top = CONNECTIONS[-1]
        rps, p99, versus_nginx = headline[(top, list(targets)[0])]
        floor_rps = headline[(top, FLOOR_TARGET)][0]
        notes = [
            "Our status is answered for a finished job from memory (`--status-cache-ttl`, 1 s by default: a "
            "poll in the same second gets the same bytes, a later one is signed anew without a store read); "
            "the cache-off row reads the store, signs and encodes on every poll.",
            f"Body: {len(body)} bytes of JSON (a completed job: jobId, status, percentCompleted, resultUrl, resultUrlExpiresInSeconds); "
            f"wrk -t2, {SECONDS} s a run, targets interleaved within each run; `--rate-limit 0`.",
            "The bare route is `asyncjobs-bench http-floor`: the server set-up, request context and path match of "
            "`asyncjobs serve`, answering these bytes with no middleware, auth, store or signing; polled with the same headers as ours.",
            f"Ours ÷ the bare route at {top} connections: {bench.ratio(rps, floor_rps):.3f}× in req/s (below 1 by what our middlewares and handler cost); "
            f"the bare route ÷ nginx: {bench.ratio(floor_rps, headline[(top, nginx_name)][0]):.3f}× (the most the framework leaves for the target).",
            f"Target at {top} connections: ≥ 0.50× nginx → {versus_nginx:.3f}× ({bench.verdict(versus_nginx >= 0.5)}); "
            f"p99 < 10 ms → {p99:.2f} ms ({bench.verdict(p99 < 10)}).",
        ]
        bench.record("Status polling", bench.command_line(), RUNS, table, notes)


if __name__ == "__main__":
    main()
