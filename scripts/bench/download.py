#!/usr/bin/env python3
"""Result download: one 1 GiB result over its pre-signed link, our server vs nginx serving the same
file, and the server's peak RSS growth during each download. Run by scripts/bench/download.sh.

A real demo.csv job's stored object is replaced by 1 GiB of its own CSV repeated (size and SHA-256
updated in the object's metadata, as scripts/client-e2e.sh does), so the server streams it through
its real download route. nginx serves a hard link to the same file. Both are read once first so the
file is in the page cache for both; then the runs alternate between them. Peak RSS is the kernel's
high-water mark (VmHWM), reset before each download through /proc/PID/clear_refs.
"""

import hashlib
import json
import os
import subprocess
import urllib.parse

import benchlib as bench

SIZE = (16 if bench.SMOKE else 1024) * 1024 * 1024
RUNS = 1 if bench.SMOKE else 5


def curl(url):
    """Downloads to /dev/null; returns bytes/s, the status code and the size received."""
    output = subprocess.run(
        ["curl", "-s", "--http1.1", "-o", "/dev/null", "-w", "%{speed_download} %{http_code} %{size_download}", url],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return float(output[0]), output[1], int(output[2])


def enlarge(data_dir, key, size):
    """Replaces the result object with `size` bytes of its own content repeated, and fixes its metadata."""
    results = os.path.join(data_dir, "results")
    object_path = os.path.join(results, "objects", key)
    meta_path = os.path.join(results, "meta", key + ".json")
    seed = open(object_path, "rb").read()
    block = seed * max(1, (4 * 1024 * 1024) // len(seed))
    digest = hashlib.sha256()
    with open(object_path + ".bench", "wb") as f:
        written = 0
        while written < size:
            chunk = block[: size - written]
            f.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    os.replace(object_path + ".bench", object_path)
    meta = json.load(open(meta_path))
    meta.update(size=size, sha256=digest.hexdigest())
    json.dump(meta, open(meta_path, "w"))
    return object_path


def main():
    with bench.workspace() as (work, stack):
        data_dir = os.path.join(work, "data")
        server = bench.Server(stack, work, data_dir, "--result-url-ttl", "3600")
        headers = server.credentials()
        status_path = server.completed_job(headers, {"rows": 100000})
        result_url = json.loads(server.request("GET", status_path, headers=headers)[1])["resultUrl"]
        key = urllib.parse.unquote(urllib.parse.urlparse(result_url).path.removeprefix("/v1/results/"))
        object_path = enlarge(data_dir, key, SIZE)
        www = os.path.join(work, "www")
        os.makedirs(www)
        os.link(object_path, os.path.join(www, "result.csv"))
        for directory in (data_dir, os.path.join(data_dir, "results"), os.path.join(data_dir, "results", "objects")):
            os.chmod(directory, 0o755)
        os.chmod(object_path, 0o644)
        nginx = bench.Nginx(stack, work, www)
        nginx_url = nginx.base + "/result.csv"
        # A link fresh from the status route, as a client would get it.
        result_url = json.loads(server.request("GET", status_path, headers=headers)[1])["resultUrl"]

        for url in (result_url, nginx_url):  # warm-up: the file in the page cache for both
            speed, code, size = curl(url)
            assert (code, size) == ("200", SIZE), f"{url}: {code}, {size} bytes"
        ours, theirs, growth, baseline = [], [], [], []
        for run in range(RUNS):
            before = server.rss_kib()
            server.reset_peak_rss()
            speed, code, size = curl(result_url)
            peak = server.rss_kib("VmHWM")
            assert (code, size) == ("200", SIZE), f"ours: {code}, {size} bytes"
            ours.append(speed)
            baseline.append(before / 1024)
            growth.append((peak - before) / 1024)
            speed, code, size = curl(nginx_url)
            assert (code, size) == ("200", SIZE), f"nginx: {code}, {size} bytes"
            theirs.append(speed)
            print(
                f"run {run + 1}/{RUNS}: ours {ours[-1] / 2**20:,.0f} MiB/s (RSS {before / 1024:.1f} MiB, peak +{growth[-1]:.1f} MiB), "
                f"nginx {theirs[-1] / 2**20:,.0f} MiB/s",
                flush=True,
            )

        ours_median, nginx_median = bench.median(ours), bench.median(theirs)
        growth_median, growth_max = bench.median(growth), max(growth)
        versus_nginx = bench.ratio(ours_median, nginx_median)
        table = bench.markdown_table(
            ["target", "MiB/s", "÷ nginx", "server RSS before, MiB", "peak RSS growth, MiB (median / max)"],
            [
                ["our pre-signed download (SigV4 check + stream)", f"{ours_median / 2**20:,.0f}", f"{versus_nginx:.2f}×",
                 f"{bench.median(baseline):.1f}", f"{growth_median:.1f} / {growth_max:.1f}"],
                ["nginx static file (sendfile)", f"{nginx_median / 2**20:,.0f}", "1.00×", "", ""],
            ],
        )
        notes = [
            f"One {SIZE / 2**20:,.0f} MiB result, curl --http1.1 to /dev/null over 127.0.0.1, file in the page cache for both; "
            "growth is VmHWM after the download minus VmRSS before it (VmHWM reset through clear_refs).",
            f"Target: ≥ 0.80× nginx → {versus_nginx:.2f}× ({bench.verdict(versus_nginx >= 0.8)}); "
            f"peak RSS growth < 32 MiB → max {growth_max:.1f} MiB ({bench.verdict(growth_max < 32)}).",
        ]
        bench.record("Result download", bench.command_line(), RUNS, table, notes)


if __name__ == "__main__":
    main()
