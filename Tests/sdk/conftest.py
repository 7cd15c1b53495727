"""Starts the built executables on free ports for the SDK tests (the official openai package against our servers)."""
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bin_path() -> Path:
    path = os.environ.get("SWIFT_BIN_PATH")
    if path:
        return Path(path)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


class Server:
    def __init__(self, args, pattern):
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 30
        self.lines = []
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                self.url = match.group(1)
                return
        self.process.kill()
        raise RuntimeError("server did not start: " + "".join(self.lines))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


MOCK_KEY = "sdk-test-azure-key"


@pytest.fixture(scope="session")
def mock_azure():
    server = Server(
        [str(bin_path() / "mock-azure"), "--port", "0", "--fixtures", "fixtures", "--speed", "0", "--api-key", MOCK_KEY],
        r"listening on (http://\S+)",
    )
    yield server.url
    server.stop()


PROXY_MASTER_KEY = "sk-sdk-master-key-0001"
PROXY_AZURE_KEY = MOCK_KEY


def proxy_config(tmp_path, mock_url, extra=""):
    path = tmp_path / "proxy_server_config.yaml"
    path.write_text(f"""
model_list:
  - model_name: o4-mini
    litellm_params:
      model: azure/o4-mini
      api_base: {mock_url}
      api_version: "2025-01-01-preview"
      api_key: os.environ/SDK_AZURE_KEY
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_base: {mock_url}
      api_version: "2025-01-01-preview"
      api_key: os.environ/SDK_AZURE_KEY
  # The conformance suite's router groups (conformance list --router-config).
  - {{model_name: router-pair, litellm_params: {{model: azure/gpt-4o, api_base: "{mock_url}", api_version: "2025-01-01-preview", api_key: os.environ/SDK_AZURE_KEY, weight: 1000}}}}
  - {{model_name: router-pair, litellm_params: {{model: azure/gpt-4o-mini, api_base: "{mock_url}", api_version: "2025-01-01-preview", api_key: os.environ/SDK_AZURE_KEY, weight: 1}}}}
  - {{model_name: router-primary, litellm_params: {{model: azure/gpt-4o, api_base: "{mock_url}", api_version: "2025-01-01-preview", api_key: os.environ/SDK_AZURE_KEY}}}}
  - {{model_name: router-backup, litellm_params: {{model: azure/gpt-4o-mini, api_base: "{mock_url}", api_version: "2025-01-01-preview", api_key: os.environ/SDK_AZURE_KEY}}}}
router_settings:
  fallbacks: [{{router-primary: [router-backup]}}]
  content_policy_fallbacks: [{{router-primary: [router-backup]}}]
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  proxy_batch_write_at: 0.2
  sqlite_path: {tmp_path / "spend.sqlite"}
{extra}
""")
    return path


def start_proxy(config_path, *args):
    env = dict(os.environ, SDK_AZURE_KEY=PROXY_AZURE_KEY, LITELLM_MASTER_KEY=PROXY_MASTER_KEY)
    server = Server.__new__(Server)
    server.process = subprocess.Popen(
        [str(bin_path() / "proxy"), "--config", str(config_path), "--port", "0", "--host", "127.0.0.1", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    server.lines = []
    deadline = time.time() + 30
    while time.time() < deadline:
        line = server.process.stdout.readline()
        if not line:
            break
        server.lines.append(line)
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            server.url = match.group(1)
            return server
    server.process.kill()
    raise RuntimeError("proxy did not start: " + "".join(server.lines) + server.process.stderr.read())


@pytest.fixture(scope="session")
def proxy(mock_azure, tmp_path_factory):
    server = start_proxy(proxy_config(tmp_path_factory.mktemp("proxy"), mock_azure), "--json-logs")
    yield server
    server.stop()
