"""scripts/check-deploy.sh passes on the shipped manifests and fails, naming the problem, on broken copies.

Needs the built proxy (SWIFT_BIN_PATH, else .build/debug) and PyPI the first time (the script installs its tools
into .venv-deploy). Run: python3 -m pytest -q Tests/deploy
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-deploy.sh"
PROXY = Path(os.environ.get("SWIFT_BIN_PATH", ROOT / ".build" / "debug")) / "proxy"

pytestmark = pytest.mark.skipif(not PROXY.exists(), reason=f"no proxy binary at {PROXY}")


def run(deploy_dir=None):
    env = dict(os.environ, KUBE_VERSIONS="1.37")
    if deploy_dir:
        env["DEPLOY_DIR"] = str(deploy_dir)
    return subprocess.run(["bash", str(SCRIPT), str(PROXY)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def broken(tmp_path):
    """A copy of deploy/kubernetes to break; edit(file, old, new) replaces text in it."""
    copy = tmp_path / "kubernetes"
    shutil.copytree(ROOT / "deploy" / "kubernetes", copy)

    def edit(relative, old, new):
        path = copy / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))
        return copy

    return edit


def test_shipped_manifests_pass():
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout
    assert "overlays/seed: one replica, no HPA, no PDB" in result.stdout
    assert "config OK" in result.stdout
    assert "overlays/workload-identity: keyless: no key or password in the pod's environment (none)" in result.stdout
    assert "overlays/workload-identity: config OK" in result.stdout


def test_schema_errors_fail(broken):
    broken("base/deployment.yaml", "containerPort: 4000", 'containerPort: "4000"')
    deploy = broken("base/service.yaml", "  type: LoadBalancer", "  type: LoadBalancer\n  typo: 1")
    result = run(deploy)
    assert result.returncode == 1
    assert "containerPort: '4000' is not of type 'integer'" in result.stdout
    assert "'typo' was unexpected" in result.stdout


def test_config_rejected_by_the_proxy_fails(broken):
    result = run(broken("base/configmap.yaml", "          model: o4-mini\n", ""))
    assert result.returncode == 1
    assert "model_list[0].litellm_params.model: is required" in result.stdout


def test_unwired_environment_variable_fails(broken):
    # The proxy itself would accept it (api_key falls back to AZURE_API_KEY), so this is the script's own check.
    result = run(broken("base/configmap.yaml", "os.environ/AZURE_API_KEY", "os.environ/AZURE_KEY"))
    assert result.returncode == 1
    assert "os.environ/AZURE_KEY, which neither the Secret template nor the Deployment sets" in result.stdout


def test_stop_timing_and_overlay_patch_targets_fail(broken):
    broken("base/deployment.yaml", "terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 30")
    result = run(broken("overlays/seed/kustomization.yaml", "name: litellm-hpa", "name: litellm-autoscaler"))
    assert result.returncode == 1
    assert "terminationGracePeriodSeconds 30 > preStop 5 s + shutdown grace 30 s" in result.stdout
    assert "FAIL  render overlays/seed" in result.stdout


WORKLOAD_IDENTITY = "overlays/workload-identity/kustomization.yaml"


def test_keyless_overlay_with_the_key_secret_back_fails(broken):
    # envFrom litellm-secrets would put AZURE_API_KEY and DATABASE_URL in the pod: the key would win over the token.
    result = run(broken(WORKLOAD_IDENTITY, "envFrom: null", "envFrom:\n                  - secretRef:\n"
                                                             "                      name: litellm-secrets"))
    assert result.returncode == 1
    assert "FAIL  overlays/workload-identity: keyless: no envFrom of a whole Secret (litellm-secrets)" in result.stdout
    assert "keyless: no key or password in the pod's environment (AZURE_API_KEY, DATABASE_URL)" in result.stdout


def test_workload_identity_wiring_fails(broken):
    broken("overlays/workload-identity/serviceaccount.yaml", "azure.workload.identity/client-id", "example.com/client-id")
    result = run(broken(WORKLOAD_IDENTITY, "key: LITELLM_MASTER_KEY", "key: MASTER_KEY"))
    assert result.returncode == 1
    assert "FAIL  overlays/workload-identity: keyless: workload identity: the webhook injects" in result.stdout
    assert "env LITELLM_MASTER_KEY ← Secret litellm-master-key key MASTER_KEY, which" in result.stdout
