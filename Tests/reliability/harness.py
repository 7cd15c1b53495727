"""Shared launcher and probes for the reliability tests (fuzz, chaos, soak): starts mock-azure and the proxy from
SWIFT_BIN_PATH with a temporary config (as Tests/sdk/conftest.py does), logs each to a file (never a pipe that could
fill up under 10,000 refused requests), and reads a process's RSS, open descriptors and the proxy's /metrics.

Only the Python standard library: the fuzzer and the soak's load generator speak HTTP/1.1 over raw sockets, since
they send what HTTP clients refuse to send.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]

# Distinctive values, so a leak is found by a plain substring search in every answer and log line.
MASTER_KEY = "sk-reliability-master-Q7zX3vB9kLm2"
AZURE_KEY = "azure-reliability-upstream-Hc82LmPqW4t"
SECRETS = (MASTER_KEY, AZURE_KEY, MASTER_KEY[3:], "Q7zX3vB9kLm2", "Hc82LmPqW4t")


def bin_path() -> Path:
    path = os.environ.get("SWIFT_BIN_PATH")
    if path:
        return Path(path)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def fixtures_copy(directory: Path, quota: int = 10_000_000) -> Path:
    """The shipped fixtures with every deployment's rpm/tpm raised, so load tests meet the injected faults, not
    MockAzure's per-minute quota (6,000 rpm a deployment would answer 429 to most of a soak)."""
    target = directory / "fixtures"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "fixtures", target)
    deployments = target / "deployments.yaml"
    text = re.sub(r"rpm: 6000, tpm: 1000000", f"rpm: {quota}, tpm: {quota * 100}", deployments.read_text())
    deployments.write_text(text)
    return target


class Process:
    """One executable with stdout+stderr in a log file; `url` is read from its `listening on http://…` line."""

    def __init__(self, args, log_path: Path, env=None, pattern=r"listening on (http://\S+)", timeout=60):
        self.args = [str(a) for a in args]
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.url = None
        deadline = time.time() + timeout
        while time.time() < deadline:
            match = re.search(pattern, self.log_text())
            if match:
                self.url = match.group(1)
                parsed = urlparse(self.url)
                self.host, self.port = parsed.hostname, parsed.port
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.args[0]} did not start:\n{self.log_text()[-4000:]}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def fds(self) -> int:
        return open_fds(self.pid)

    def stop(self, timeout=15):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _tcp_table() -> dict[str, tuple[int, int, str]]:
    """inode → (local port, remote port, state) for every TCP socket on the machine."""
    table = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as handle:
                next(handle)
                for line in handle:
                    fields = line.split()
                    local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                    table[inode] = (int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16), state)
        except FileNotFoundError:
            pass
    return table


def fd_kinds(pid: int, listen_port: int, upstream_port: int | None = None) -> dict[str, int]:
    """A process's open descriptors by kind: `clients` (accepted connections on listen_port), `upstream`
    (connections to upstream_port), `listen`, `other_sockets`, `files` and `other` (pipes, eventfd, epoll…)."""
    table = _tcp_table()
    counts = {"clients": 0, "upstream": 0, "listen": 0, "other_sockets": 0, "files": 0, "other": 0}
    directory = f"/proc/{pid}/fd"
    for fd in os.listdir(directory):
        try:
            target = os.readlink(f"{directory}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            entry = table.get(target[8:-1])
            if entry is None:
                counts["other_sockets"] += 1
            elif entry[2] == "0A":
                counts["listen"] += 1
            elif entry[0] == listen_port:
                counts["clients"] += 1
            elif upstream_port is not None and entry[1] == upstream_port:
                counts["upstream"] += 1
            else:
                counts["other_sockets"] += 1
        elif target.startswith("/"):
            counts["files"] += 1
        else:
            counts["other"] += 1
    return counts


def start_mock(directory: Path, *, fault_rate=0.0, seed=0, speed=0.0, hang_seconds=120.0, fixtures: Path | None = None,
               binary: Path | None = None) -> Process:
    fixtures = fixtures or fixtures_copy(directory)
    args = [binary or bin_path() / "mock-azure", "--port", "0", "--fixtures", fixtures, "--speed", speed,
            "--api-key", AZURE_KEY, "--seed", seed, "--fault-rate", fault_rate, "--hang-seconds", hang_seconds,
            "--log-level", "warning"]
    return Process(args, directory / "mock-azure.log")


def model_entry(name: str, deployment: str, mock_url: str, timeout=None, stream_timeout=None) -> str:
    lines = [f"  - model_name: {name}", "    litellm_params:", f"      model: azure/{deployment}", f"      api_base: {mock_url}",
             '      api_version: "2025-01-01-preview"', "      api_key: os.environ/RELIABILITY_AZURE_KEY"]
    if timeout is not None:
        lines.append(f"      timeout: {timeout}")
    if stream_timeout is not None:
        lines.append(f"      stream_timeout: {stream_timeout}")
    return "\n".join(lines)


def write_config(directory: Path, mock_url: str, *, models=None, litellm_settings="", router_settings="",
                 general_extra="") -> Path:
    """A LiteLLM config.yaml: `models` is a list of (model_name, deployment, timeout, stream_timeout) tuples."""
    models = models or [("o4-mini", "o4-mini", None, None), ("gpt-4o", "gpt-4o", None, None),
                        ("gpt-35-turbo-instruct", "gpt-35-turbo-instruct", None, None),
                        ("text-embedding-3-small", "text-embedding-3-small", None, None)]
    entries = "\n".join(model_entry(name, deployment, mock_url, timeout, stream) for name, deployment, timeout, stream in models)
    text = f"""model_list:
{entries}
litellm_settings:
  callbacks: ["prometheus"]
{litellm_settings}
router_settings:
  num_retries: 0
{router_settings}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  proxy_batch_write_at: 0.2
  sqlite_path: {directory / "spend.sqlite"}
{general_extra}
"""
    path = directory / "proxy_config.yaml"
    path.write_text(text)
    return path


# glibc keeps freed memory of large, concurrent bodies in its heaps (docs/reliability.md, R7): with these the heaps
# give it back, so an RSS check sees what the proxy holds rather than what the allocator retains. Only for the fuzz
# run's RSS check; the soak runs the default allocator, as the container does.
ALLOCATOR_RETURNS_MEMORY = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


def start_proxy(directory: Path, config: Path, *, binary: Path | None = None, extra_args=(), extra_env=None) -> Process:
    env = dict(os.environ, RELIABILITY_AZURE_KEY=AZURE_KEY, LITELLM_MASTER_KEY=MASTER_KEY, **(extra_env or {}))
    for name in ("AZURE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL", "UI_USERNAME", "UI_PASSWORD", "LITELLM_LOG"):
        env.pop(name, None)
    args = [binary or bin_path() / "proxy", "--config", config, "--port", "0", "--host", "127.0.0.1", *extra_args]
    return Process(args, directory / "proxy.log", env=env)


# ---------------------------------------------------------------------------------------------------------------
# Minimal HTTP/1.1 over a socket: what the tests need and nothing that would refuse to send a malformed request.

class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, elapsed: float):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    def header(self, name: str):
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.body[:200]!r}>"


class ConnectionClosed(Exception):
    """The server closed the connection without (a complete) answer."""


def _read_until(sock, buffer: bytearray, marker: bytes, deadline: float, limit=1 << 20) -> int:
    while True:
        index = buffer.find(marker)
        if index >= 0:
            return index
        if len(buffer) > limit:
            raise ValueError("header section too large")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete answer in time")
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionClosed(bytes(buffer[:200]))
        buffer += chunk


def _read_exact(sock, buffer: bytearray, count: int, deadline: float):
    while len(buffer) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("body not complete in time")
        sock.settimeout(remaining)
        chunk = sock.recv(max(65536, count - len(buffer)))
        if not chunk:
            raise ConnectionClosed(bytes(buffer[:200]))
        buffer += chunk


def read_response(sock, deadline: float, method: str = "POST", buffer: bytearray | None = None) -> Response:
    """Reads one answer (Content-Length, chunked or until close) before `deadline` (time.monotonic())."""
    started = time.monotonic()
    buffer = buffer if buffer is not None else bytearray()
    end = _read_until(sock, buffer, b"\r\n\r\n", deadline)
    head = bytes(buffer[:end]).decode("latin-1")
    del buffer[:end + 4]
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"not an HTTP status line: {lines[0]!r}")
    status = int(parts[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    lookup = {k.lower(): v for k, v in headers}
    body = bytearray()
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        pass
    elif "chunked" in lookup.get("transfer-encoding", "").lower():
        while True:
            end = _read_until(sock, buffer, b"\r\n", deadline)
            size = int(bytes(buffer[:end]).split(b";")[0].strip() or b"0", 16)
            del buffer[:end + 2]
            if size == 0:
                _read_until(sock, buffer, b"\r\n", deadline)
                end = buffer.find(b"\r\n")
                del buffer[:end + 2]
                break
            _read_exact(sock, buffer, size + 2, deadline)
            body += buffer[:size]
            del buffer[:size + 2]
    elif "content-length" in lookup:
        length = int(lookup["content-length"])
        _read_exact(sock, buffer, length, deadline)
        body += buffer[:length]
        del buffer[:length]
    else:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("body not complete in time")
            sock.settimeout(remaining)
            chunk = sock.recv(65536)
            if not chunk:
                break
            buffer += chunk
        body += buffer
        buffer.clear()
    return Response(status, headers, bytes(body), time.monotonic() - started)


def raw_exchange(host: str, port: int, payload: bytes, timeout: float, method: str = "POST") -> Response:
    """Sends bytes as they are on a new connection and reads one answer."""
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413) and close before reading everything; read what it said
        response = read_response(sock, deadline, method)
    response.elapsed = time.monotonic() - started
    return response


def build_request(method: str, path: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"",
                  host: str = "127.0.0.1", content_length=True, close=True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    for name, value in headers or []:
        lines.append(f"{name}: {value}")
    if content_length and body is not None:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + (body or b"")


def request(url_or_proc, method: str, path: str, *, headers=None, body: bytes | dict | None = None, timeout=30.0) -> Response:
    host, port = (url_or_proc.host, url_or_proc.port) if hasattr(url_or_proc, "host") else _host_port(url_or_proc)
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers = [("Content-Type", "application/json")] + list(headers or [])
    return raw_exchange(host, port, build_request(method, path, headers, body or b""), timeout, method)


def _host_port(url: str):
    parsed = urlparse(url)
    return parsed.hostname, parsed.port


def auth(key: str = MASTER_KEY):
    return [("Authorization", f"Bearer {key}")]


def metrics(proxy) -> dict[str, float]:
    """The proxy's /metrics as {'name{labels}': value}."""
    text = request(proxy, "GET", "/metrics", timeout=10).body.decode()
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            values[name] = float(value)
        except ValueError:
            pass
    return values


def metric(values: dict[str, float], name: str) -> float:
    return sum(v for k, v in values.items() if k == name or k.startswith(name + "{"))


def mock_health(mock) -> dict:
    return request(mock, "GET", "/__mock/health", timeout=10).json()


def mock_received(mock) -> int:
    """Requests MockAzure has received since start (the journal's last sequence number + 1)."""
    entries = request(mock, "GET", "/__mock/journal?limit=1", timeout=10).json()["entries"]
    return entries[-1]["sequence"] + 1 if entries else 0


def is_openai_error(body: bytes) -> tuple[bool, str]:
    """`{"error":{"message","type","param","code"}}` with message a string; returns (ok, why-not)."""
    try:
        parsed = json.loads(body)
    except Exception as exc:
        return False, f"not JSON ({exc.__class__.__name__}): {body[:120]!r}"
    if not isinstance(parsed, dict) or not isinstance(parsed.get("error"), dict):
        return False, f"no error object: {body[:120]!r}"
    error = parsed["error"]
    missing = [k for k in ("message", "type", "param", "code") if k not in error]
    if missing:
        return False, f"error lacks {missing}: {body[:160]!r}"
    if not isinstance(error["message"], str):
        return False, "error.message is not a string"
    return True, ""


def find_secret(data: bytes | str) -> str | None:
    text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else data
    for secret in SECRETS:
        if secret in text:
            return secret
    return None
