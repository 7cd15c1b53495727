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
