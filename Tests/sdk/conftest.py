"""Starts the built executables on free ports for the SDK tests (the official openai package against our servers)."""
import itertools
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


# Every process's output goes to a file here (never a pipe that could fill up), so that scripts/scan-secrets.py can
# check after the whole suite that no key reached a log line.
LOG_DIR = Path(os.environ.get("TEST_LOG_DIR", ROOT / "artifacts" / "logs"))
_log_numbers = itertools.count()


def log_file(name: str) -> Path:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR / f"sdk-{name}-{os.getpid()}-{next(_log_numbers)}.log"


def wait_for_line(process, paths, pattern, seconds=30):
    """The first match of `pattern` in the files `paths` while `process` runs, else None."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        for path in paths:
            match = re.search(pattern, path.read_text(errors="replace"))
            if match:
                return match
        if process.poll() is not None:
            return None
        time.sleep(0.05)
    return None


class Server:
    def __init__(self, args, pattern):
        self.log_path = log_file(Path(args[0]).name)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        match = wait_for_line(self.process, [self.log_path], pattern)
        if match:
            self.url = match.group(1)
            return
        self.process.kill()
        raise RuntimeError("server did not start: " + self.log_path.read_text(errors="replace"))

    def stderr_text(self):
        return getattr(self, "stderr_path", self.log_path).read_text(errors="replace")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        if hasattr(self, "stderr_log"):
            self.stderr_log.close()


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


def start_proxy(config_path, *args, env=None):
    """The proxy with stdout (its start-up lines) and stderr (its log, JSON with --json-logs) in two files; `env`
    adds to (or with None values removes from) the environment."""
    extra = env or {}
    env = dict(os.environ, SDK_AZURE_KEY=PROXY_AZURE_KEY, LITELLM_MASTER_KEY=PROXY_MASTER_KEY)
    env.update({name: value for name, value in extra.items() if value is not None})
    for name in [name for name, value in extra.items() if value is None]:
        env.pop(name, None)
    server = Server.__new__(Server)
    server.log_path, server.stderr_path = log_file("proxy"), log_file("proxy-stderr")
    server.log, server.stderr_log = open(server.log_path, "w"), open(server.stderr_path, "w")
    server.process = subprocess.Popen(
        [str(bin_path() / "proxy"), "--config", str(config_path), "--port", "0", "--host", "127.0.0.1", *args],
        cwd=ROOT, stdout=server.log, stderr=server.stderr_log, text=True, env=env,
    )
    match = wait_for_line(server.process, [server.log_path, server.stderr_path], r"listening on (http://\S+)")
    if match:
        server.url = match.group(1)
        return server
    server.process.kill()
    raise RuntimeError("proxy did not start: " + server.log_path.read_text(errors="replace") + server.stderr_text())


@pytest.fixture(scope="session")
def proxy(mock_azure, tmp_path_factory):
    server = start_proxy(proxy_config(tmp_path_factory.mktemp("proxy"), mock_azure), "--json-logs")
    yield server
    server.stop()
