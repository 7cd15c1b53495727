"""The request fuzzer (fuzz_proxy.py) against the built proxy in front of mock-azure, plus:

  * one test per bug the fuzzer found (each sends the minimal reproduction from docs/reliability.md and asserts the
    behaviour the proxy should have; xfail while the bug is open);
  * proofs that the fuzzer's checks can fail, against broken_proxy.py (a key in an error, a non-OpenAI error shape,
    a crash, a slow answer, memory that grows).

    SWIFT_BIN_PATH=.build/debug python3 -m pytest -q Tests/reliability/test_fuzz.py
    FUZZ_COUNT=10000 FUZZ_SEED=1 …    (defaults)
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_proxy  # noqa: E402
import harness  # noqa: E402

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz")
    mock = harness.start_mock(directory)
    allocator = {} if os.environ.get("FUZZ_DEFAULT_ALLOCATOR") == "1" else harness.ALLOCATOR_RETURNS_MEMORY
    proxy = harness.start_proxy(directory, harness.write_config(directory, mock.url, general_extra=fuzz_proxy.FUZZ_GENERAL), extra_env=allocator)
    yield mock, proxy
    proxy.stop()
    mock.stop()


def test_fuzz_ten_thousand_adversarial_requests(servers):
    mock, proxy = servers
    count = int(os.environ.get("FUZZ_COUNT", 10_000))
    fuzzer = fuzz_proxy.Fuzzer(proxy.host, proxy.port, proxy.pid, mock_pid=mock.pid, seed=int(os.environ.get("FUZZ_SEED", 1)),
                               count=count, rss_tolerance_mib=float(os.environ.get("FUZZ_RSS_TOLERANCE_MIB", 96)))
    passed = fuzzer.run()
    fuzzer.print_report()
    if os.environ.get("FUZZ_REPORT"):
        Path(os.environ["FUZZ_REPORT"]).write_text(json.dumps(fuzzer.report, indent=2))
    assert proxy.alive(), "the proxy died"
    assert fuzzer.report["requests"] >= count
    assert harness.find_secret(proxy.log_text()) is None, "key material in the proxy's log"
    assert passed, "\n".join(fuzzer.report["failure_examples"])


# ---------------------------------------------------------------------------------------------------------------
# Bugs found by the fuzzer: minimal reproductions (see docs/reliability.md), xfail while open, plain tests once fixed.

def raw(proxy, payload, timeout=10):
    return harness.raw_exchange(proxy.host, proxy.port, payload, timeout)


def test_r1_unreadable_body_is_a_400(servers):
    """R1 (fixed in a1b8f98): a body that fails to read (bad chunked framing) answered 500."""
    _, proxy = servers
    response = raw(proxy, b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + harness.MASTER_KEY.encode()
                   + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
    assert 400 <= response.status < 500 and harness.is_openai_error(response.body)[0], response


def test_r2_connect_gets_an_openai_error(servers):
    """R2 (fixed): CONNECT answered 404 with content-type application/json and an empty body (NIO's encoder drops the
    body of every answer to CONNECT); ConnectRefusal now answers before the codec."""
    _, proxy = servers
    response = raw(proxy, b"CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\nConnection: close\r\n\r\n")
    assert 400 <= response.status < 500 and harness.is_openai_error(response.body)[0], response


def test_r3_many_keys_answered_in_linear_time(servers):
    """R3 (fixed in a1b8f98): an object with n keys cost O(n²) (SpendRecorder.truncated → JSONObject.init(_:))."""
    _, proxy = servers

    def seconds(keys):
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "k"}], "metadata": {f"k{i}": i for i in range(keys)}}
        started = time.monotonic()
        response = harness.request(proxy, "POST", "/chat/completions", headers=harness.auth(), body=body, timeout=300)
        assert response.status == 200
        return time.monotonic() - started

    small, large = seconds(4_000), seconds(16_000)
    # 4× the keys: about 4× the time when linear, 16× when quadratic.
    assert large < max(8 * small, 0.5), f"4,000 keys {small:.2f} s, 16,000 keys {large:.2f} s"


def test_r4_oversize_body_with_connection_close_gets_its_413(servers):
    """R4 (fixed): with Connection: close, a body over the limit got its 413 but the rest was neither read nor the
    connection closed, so a client that sends the whole body first waited until its own timeout. The proxy now reads
    on and discards (bounded) before answering, as nginx's lingering close does."""
    _, proxy = servers
    connection = http.client.HTTPConnection(proxy.host, proxy.port, timeout=10)
    try:
        connection.request("POST", "/chat/completions", body=b'{"a":"' + b"o" * (64 << 20) + b'"}',
                           headers={"Authorization": "Bearer " + harness.MASTER_KEY, "Content-Type": "application/json", "Connection": "close"})
        assert connection.getresponse().status == 413
    finally:
        connection.close()


def test_r6_idle_and_partial_connections_are_closed(servers):
    """R6 (fixed): idle keep-alive and half-sent requests held a connection (and a descriptor) for ever (slow-loris).
    Both are now closed after --keepalive_timeout (5 s by default, uvicorn's)."""
    _, proxy = servers
    idle = socket.create_connection((proxy.host, proxy.port))
    idle.sendall(harness.build_request("GET", "/health/liveliness", close=False))
    harness.read_response(idle, time.monotonic() + 5, "GET")
    partial = socket.create_connection((proxy.host, proxy.port))
    partial.sendall(b"POST /chat/completions HTTP/1.1\r\nHost: x\r\n")
    time.sleep(8)
    closed = 0
    for sock in (idle, partial):
        sock.settimeout(0.5)
        try:
            closed += sock.recv(4096) is not None  # b"" (closed) or a 408 answer
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        sock.close()
    assert closed == 2, "connections still open after 8 s"


# ---------------------------------------------------------------------------------------------------------------
# The checks can fail: the fuzzer against a deliberately broken server.

def broken(tmp_path, mode, *args):
    env = dict(os.environ, LITELLM_MASTER_KEY=harness.MASTER_KEY)
    return harness.Process([sys.executable, HERE / "broken_proxy.py", "--mode", mode, *args], tmp_path / f"broken-{mode}.log", env=env)


def fuzz_against(server, count=300, watch_process=True, **options):
    options.setdefault("only", {"invalid_json", "auth_headers", "control"})
    options.setdefault("prime", False)
    fuzzer = fuzz_proxy.Fuzzer(server.host, server.port, server.pid if watch_process else None, seed=5, count=count,
                               slowloris_connections=2, log=lambda *_: None, **options)
    passed = fuzzer.run()
    return passed, fuzzer.report


@pytest.mark.parametrize("mode,expected", [
    ("leak", "key material in the answer"),
    ("shape", "not OpenAI-shaped"),
])
def test_fuzzer_fails_on_a_broken_answer(tmp_path, mode, expected):
    server = broken(tmp_path, mode)
    try:
        passed, report = fuzz_against(server, watch_process=False)
    finally:
        server.stop()
    assert not passed
    assert any(expected in example for example in report["failure_examples"]), report["failure_examples"][:5]


def test_fuzzer_fails_when_the_process_dies(tmp_path):
    server = broken(tmp_path, "crash", "--after", "250")
    try:
        passed, report = fuzz_against(server, count=2000)
    finally:
        server.stop()
    assert not passed and report.get("died")


def test_fuzzer_fails_on_an_answer_slower_than_its_timeout(tmp_path):
    server = broken(tmp_path, "slow", "--delay", "4")
    try:
        passed, report = fuzz_against(server, count=100, timeout_scale=0.1, watch_process=False)
    finally:
        server.stop()
    assert not passed
    assert any("no answer within" in example for example in report["failure_examples"])


def test_fuzzer_fails_when_memory_does_not_come_back(tmp_path):
    server = broken(tmp_path, "grow")
    try:
        passed, report = fuzz_against(server, count=300, rss_tolerance_mib=16)
    finally:
        server.stop()
    assert not passed
    assert any("RSS" in example for example in report["failure_examples"])
