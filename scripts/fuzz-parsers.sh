#!/usr/bin/env bash
# libFuzzer on the two parsers that read untrusted bytes before any authentication:
#   * FuzzPresignedURL: the SigV4 query parser and pre-signed URL verifier (the download route);
#   * FuzzSOAPEnvelope: the SOAP envelope parser and token-passport reader (the SOAP route).
# Each runs for a time budget from the seed corpus in Fuzz/Corpus (copied, so the repository's corpus
# only grows by hand), under AddressSanitizer. A crash, a leak, a timeout or an out-of-memory stops the
# run, prints the input and how to replay it, and fails the script: the input then belongs in
# Fuzz/Corpus and a regression test (see Fuzz/README.md).
#
#   scripts/fuzz-parsers.sh            # 300 s per target
#   scripts/fuzz-parsers.sh 30         # 30 s per target (what .ci/run does)
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=${1:-${FUZZ_SECONDS:-300}}
SCRATCH=$PWD/.build-fuzz
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FLAGS=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING)

failed=0
for target in FuzzPresignedURL FuzzSOAPEnvelope; do
  corpus=Fuzz/Corpus/${target#Fuzz}
  echo "== $target: building with -sanitize=fuzzer,address"
  swift build --scratch-path "$SCRATCH" --product "$target" "${FLAGS[@]}" 2>&1 | grep -E "error|warning: .*Fuzz/|Compiling|Build" | grep -v "^\[.*Compiling" || true
  binary=$(swift build --scratch-path "$SCRATCH" --product "$target" "${FLAGS[@]}" --show-bin-path)/$target
  mkdir -p "$WORK/$target/corpus" "$WORK/$target/artifacts"
  cp "$corpus"/* "$WORK/$target/corpus/"
  echo "== $target: fuzzing for ${BUDGET}s from $(ls "$corpus" | wc -l) seeds"
  set +e
  LSAN_OPTIONS=suppressions=$PWD/Fuzz/lsan.supp "$binary" "$WORK/$target/corpus" -max_total_time="$BUDGET" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$WORK/$target/artifacts/" -print_final_stats=1 >"$WORK/$target/log" 2>&1
  status=$?
  set -e
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$WORK/$target/log" | sed 's/^/     /'
  echo "     coverage: $(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$WORK/$target/log" | tail -1), corpus grew to $(ls "$WORK/$target/corpus" | wc -l) inputs"
  if [ "$status" -ne 0 ]; then
    failed=$((failed + 1))
    echo "FAIL $target exited with $status:"
    grep -E "ERROR|SUMMARY|Test unit written" "$WORK/$target/log" | head -20
    for artifact in "$WORK/$target/artifacts"/*; do
      [ -f "$artifact" ] || continue
      mkdir -p .fuzz-artifacts && cp "$artifact" .fuzz-artifacts/
      echo "     input kept in .fuzz-artifacts/$(basename "$artifact"); replay: swift run $target .fuzz-artifacts/$(basename "$artifact")"
    done
  else
    echo "ok   $target: no crash, leak, timeout or out-of-memory in ${BUDGET}s"
  fi
done
[ "$failed" -eq 0 ] || exit 1
