#!/usr/bin/env bash
# Runs the conformance suite against LiteLLM 1.110.2 in front of MockAzure and checks that every outcome is the one
# the catalogue documents for LiteLLM (`conformance list` shows them). No database: the logging checks skip.
# Needs: scripts/install-litellm-reference.sh (run first) and a debug build (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${LITELLM_VENV:-.venv-litellm}
MOCK_PORT=${MOCK_PORT:-18480} LITELLM_PORT=${LITELLM_PORT:-18481}
BIN=$(swift build --show-bin-path)
WORK=$(mktemp -d)
OUT=${CONFORMANCE_OUT:-artifacts/conformance-litellm}
mkdir -p "$OUT"
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$BIN/mock-azure" --port "$MOCK_PORT" --fixtures fixtures --api-key conformance-azure-key --log-level warning > "$OUT/mock-azure.log" 2>&1 &
cat > "$WORK/config.yaml" <<YAML
model_list:
  - model_name: o4-mini
    litellm_params: {model: azure/o4-mini, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key}
  - model_name: gpt-4o
    litellm_params: {model: azure/gpt-4o, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key}
  - model_name: o4-mini-responses
    litellm_params: {model: azure/o4-mini, api_base: "http://127.0.0.1:$MOCK_PORT", api_key: conformance-azure-key}
  - model_name: text-embedding-3-small
    litellm_params: {model: azure/text-embedding-3-small, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key}
  - model_name: gpt-35-turbo-instruct
    litellm_params: {model: azure/gpt-35-turbo-instruct, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key}
  - {model_name: router-pair, litellm_params: {model: azure/gpt-4o, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key, weight: 1000}}
  - {model_name: router-pair, litellm_params: {model: azure/gpt-4o-mini, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key, weight: 1}}
  - {model_name: router-primary, litellm_params: {model: azure/gpt-4o, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key}}
  - {model_name: router-backup, litellm_params: {model: azure/gpt-4o-mini, api_base: "http://127.0.0.1:$MOCK_PORT", api_version: "2025-01-01-preview", api_key: conformance-azure-key}}
files_settings:
  - {custom_llm_provider: azure, api_base: "http://127.0.0.1:$MOCK_PORT", api_key: conformance-azure-key, api_version: "2025-01-01-preview"}
router_settings:
  num_retries: 0
  fallbacks: [{router-primary: [router-backup]}]
  content_policy_fallbacks: [{router-primary: [router-backup]}]
general_settings:
  master_key: sk-conformance-litellm
YAML
# AZURE_API_*: where LiteLLM's /azure pass-through and its files and batches go without a model group.
(cd "$WORK" && AZURE_API_BASE="http://127.0.0.1:$MOCK_PORT" AZURE_API_KEY=conformance-azure-key \
  AZURE_API_VERSION=2025-01-01-preview LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR exec "$OLDPWD/$VENV/bin/litellm" --config "$WORK/config.yaml" --port "$LITELLM_PORT" --host 127.0.0.1 > "$OLDPWD/$OUT/litellm.log" 2>&1) &
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$LITELLM_PORT/health/liveliness" > /dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$LITELLM_PORT/health/liveliness" > /dev/null || { echo "LiteLLM did not start:"; tail -40 "$OUT/litellm.log"; exit 1; }
"$BIN/conformance" run --proxy "http://127.0.0.1:$LITELLM_PORT" --key sk-conformance-litellm --mock "http://127.0.0.1:$MOCK_PORT" \
  --upstream-key conformance-azure-key --junit "$OUT/junit.xml" --json "$OUT/report.json" --expect-litellm \
  --timing-tolerance-ms "${TIMING_TOLERANCE_MS:-300}"
