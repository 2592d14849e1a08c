#!/usr/bin/env bash
# Result download: a 1 GiB result over its pre-signed link vs nginx serving the same file; the server's peak RSS growth.
# One command on a fresh clone: installs its peers (Debian), builds the server in release, prints the
# table and appends the medians to BENCHMARKS.md. `--smoke` runs it in seconds and records nothing.
. "$(dirname "$0")/http-common.sh"
python3 scripts/bench/download.py
