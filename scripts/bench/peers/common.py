"""Shared pieces of the peers' benchmark drivers: arguments, timing, percentiles, the JSON line.

Every driver prints one JSON line in the same shape as `asyncjobs-bench`, so scripts/bench/report.py
can put all contenders side by side.
"""
import argparse
import json
import math
import time


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("benchmark", choices=["throughput", "pickup"])
    parser.add_argument("--mode", choices=["batched", "single"], default="batched")
    parser.add_argument("--jobs", type=int, default=None, help="20000 for throughput, 1000 for pickup")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--producers", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=None, help="the worker's concurrency (driver default if absent)")
    parser.add_argument("--pause-ms", type=float, default=2.0)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--sqlite-path", default=None)
    args = parser.parse_args()
    if args.jobs is None:
        args.jobs = 20000 if args.benchmark == "throughput" else 1000
    return args


def percentile(samples, fraction):
    """Nearest rank, in milliseconds of the seconds given (the same definition as asyncjobs-bench)."""
    ordered = sorted(samples)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1] * 1000


async def pickup_async(args, enqueue, started, started_event):
    """The pick-up loop of the asyncio drivers: pause, enqueue job n, wait for its handler to note its
    start in `started[n]` and set `started_event`. Returns the latencies from the call and from its return."""
    import asyncio

    from_call, from_return = [], []
    for n in range(args.jobs):
        await asyncio.sleep(args.pause_ms / 1000)
        started_event.clear()
        called = now()
        await enqueue(n)
        returned = now()
        await started_event.wait()
        from_call.append(started[n] - called)
        from_return.append(started[n] - returned)
    return from_call, from_return


def report(fields):
    print(json.dumps(fields, sort_keys=True), flush=True)


def throughput_report(contender, store, args, seconds, **configuration):
    fields = {
        "benchmark": "throughput", "contender": contender, "store": store, "mode": args.mode,
        "jobs": args.jobs, "seconds": round(seconds, 3), "jobs_per_second": round(args.jobs / seconds, 3),
    }
    if args.mode == "batched":
        fields["batch_size"] = args.batch_size
    else:
        fields["producers"] = args.producers
    fields.update(configuration)
    report(fields)


def pickup_report(contender, store, from_call, from_return, **configuration):
    fields = {
        "benchmark": "pickup", "contender": contender, "store": store, "jobs": len(from_call),
        "p50_ms": round(percentile(from_call, 0.50), 3), "p99_ms": round(percentile(from_call, 0.99), 3),
        "p50_ms_after_return": round(percentile(from_return, 0.50), 3),
        "p99_ms_after_return": round(percentile(from_return, 0.99), 3),
    }
    fields.update(configuration)
    report(fields)


now = time.perf_counter
