#!/usr/bin/env bash
# The crash suite (scripts/crash.py): kill -9 of the server five times under a steady submit load,
# with SQLite and with PostgreSQL (which is also stopped mid-run). KILLS=N changes the count.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product asyncjobs >/dev/null
export ASYNCJOBS_BIN=$PWD/.build/debug/asyncjobs
python3 scripts/crash.py --kills "${KILLS:-5}"
python3 scripts/crash.py --kills "${KILLS:-5}" --postgres
