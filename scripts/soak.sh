#!/usr/bin/env bash
# Soak: builds the release proxy and mock-azure (scripts/build-release.sh: -c release --static-swift-stdlib, as the
# Dockerfile builds them, into .build-static), then runs them for SOAK_SECONDS (default 1800) at a steady mixed load
# with chaos on (Tests/reliability/soak.py: 100 connections, rising to 1,000 for 10 s of every minute; streams,
# embeddings, completions and refused requests; MockAzure --fault-rate 0.1), sampling RSS, open descriptors and the
# in-flight gauges every second.
#
# Pass: RSS growth after the warm-up under 1 MiB per 10 minutes, flat descriptors, every request answered, the proxy
# alive. Writes $SOAK_OUT (default artifacts/soak): soak.csv, soak.svg (RSS over time), soak.json (figures).
#
#   scripts/soak.sh                     # 30 minutes
#   SOAK_SECONDS=180 scripts/soak.sh    # the 3-minute version CI runs (same pass rule)
#
# Other knobs: SOAK_WARMUP (s; default 60; 300 for runs of 15 minutes or more, 600 from 20 minutes), SOAK_BASE / SOAK_PEAK
# (connections), SOAK_FAULT_RATE, SOAK_SEED, SOAK_SKIP_BUILD=1 (use the binaries already built, in
# `scripts/build-release.sh --show-bin-path`: .build-static/release unless RELEASE_SCRATCH says otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

export SOAK_SECONDS="${SOAK_SECONDS:-1800}"
export SOAK_OUT="${SOAK_OUT:-artifacts/soak}"

# 1,000 client connections plus the proxy's own upstream connections need more than the usual 1,024 descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [[ "${SOAK_SKIP_BUILD:-0}" != "1" ]]; then
  # Under /tmp/swift-build.lock: other builds may run on the same machine, one at a time.
  scripts/build-release.sh proxy mock-azure
fi
BIN="$(scripts/build-release.sh --show-bin-path)"
for product in proxy mock-azure; do
  test -x "$BIN/$product" || { echo "soak: no $product in $BIN (run scripts/build-release.sh)"; exit 2; }
done

echo "== soak for ${SOAK_SECONDS} s (results in ${SOAK_OUT})"
start=$(date +%s)
status=0
python3 Tests/reliability/soak.py --seconds "$SOAK_SECONDS" --bin "$BIN" --out "$SOAK_OUT" || status=$?
echo "== soak took $(( $(date +%s) - start )) s"
exit "$status"
