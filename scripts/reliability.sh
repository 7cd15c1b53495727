#!/usr/bin/env bash
# The reliability suite (docs/reliability.md): the request fuzzer (10,000 adversarial requests), the chaos run and the
# proofs that the soak rule can fail, against the debug build; then the 3-minute soak (scripts/soak.sh) against the
# release build with the Swift runtime linked statically (scripts/build-release.sh; SOAK_SKIP_BUILD=1: as built).
#
#   scripts/reliability.sh                 # fuzz + chaos (SWIFT_BIN_PATH or the debug build), then SOAK_SECONDS=180 soak
#   RELIABILITY_SOAK=0 scripts/reliability.sh   # fuzz + chaos only
#
# Needs python3 with pytest (Tests/sdk/requirements.txt); nothing else beyond the standard library.
set -euo pipefail
cd "$(dirname "$0")/.."

export SWIFT_BIN_PATH="${SWIFT_BIN_PATH:-$(swift build --show-bin-path)}"
mkdir -p artifacts
start=$(date +%s)
# Working directories (process logs, SQLite spend logs) under artifacts/ for scripts/scan-secrets.py.
FUZZ_REPORT="${FUZZ_REPORT:-artifacts/fuzz-report.json}" python3 -m pytest -q -rxX --basetemp="$PWD/artifacts/test-outputs/reliability" Tests/reliability/test_fuzz.py Tests/reliability/test_chaos.py Tests/reliability/test_soak_rule.py
echo "== fuzz, chaos and the soak rule took $(( $(date +%s) - start )) s"

if [[ "${RELIABILITY_SOAK:-1}" == "1" ]]; then
  SOAK_SECONDS="${SOAK_SECONDS:-180}" scripts/soak.sh
fi
