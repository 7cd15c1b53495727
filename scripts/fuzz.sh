#!/usr/bin/env bash
# libFuzzer over the config loader, the SSE parser and MockAzure's scenario loader, each for a bounded time, starting
# from the committed seed corpus (fuzz/corpus/<target>; new inputs go to a scratch copy, never into the repo).
# A crash, a timeout (> 5 s for one input) or an out-of-memory stops the run: exit 1, the input in artifacts/fuzz/.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60; builds into FUZZ_SCRATCH, default .build-fuzz)
# GATEWAY_FUZZ=1 instruments our targets only (Package.swift), so the dependencies are built as in a debug build: CI
# passes FUZZ_SCRATCH=.build to reuse the debug build's (ours are compiled again; a later plain build undoes that).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-${FUZZ_SECONDS:-60}}
SCRATCH=${FUZZ_SCRATCH:-.build-fuzz}
OUT=artifacts/fuzz
mkdir -p "$OUT"
for product in fuzz-sse fuzz-config fuzz-fixtures; do
  GATEWAY_FUZZ=1 swift build --scratch-path "$SCRATCH" --product "$product" > "$OUT/build-$product.log" 2>&1 \
    || { grep -E "error:" "$OUT/build-$product.log" | sort -u | head -20; exit 2; }
  grep -E "Build of product" "$OUT/build-$product.log" || true
done
BIN=$(swift build --scratch-path "$SCRATCH" --show-bin-path)
status=0
for target in sse config fixtures; do
  work=$(mktemp -d)
  rm -f "$OUT/$target"-*
  cp -R "fuzz/corpus/$target/." "$work/"
  echo "== fuzz-$target for ${SECONDS_PER_TARGET}s from $(ls "$work" | wc -l) seed inputs"
  # Swift's own backtracer would take the crash signal before libFuzzer, which then saves no crashing input.
  if SWIFT_BACKTRACE=enable=no "$BIN/fuzz-$target" "$work" -max_total_time="$SECONDS_PER_TARGET" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$OUT/$target-" -print_final_stats=1 > "$OUT/$target.log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/$target.log" | sed 's/^/   /'
    echo "   corpus grew to $(ls "$work" | wc -l) inputs; no crash"
  else
    echo "   FAILED: see $OUT/$target.log and $OUT/$target-*"
    # The trap's message, the crashed thread's frames in our code and the input, rather than the register dump.
    grep -E "Fatal error|ERROR: libFuzzer|SUMMARY" "$OUT/$target.log" | head -5 | sed 's/^/   /'
    grep -E "^ *#[0-9]+ .*\.swift:[0-9]+" "$OUT/$target.log" | head -14 | sed 's/^/   /'
    for input in "$OUT/$target"-*; do
      [ -f "$input" ] && { echo "   input $input (base64):"; base64 -w 100 "$input" | head -20 | sed 's/^/     /'; }
    done
    status=1
  fi
  rm -rf "$work"
done
exit $status
