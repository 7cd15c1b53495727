#!/usr/bin/env bash
# Runs every test: the Swift Testing suites, then the official-SDK tests (Python) against the built executables.
# Needs: python3 with `openai` and `pytest` (pip install -r Tests/sdk/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
SWIFT_BIN_PATH="$(swift build --show-bin-path)" python3 -m pytest -q Tests/sdk
