#!/usr/bin/env bash
# The Swift test suites under ThreadSanitizer: any data race fails the run (halt_on_error). Builds into .build-tsan
# (about 3× a debug build), then runs every suite serially, but two that TSan's slowdown breaks (below).
# Usage: scripts/tsan.sh [extra swift test arguments, e.g. --filter Router]   (TSAN_SKIP_BUILD=1: test what is built)
#
# TSan on Linux does not see Synchronization.Mutex as a lock (its futex is in the uninstrumented runtime), so every
# mutation inside `Mutex.withLock` was reported as a "Swift access race" (reproduced with ten lines outside this
# project). Every lock is a NIOLockedValueBox (a pthread mutex, which TSan intercepts) instead; the suppressions file
# is passed but holds no rule.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${TSAN_SCRATCH:-.build-tsan}
# Package.swift leaves swift-otel's exporter out of this build (it does not compile with -sanitize=thread).
export GATEWAY_TSAN=1
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_OPTIONS:-}"
mkdir -p artifacts
start=$(date +%s)
if [[ "${TSAN_SKIP_BUILD:-0}" != "1" ]]; then
  swift build --scratch-path "$SCRATCH" --build-tests --sanitize thread > artifacts/tsan-build.log 2>&1 \
    || { grep -E "error:" artifacts/tsan-build.log | sort -u | head -20; exit 2; }
  echo "== TSan build took $(( $(date +%s) - start )) s"
fi
start=$(date +%s)
status=0
# Skipped under TSan: the stream-schedule check of the conformance suite (frames must arrive within 0.15 s of their
# schedule; TSan's slowdown moves them) and KeyDBUnavailableTests (its unreachable-PostgreSQL case did not finish
# in 2 minutes under TSan). TSAN_SKIP overrides the pattern (swift test --skip).
swift test --scratch-path "$SCRATCH" --skip-build --sanitize thread --no-parallel \
  --skip "${TSAN_SKIP:-brokenProxiesFailTheRightCheck|KeyDBUnavailableTests}" "$@" > artifacts/tsan.log 2>&1 || status=$?
grep -E "WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer|✘|Test run" artifacts/tsan.log | head -40
# A crash (TSan prints DEADLYSIGNAL and a stack, not a race report): show where, and which tests had not finished.
if grep -q "DEADLYSIGNAL" artifacts/tsan.log; then
  echo "== the test process crashed; its stack:"
  grep -A 40 -m 1 "DEADLYSIGNAL" artifacts/tsan.log | grep -E "^ *#[0-9]+|ERROR:|Hint" | head -40
  echo "== tests started but not finished when it crashed:"
  grep -E "◇ Test .* started" artifacts/tsan.log | sed -E 's/.*Test (.*) started.*/\1/' | sort > artifacts/tsan-started.txt
  grep -E "[✔✘] Test .* (passed|failed)" artifacts/tsan.log | sed -E 's/.*Test (.*) (passed|failed).*/\1/' | sort > artifacts/tsan-ended.txt
  comm -23 artifacts/tsan-started.txt artifacts/tsan-ended.txt | head -10
fi
echo "== TSan tests took $(( $(date +%s) - start )) s"
if grep -q "WARNING: ThreadSanitizer" artifacts/tsan.log; then exit 1; fi
exit "$status"
