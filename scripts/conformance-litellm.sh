#!/usr/bin/env bash
# Runs the conformance suite against LiteLLM 1.110.2 in front of MockAzure and checks that every outcome is the one
# the catalogue documents for LiteLLM (`conformance list` shows them). No database: the logging checks skip. The cache
# suite runs against a second LiteLLM with an in-memory cache; the guardrails suite against the first one's
# guardrails (opt-in per request, so no other check meets them).
# Needs: scripts/install-litellm-reference.sh (run first) and a debug build (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${LITELLM_VENV:-.venv-litellm}
MOCK_PORT=${MOCK_PORT:-18480} LITELLM_PORT=${LITELLM_PORT:-18481} LITELLM_CACHE_PORT=${LITELLM_CACHE_PORT:-18482}
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
guardrails:
  - guardrail_name: conformance-shield
    litellm_params: {guardrail: azure/prompt_shield, mode: pre_call, api_base: "http://127.0.0.1:$MOCK_PORT", api_key: conformance-azure-key}
  - guardrail_name: conformance-moderation
    litellm_params: {guardrail: azure/text_moderations, mode: pre_call, api_base: "http://127.0.0.1:$MOCK_PORT", api_key: conformance-azure-key}
  - guardrail_name: conformance-pii
    litellm_params: {guardrail: litellm_content_filter, mode: pre_call, patterns: [{pattern_type: prebuilt, pattern_name: email, action: MASK}]}
general_settings:
  master_key: sk-conformance-litellm
YAML
# AZURE_API_*: where LiteLLM's /azure pass-through and its files and batches go without a model group.
start_litellm() { # config port log
  (cd "$WORK" && AZURE_API_BASE="http://127.0.0.1:$MOCK_PORT" AZURE_API_KEY=conformance-azure-key \
    AZURE_API_VERSION=2025-01-01-preview LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR \
    exec "$OLDPWD/$VENV/bin/litellm" --config "$1" --port "$2" --host 127.0.0.1 > "$OLDPWD/$3" 2>&1) &
}
wait_litellm() { # port log
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$1/health/liveliness" > /dev/null && return 0
    sleep 0.5
  done
  echo "LiteLLM did not start:"; tail -40 "$2"; exit 1
}
# The cache suite needs a LiteLLM with a response cache: a second one, since with a cache every repeated request of
# the other suites would be answered from it.
{ cat "$WORK/config.yaml"; printf 'litellm_settings:\n  cache: true\n  cache_params: {type: local}\n'; } \
  > "$WORK/config-cache.yaml"
start_litellm "$WORK/config.yaml" "$LITELLM_PORT" "$OUT/litellm.log"
start_litellm "$WORK/config-cache.yaml" "$LITELLM_CACHE_PORT" "$OUT/litellm-cache.log"
wait_litellm "$LITELLM_PORT" "$OUT/litellm.log"
wait_litellm "$LITELLM_CACHE_PORT" "$OUT/litellm-cache.log"
run() { # port name suites
  "$BIN/conformance" run --proxy "http://127.0.0.1:$1" --key sk-conformance-litellm --mock "http://127.0.0.1:$MOCK_PORT" \
    --upstream-key conformance-azure-key --junit "$OUT/$2junit.xml" --json "$OUT/$2report.json" --expect-litellm \
    --timing-tolerance-ms "${TIMING_TOLERANCE_MS:-300}" --suite "$3"
}
status=0
run "$LITELLM_PORT" "" api,stream,errors,auth,logging,azure,router,entra,responses,passthrough,guardrails || status=1
run "$LITELLM_CACHE_PORT" cache- cache || status=1
exit $status
