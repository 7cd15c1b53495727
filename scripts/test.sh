#!/usr/bin/env bash
# Runs every test: the Swift Testing suites, then the official-SDK tests (Python) against the built executables.
# Needs: python3 with `openai` and `pytest` (pip install -r Tests/sdk/requirements.txt).
#
# Every output stays under artifacts/ for the key scan at the end (scripts/scan-secrets.py): the Swift tests' log in
# artifacts/logs/swift-test.log and their temporary files (SQLite spend logs, spill files, journals) in
# artifacts/test-outputs/swift-tmp; the Python suites' process logs in artifacts/logs (TEST_LOG_DIR) and their working
# directories in artifacts/test-outputs/<suite>; the UI pages' HTML next to their screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$PWD/artifacts/test-outputs"
export TEST_LOG_DIR="${TEST_LOG_DIR:-$PWD/artifacts/logs}"
mkdir -p "$TEST_LOG_DIR" "$OUT/swift-tmp"
marker="$OUT/.test-start"
touch "$marker"

swift build --build-tests
# Serially: the stream-timing tests measure frame arrival, and parallel suites on 2 cores would blur it.
TMPDIR="$OUT/swift-tmp" swift test --skip-build --no-parallel 2>&1 | tee "$TEST_LOG_DIR/swift-test.log"
SWIFT_BIN_PATH="$(swift build --show-bin-path)" python3 -m pytest -q --basetemp="$OUT/sdk" Tests/sdk Tests/deploy
# The admin UI in headless chromium (selenium): skips without chromium/chromedriver unless REQUIRE_BROWSER=1 (CI);
# screenshots (and each page's HTML) go to artifacts/ui-screenshots/.
SWIFT_BIN_PATH="$(swift build --show-bin-path)" python3 -m pytest -q --basetemp="$OUT/ui" Tests/ui

# No key the tests used in any log line, DB row (SQLite files, TEST_DATABASE_URL) or UI page they left.
python3 scripts/scan-secrets.py --since "$marker"
