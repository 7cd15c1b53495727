#!/usr/bin/env bash
# The one release build: proxy and mock-azure with the Swift runtime linked statically, with the Dockerfile's flags
# (`swift build -c release --static-swift-stdlib --product …`), into its own scratch directory (RELEASE_SCRATCH,
# default .build-static) so that no other build (debug, TSan, libFuzzer, a plain `-c release`) flips its flags.
# The soak (scripts/soak.sh), the static-binary check (scripts/check-static.sh) and the benchmark (scripts/bench.sh)
# all run these binaries. Incremental: a second call with nothing changed only checks.
#
#   scripts/build-release.sh                    # proxy and mock-azure
#   scripts/build-release.sh proxy              # only these products
#   scripts/build-release.sh --show-bin-path    # where the binaries are (builds nothing)
#
# Builds one at a time under /tmp/swift-build.lock (other builds may share the machine); the full log goes to
# artifacts/logs/release-build.log, the errors to the terminal when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${RELEASE_SCRATCH:-${STATIC_SCRATCH:-.build-static}}

if [[ "${1:-}" == "--show-bin-path" ]]; then
  exec swift build --scratch-path "$SCRATCH" -c release --show-bin-path
fi

products=("$@")
[[ ${#products[@]} -gt 0 ]] || products=(proxy mock-azure)
mkdir -p artifacts/logs
LOG=artifacts/logs/release-build.log
: > "$LOG"
start=$(date +%s)
for product in "${products[@]}"; do
  if ! flock /tmp/swift-build.lock \
      swift build --scratch-path "$SCRATCH" -c release --static-swift-stdlib --product "$product" >> "$LOG" 2>&1; then
    echo "build-release: the release build of $product failed (full log: $LOG):"
    grep -E "error:" "$LOG" | sort -u | head -20 || tail -n 20 "$LOG"
    exit 2
  fi
  grep -E "Build of product '$product' complete" "$LOG" | tail -n 1 | sed 's/^/   /' || true
done
echo "== release build (static, $SCRATCH: ${products[*]}) took $(( $(date +%s) - start )) s"
