#!/usr/bin/env bash
# Proves what the Dockerfile relies on without a Docker engine: the proxy built as the image builds it (release, the
# Swift runtime linked statically: -c release --static-swift-stdlib) runs where the Swift toolchain's libraries are
# not on the library path (`env -i` with a minimal PATH) and answers the seed's curl.
# It checks the binary scripts/build-release.sh builds (the one the soak runs; .build-static unless RELEASE_SCRATCH
# says otherwise): built or brought up to date first (about 8 minutes from clean on 2 cores, seconds when built), or taken as it
# is with STATIC_SKIP_BUILD=1 (.ci/run, right after its release build).
# Usage: scripts/check-static.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${STATIC_PORT:-18490}
if [[ "${STATIC_SKIP_BUILD:-0}" != "1" ]]; then
  scripts/build-release.sh proxy
fi
BIN="$(scripts/build-release.sh --show-bin-path)"
test -x "$BIN/proxy" || { echo "check-static: no binary at $BIN/proxy"; exit 1; }

echo "== shared libraries the binary needs (no libswift*, no libFoundation*)"
ldd "$BIN/proxy" | sed 's/^/   /'
if ldd "$BIN/proxy" | grep -E "libswift|libFoundation|libdispatch|/opt/swift"; then
  echo "check-static: FAIL: the binary still links the Swift toolchain's shared libraries"; exit 1
fi

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp -R "$BIN"/*.resources "$WORK"/ 2>/dev/null || true
cp "$BIN/proxy" "$WORK/proxy"
cp -R fixtures "$WORK/fixtures"
# No LD_LIBRARY_PATH, no toolchain on PATH, nothing inherited.
(cd "$WORK" && exec env -i PATH=/usr/bin:/bin HOME="$WORK" ./proxy --demo --host 127.0.0.1 --port "$PORT" > "$WORK/proxy.log" 2>&1) &
for _ in $(seq 1 100); do
  grep -q "master key:" "$WORK/proxy.log" 2>/dev/null && curl -sf "http://127.0.0.1:$PORT/health/liveliness" > /dev/null && break
  sleep 0.2
done
KEY=$(sed -n 's/.*master key: \(sk-demo-[a-z0-9]*\).*/\1/p' "$WORK/proxy.log" | head -1)
test -n "$KEY" || { echo "check-static: FAIL: the proxy did not start:"; cat "$WORK/proxy.log"; exit 1; }
ANSWER=$(curl -sS "http://127.0.0.1:$PORT/chat/completions" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"model": "o4-mini", "messages": [{"role": "user", "content": "what llm are you"}]}')
echo "$ANSWER" | python3 -c '
import json, sys
answer = json.load(sys.stdin)
expected = json.load(open("fixtures/reference/seed-proxy-response.json"))
assert answer["model"] == expected["model"] == "azure/o4-mini-2025-04-16", answer.get("model")
assert answer["choices"][0]["message"]["content"] == expected["choices"][0]["message"]["content"]
assert answer["usage"] == expected["usage"], answer["usage"]
print("== the statically linked proxy answered the seed curl:", answer["model"], answer["usage"]["completion_tokens_details"])
'
