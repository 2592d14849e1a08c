#!/usr/bin/env bash
# The soak (scripts/soak.py): SOAK_SECONDS (default 600) of mixed load, then RSS and descriptors compared.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product asyncjobs >/dev/null
ASYNCJOBS_BIN=$PWD/.build/debug/asyncjobs python3 scripts/soak.py
