"""Reads the JSON lines of a benchmark's runs, prints the side-by-side table of medians and the
ratios, and (unless --no-append) adds the table with the machine, date and commands to
BENCHMARKS.md under its own heading.

    python3 scripts/bench/report.py throughput RESULTS.jsonl --command "scripts/bench/throughput.sh" [--no-append]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HEADING = "## Job throughput and pick-up latency"
OURS = "asyncjobs"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return f"{os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} {platform.release()}, {swift[0] if swift else 'swift ?'}"


def load(path):
    with open(path) as lines:
        return [json.loads(line) for line in lines if line.startswith("{")]


def groups(rows, keys):
    grouped = {}
    for row in rows:
        grouped.setdefault(tuple(row[k] for k in keys), []).append(row)
    return grouped


def throughput_table(rows):
    """Medians of jobs/s per contender and mode; ratio ours / best peer of the same store class."""
    by = groups(rows, ["contender", "store", "mode"])
    medians = {key: statistics.median(r["jobs_per_second"] for r in runs) for key, runs in by.items()}
    counts = {key: (len(runs), runs[0]["jobs"]) for key, runs in by.items()}
    lines = [
        "| store | contender | batched jobs/s | one at a time jobs/s | jobs × runs | ours ÷ this (batched) | ours ÷ this (one at a time) |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    contenders = sorted({(k[1], k[0]) for k in medians}, key=lambda c: (c[0], c[1] != OURS, c[1]))
    for store, contender in contenders:
        cells = []
        ratios = []
        for mode in ("batched", "single"):
            value = medians.get((contender, store, mode))
            cells.append(f"{value:,.0f}" if value is not None else "–")
            ours = medians.get((OURS, store, mode))
            ratios.append("" if contender == OURS or value is None or ours is None else f"{ours / value:.1f}×")
        runs = ", ".join(f"{counts[(contender, store, m)][1]:,} × {counts[(contender, store, m)][0]}" for m in ("batched", "single") if (contender, store, m) in counts)
        lines.append(f"| {store} | {contender} | {cells[0]} | {cells[1]} | {runs} | {ratios[0]} | {ratios[1]} |")
    return lines


def pickup_table(rows):
    """Medians over runs of each run's p50 and p99, from the submit call and from its return."""
    by = groups(rows, ["contender", "store"])
    lines = [
        "| store | contender | p50 ms | p99 ms | p50 ms after submit returned | p99 ms after submit returned | jobs × runs | ours ÷ this (p50) |",
        "|---|---|---:|---:|---:|---:|---|---:|",
    ]
    medians = {key: {field: statistics.median(r[field] for r in runs) for field in ("p50_ms", "p99_ms", "p50_ms_after_return", "p99_ms_after_return")} for key, runs in by.items()}
    for contender, store in sorted(medians, key=lambda k: (k[1], k[0] != OURS, k[0])):
        m = medians[(contender, store)]
        ours = medians.get((OURS, store))
        ratio = "" if contender == OURS or ours is None else f"{ours['p50_ms'] / m['p50_ms']:.2f}"
        runs = by[(contender, store)]
        lines.append(
            f"| {store} | {contender} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m['p50_ms_after_return']:.2f} | {m['p99_ms_after_return']:.2f} | {runs[0]['jobs']:,} × {len(runs)} | {ratio} |"
        )
    return lines


def configurations(rows):
    seen = {}
    skip = {"benchmark", "seconds", "jobs_per_second", "p50_ms", "p99_ms", "p50_ms_after_return", "p99_ms_after_return", "jobs", "mode"}
    for row in rows:
        key = (row["contender"], row["store"])
        seen.setdefault(key, {k: v for k, v in row.items() if k not in skip and k not in ("contender", "store")})
    return [f"* {c} ({s}): " + ", ".join(f"{k}={v}" for k, v in sorted(conf.items())) for (c, s), conf in sorted(seen.items())]


def append(path, benchmark, table, rows, command, note):
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    entry = [
        "",
        f"### {benchmark} — {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Machine: {machine()}. 1-minute load average {os.environ.get('BENCH_LOAD_AT_START', '?')} when the script started, "
        f"{os.getloadavg()[0]:.2f} when it recorded; the machine is shared, so compare ratios from the same run.",
        "",
        f"Command: `{command}`",
        "",
        *table,
        "",
        "Configuration as run:",
        *configurations(rows),
    ]
    if note:
        entry += ["", note]
    entry.append("")
    if HEADING not in text:
        text = text.rstrip("\n") + "\n\n" + HEADING + "\n\nFigures appended by `scripts/bench/throughput.sh` and `scripts/bench/pickup.sh` (see `scripts/bench/README.md`).\n"
    start = text.index(HEADING) + len(HEADING)
    following = text.find("\n## ", start)
    end = len(text) if following == -1 else following + 1
    section = text[:end].rstrip("\n") + "\n" + "\n".join(entry)
    text = section + ("\n" + text[end:] if following != -1 else "")
    with open(path, "w") as out:
        out.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("benchmark", choices=["throughput", "pickup"])
    parser.add_argument("results")
    parser.add_argument("--command", default="")
    parser.add_argument("--note", default="")
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--file", default="BENCHMARKS.md")
    args = parser.parse_args()
    rows = [r for r in load(args.results) if r["benchmark"] == args.benchmark]
    if not rows:
        sys.exit("no results to report")
    table = throughput_table(rows) if args.benchmark == "throughput" else pickup_table(rows)
    print("\n".join(table))
    if not args.no_append:
        append(args.file, "Job throughput" if args.benchmark == "throughput" else "Pick-up latency", table, rows, args.command, args.note)
        print(f"\nappended to {args.file}")


if __name__ == "__main__":
    main()
