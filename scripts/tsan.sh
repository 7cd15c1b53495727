#!/usr/bin/env bash
# The Swift test suites under ThreadSanitizer: any data race fails the run (halt_on_error). Builds into .build-tsan
# (about 3× a debug build), then runs every suite serially (stream-timing tests are skipped: TSan slows frames).
# Usage: scripts/tsan.sh [extra swift test arguments, e.g. --filter Router]
# Known: on Linux, TSan does not see Synchronization.Mutex's futex as a lock, so every mutation inside
# `Mutex.withLock` is reported as a "Swift access race" (reproduced with ten lines outside this project). Until the
# locks move to a pthread-based one (NIOLockedValueBox) or TSan learns Mutex, this script is run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${TSAN_SCRATCH:-.build-tsan}
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
mkdir -p artifacts
swift build --scratch-path "$SCRATCH" --build-tests --sanitize thread > artifacts/tsan-build.log 2>&1 \
  || { grep -E "error:" artifacts/tsan-build.log | sort -u | head -20; exit 2; }
swift test --scratch-path "$SCRATCH" --skip-build --sanitize thread --no-parallel "$@" 2>&1 | tee artifacts/tsan.log | grep -E "WARNING: ThreadSanitizer|✘|Test run" | head -40
! grep -q "WARNING: ThreadSanitizer" artifacts/tsan.log
