#!/usr/bin/env bash
# Source checks that need no build and no installed dependency (only swift-format from the toolchain and python3):
#   1. `swift format lint --strict` on Sources, Tests and Package.swift with the repo's .swift-format (lineLength 120);
#   2. no line longer than 120 characters in any Swift file of Sources/, Tests/ or Package.swift — swift-format does
#      not flag what it cannot break (a long string literal, a long comment line), this does.
#   3. the folders of Sources/Proxy depend one way (scripts/check-layers.py).
# Every finding is listed as file:line; exit 1 when there is any, with the counts.
#   scripts/validate.sh          (.ci/run runs it first)
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINE=${MAX_LINE_LENGTH:-120}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== swift format lint --strict -r Sources Tests Package.swift ($(swift format --version 2>&1 | head -1))"
lint_status=0
swift format lint --strict -r Sources Tests Package.swift > "$TMP/lint.log" 2>&1 || lint_status=$?
sed 's/^/   /' "$TMP/lint.log"
lint_findings=$(grep -cE '^[^:]+:[0-9]+:[0-9]+: (error|warning)' "$TMP/lint.log" || true)
# A lint that fails without a finding in the usual form (a file it cannot parse, a bad .swift-format) still fails.
if [[ "$lint_status" -ne 0 && "$lint_findings" -eq 0 ]]; then lint_findings=1; fi

echo "== lines over $MAX_LINE characters (Sources/, Tests/, Package.swift)"
{ find Sources Tests -name '*.swift' -type f; echo Package.swift; } | LC_ALL=C sort > "$TMP/files"
# Characters, not bytes (as swift-format counts: `—` or `…` is one column).
python3 - "$MAX_LINE" "$TMP/files" > "$TMP/long.txt" <<'PY'
import sys
limit, listing = int(sys.argv[1]), sys.argv[2]
for path in open(listing, encoding="utf-8").read().split("\n"):
    if not path:
        continue
    with open(path, encoding="utf-8", errors="replace", newline="") as source:
        for number, line in enumerate(source.read().split("\n"), 1):
            line = line.rstrip("\r")
            if len(line) > limit:
                print(f"{path}:{number}: {len(line)} characters")
PY
sed 's/^/   /' "$TMP/long.txt"
long_lines=$(wc -l < "$TMP/long.txt" | tr -d ' ')
long_files=$(cut -d: -f1 "$TMP/long.txt" | sort -u | wc -l | tr -d ' ')

echo "== folders of Sources/Proxy depend one way (scripts/check-layers.py)"
layer_status=0
layers=$(python3 scripts/check-layers.py) || layer_status=1
echo "$layers" | sed 's/^/   /'

echo "validate: swift-format lint: $lint_findings finding(s);" \
  "lines over $MAX_LINE characters: $long_lines in $long_files file(s)"
if [[ "$lint_findings" -ne 0 || "$long_lines" -ne 0 || "$layer_status" -ne 0 ]]; then
  echo "validate: FAIL"
  exit 1
fi
echo "validate: OK ($(wc -l < "$TMP/files" | tr -d ' ') Swift files)"
