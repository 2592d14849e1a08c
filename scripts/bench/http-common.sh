# Sourced by each scripts/bench/*.sh: installs the peers from Debian when missing, builds the server
# (release; a smoke run uses the debug build the end-to-end scripts already made), and exports what
# the Python half reads. `--smoke` (or BENCH_SMOKE=1) makes the run short, for CI.
set -euo pipefail
export BENCH_LOAD_AT_START="${BENCH_LOAD_AT_START:-$(cut -d" " -f1 /proc/loadavg)}"  # recorded beside the figures
cd "$(dirname "$0")/../.."

for argument in "$@"; do
  case "$argument" in
  --smoke) export BENCH_SMOKE=1 ;;
  *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
  esac
done

bench_need_apt() { # bench_need_apt PACKAGE...: installs the Debian packages not yet installed
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

bench_need_apt wrk nginx curl
BENCH_CONFIGURATION=${BENCH_CONFIGURATION:-$([ "${BENCH_SMOKE:-}" = 1 ] && echo debug || echo release)}
echo "building asyncjobs ($BENCH_CONFIGURATION)"
swift build -c "$BENCH_CONFIGURATION" --product asyncjobs >/dev/null
ASYNCJOBS_BIN="$(swift build -c "$BENCH_CONFIGURATION" --show-bin-path)/asyncjobs"
BENCH_COMMAND="scripts/bench/$(basename "$0")${*:+ $*}"
export ASYNCJOBS_BIN BENCH_COMMAND
