"""Chaos: MockAzure's seeded fault mode (`--fault-rate 0.1 --seed N`: 429, 500, 503, hangs, mid-stream disconnects,
malformed frames in equal shares) under concurrent streaming and non-streaming load through the proxy, with retries
(`num_retries`), a fallback model group and per-deployment `timeout` / `stream_timeout` short enough that hangs end.

Checked, per request and at the end:
  * every request ends within its deadline (the worst case the config allows, plus slack) with an acceptable status:
    200, or an OpenAI-shaped 408/429/500/503 (the last failure after retries and fallbacks);
  * a 200 JSON answer is a chat completion (parseable, with choices); a stream is SSE that ends with
    `data: [DONE]`, and an error frame (`data: {"error":…}`) is followed by `[DONE]` and nothing else;
  * no stream stays open: the proxy's `llm_gateway_in_flight_streams` and `llm_gateway_in_flight_requests` gauges and
    MockAzure's `open_streams` return to 0;
  * spend rows = requests: one row per request in the SQLite file (each request has its own `user`), none lost,
    none duplicated, its status matching what the client saw;
  * faults were really injected (replaying MockAzure's SplitMix64 draws for the requests it received) and no key
    material appears in any answer.

    CHAOS_REQUESTS=2000 CHAOS_CONCURRENCY=32 CHAOS_SEED=7 SWIFT_BIN_PATH=.build/debug python3 -m pytest -q Tests/reliability/test_chaos.py
    python3 Tests/reliability/test_chaos.py --requests 2000 --json report.json     # the same run, as a script
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

import pytest  # noqa: E402

ACCEPTABLE = {200, 408, 429, 500, 503}
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------------------------
# MockAzure's fault draws, replayed (Sources/MockAzure/Faults/FaultSequencer.swift RandomFaults + SplitMix64).

class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def injected_faults(seed: int, rate: float, draws: int) -> Counter:
    """The faults MockAzure's `--fault-rate rate --seed seed` gave its first `draws` requests."""
    rng = SplitMix64(seed ^ 0xFA17)
    counts = Counter()
    for _ in range(draws):
        draw = (rng.next() >> 11) / float(1 << 53)
        if draw >= rate:
            counts["none"] += 1
            continue
        kind = rng.next() % 6
        if kind == 4:
            rng.next()  # disconnect-after:N draws N
        counts[["429", "500", "503", "hang", "disconnect", "malformed"][kind]] += 1
    return counts


# ---------------------------------------------------------------------------------------------------------------
# The run

def chaos_config(directory: Path, mock_url: str, *, timeout=2, stream_timeout=3, retries=2, fallbacks=True):
    models = [("gpt-4o", "gpt-4o", timeout, stream_timeout), ("gpt-4o", "gpt-4o-mini", timeout, stream_timeout),
              ("o4-mini", "o4-mini", timeout, stream_timeout), ("fallback", "gpt-4.1", timeout, stream_timeout)]
    router = "  allowed_fails: 1000\n  cooldown_time: 1\n"
    if fallbacks:
        router += '  fallbacks: [{"gpt-4o": ["fallback"]}, {"o4-mini": ["fallback"]}]\n'
    path = harness.write_config(directory, mock_url, models=models, router_settings=router)
    text = path.read_text().replace("  num_retries: 0\n", f"  num_retries: {retries}\n")
    path.write_text(text)
    return path


def deadline_for(timeout, stream_timeout, retries, groups):
    """The longest a request may take: every attempt times out and every retry waits its longest (retry-after 1 s, or
    backoff 0.5·2ⁿ s capped at 8 s plus 0.75 s jitter), in the group and each fallback; plus slack for a busy machine."""
    per_attempt = max(timeout, stream_timeout)
    waits = sum(min(0.5 * 2 ** n, 8) + 0.75 for n in range(retries))
    return groups * ((retries + 1) * per_attempt + waits) + 10


def one_request(proxy, index, rng, deadline):
    stream = rng.random() < 0.5
    model = rng.choice(["gpt-4o", "gpt-4o", "o4-mini"])
    body = {"model": model, "user": f"chaos-{index}", "messages": [{"role": "user", "content": f"chaos request {index}"}]}
    if stream:
        body["stream"] = True
        if rng.random() < 0.5:
            body["stream_options"] = {"include_usage": True}
    started = time.monotonic()
    try:
        response = harness.request(proxy, "POST", "/chat/completions", headers=harness.auth(), body=body, timeout=deadline)
    except Exception as error:  # timeout, reset, closed
        return {"index": index, "stream": stream, "status": None, "elapsed": time.monotonic() - started,
                "failure": f"no complete answer: {error.__class__.__name__}: {error}", "outcome": "no-answer"}
    result = {"index": index, "stream": stream, "status": response.status, "elapsed": response.elapsed, "failure": None}
    result.update(judge(response, stream))
    secret = harness.find_secret(response.body) or harness.find_secret(repr(response.headers))
    if secret:
        result["failure"] = f"key material in the answer ({secret[:6]}…)"
    return result


def judge(response, stream) -> dict:
    """Outcome and failure (if any) of one answer."""
    status = response.status
    if status not in ACCEPTABLE:
        return {"outcome": f"status-{status}", "failure": f"unacceptable status {status}: {response.body[:200]!r}"}
    if status != 200:
        ok, why = harness.is_openai_error(response.body)
        return {"outcome": f"error-{status}", "failure": None if ok else f"{status} not OpenAI-shaped: {why}"}
    ctype = (response.header("content-type") or "").lower()
    if stream:
        if "text/event-stream" not in ctype:
            return {"outcome": "stream-not-sse", "failure": f"stream answered {ctype}"}
        events = [line[5:].strip() for line in response.body.split(b"\n") if line.startswith(b"data:")]
        if not events or events[-1] != b"[DONE]":
            return {"outcome": "stream-unterminated", "failure": f"stream does not end with [DONE]: {response.body[-200:]!r}"}
        error_at = None
        malformed = 0
        for position, event in enumerate(events[:-1]):
            try:
                parsed = json.loads(event)
            except ValueError:
                malformed += 1
                continue
            if isinstance(parsed, dict) and "error" in parsed:
                error_at = position
                ok, why = harness.is_openai_error(event)
                if not isinstance(parsed["error"], dict) or "message" not in parsed["error"]:
                    return {"outcome": "stream-error-frame-bad", "failure": "error frame without error.message: " + why}
        if error_at is not None:
            if error_at != len(events) - 2:
                return {"outcome": "stream-error-frame-bad", "failure": "frames after the error frame"}
            return {"outcome": "stream-error-frame", "failure": None}
        return {"outcome": "stream-malformed-frame-passed" if malformed else "stream-ok", "failure": None}
    try:
        parsed = json.loads(response.body)
    except ValueError:
        # R5 (fixed in a1b8f98): MockAzure's half body on a plain answer was relayed as a 200.
        return {"outcome": "200-not-json", "failure": f"200 whose body is not JSON (R5): {response.body[:120]!r}"}
    if not isinstance(parsed, dict) or not parsed.get("choices"):
        return {"outcome": "200-not-completion", "failure": f"200 without choices: {response.body[:120]!r}"}
    return {"outcome": "ok", "failure": None}


def wait_idle(proxy, mock, seconds=15.0):
    """Polls until nothing is in flight; returns the last readings."""
    deadline = time.monotonic() + seconds
    reading = {}
    while time.monotonic() < deadline:
        values = harness.metrics(proxy)
        reading = {"proxy_in_flight_streams": harness.metric(values, "llm_gateway_in_flight_streams"),
                   "proxy_in_flight_requests": harness.metric(values, "llm_gateway_in_flight_requests"),
                   "mock_open_streams": harness.mock_health(mock)["open_streams"]}
        if not any(reading.values()):
            break
        time.sleep(0.25)
    return reading


def spend_rows(sqlite_path: Path, prefix="chaos-"):
    with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True, timeout=10) as db:
        return db.execute('SELECT "request_id", "end_user", "status" FROM "LiteLLM_SpendLogs" WHERE "end_user" LIKE ?', (prefix + "%",)).fetchall()


def check_rows(rows, results) -> dict:
    """Rows against requests: lost, duplicated, status mismatched."""
    by_user = Counter(user for _, user, _ in rows)
    expected = {f"chaos-{r['index']}": r for r in results}
    lost = sorted(user for user in expected if by_user[user] == 0)
    duplicated = sorted(user for user, count in by_user.items() if count > 1)
    unknown = sorted(user for user in by_user if user not in expected)
    ids = Counter(request_id for request_id, _, _ in rows)
    mismatched = []
    for _, user, status in rows:
        result = expected.get(user)
        if not result or result["status"] is None:
            continue
        client_ok = result["status"] == 200 and result["outcome"] in ("ok", "stream-ok", "stream-malformed-frame-passed")
        if (status == "success") != client_ok and not result["outcome"].startswith("200-not-json"):
            mismatched.append(f"{user}: row {status}, client {result['status']} {result['outcome']}")
    return {"rows": len(rows), "requests": len(results), "lost": lost, "duplicated": duplicated, "unknown": unknown,
            "duplicate_request_ids": [i for i, c in ids.items() if c > 1], "status_mismatch": mismatched}


def wait_rows(sqlite_path, expected, seconds=30.0):
    deadline = time.monotonic() + seconds
    rows = []
    while time.monotonic() < deadline:
        try:
            rows = spend_rows(sqlite_path)
            if len(rows) >= expected:
                time.sleep(1)  # a late duplicate would show up now
                return spend_rows(sqlite_path)
        except sqlite3.Error:
            pass
        time.sleep(0.3)
    return rows


def run_chaos(directory: Path, *, requests=600, concurrency=32, seed=7, fault_rate=0.1, timeout=2, stream_timeout=3,
              retries=2, fallbacks=True, hang_seconds=6.0, speed=5.0, client_deadline=None, log=print) -> dict:
    mock = harness.start_mock(directory, fault_rate=fault_rate, seed=seed, speed=speed, hang_seconds=hang_seconds)
    proxy = None
    try:
        proxy = harness.start_proxy(directory, chaos_config(directory, mock.url, timeout=timeout, stream_timeout=stream_timeout,
                                                            retries=retries, fallbacks=fallbacks))
        limit = client_deadline or deadline_for(timeout, stream_timeout, retries, 2 if fallbacks else 1)
        rng = random.Random(seed)
        plans = [random.Random(rng.random()) for _ in range(requests)]
        started = time.monotonic()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda i: one_request(proxy, i, plans[i], limit), range(requests)))
        seconds = time.monotonic() - started
        idle = wait_idle(proxy, mock)
        rows = wait_rows(directory / "spend.sqlite", requests)
        row_check = check_rows(rows, results)
        received = harness.mock_received(mock)
        faults = injected_faults(seed, fault_rate, received)
        values = harness.metrics(proxy)
        failed_attempts = Counter()
        for name, value in values.items():
            if name.startswith("litellm_deployment_failure_responses_total{"):
                status = name.split('exception_status="')[1].split('"')[0]
                failed_attempts[status] += int(value)
        report = {
            "seed": seed, "fault_rate": fault_rate, "requests": requests, "concurrency": concurrency, "seconds": round(seconds, 1),
            "deadline_s": round(limit, 1), "max_elapsed_s": round(max(r["elapsed"] for r in results), 2),
            "streams": sum(1 for r in results if r["stream"]),
            "statuses": dict(Counter(str(r["status"]) for r in results)), "outcomes": dict(Counter(r["outcome"] for r in results)),
            "upstream_requests": received, "faults_injected": {k: v for k, v in faults.items() if k != "none"},
            "failed_upstream_attempts_by_status": dict(failed_attempts),
            "retries": int(harness.metric(values, "litellm_deployment_total_requests_total")) - requests,
            "in_flight_after": idle, "spend": {k: (v if isinstance(v, int) else len(v)) for k, v in row_check.items()},
            "proxy_alive": proxy.alive(), "mock_alive": mock.alive(),
        }
        failures = [f"#{r['index']} ({'stream' if r['stream'] else 'plain'}): {r['failure']}" for r in results if r["failure"]]
        failures += [f"#{r['index']}: took {r['elapsed']:.1f} s > {limit:.1f} s" for r in results if r["elapsed"] > limit]
        if any(idle.values()):
            failures.append(f"still in flight after the run: {idle}")
        for key in ("lost", "duplicated", "unknown", "duplicate_request_ids", "status_mismatch"):
            if row_check[key]:
                failures.append(f"spend rows {key}: {row_check[key][:10]} ({len(row_check[key])})")
        if not proxy.alive():
            failures.append("the proxy died")
        secret = harness.find_secret(proxy.log_text())
        if secret:
            failures.append(f"key material in the proxy's log ({secret[:6]}…)")
        report["failures"] = failures
        log(json.dumps(report, indent=2))
        return report
    finally:
        if proxy:
            proxy.stop()
        mock.stop()


# ---------------------------------------------------------------------------------------------------------------
# pytest

def env_int(name, default):
    return int(os.environ.get(name, default))


def test_chaos_every_request_ends_in_time_no_stream_left_open_one_spend_row_each(tmp_path):
    report = run_chaos(tmp_path, requests=env_int("CHAOS_REQUESTS", 2000), concurrency=env_int("CHAOS_CONCURRENCY", 32),
                       seed=env_int("CHAOS_SEED", 7))
    assert report["failures"] == []
    # The run really exercised the faults: every kind was injected, streams broke mid-way, retries happened.
    assert set(report["faults_injected"]) >= {"429", "500", "503", "hang", "disconnect", "malformed"}
    assert report["retries"] > 0
    assert report["spend"]["rows"] == report["requests"]


def test_fault_replay_matches_mock_azure(tmp_path):
    """The Python replay of MockAzure's draws is the one MockAzure makes: sequential requests with header-less
    faults give exactly the replayed statuses (so the injected counts in the report are right)."""
    mock = harness.start_mock(tmp_path, fault_rate=0.5, seed=11, hang_seconds=0.2)
    try:
        seen = []
        for i in range(40):
            try:
                r = harness.request(mock, "POST", "/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview",
                                    headers=[("api-key", harness.AZURE_KEY)], body={"messages": [{"role": "user", "content": f"r{i}"}]}, timeout=10)
                seen.append(r.status)
            except harness.ConnectionClosed:
                seen.append("cut")
    finally:
        mock.stop()
    rng = SplitMix64(11 ^ 0xFA17)
    expected = []
    for _ in range(40):
        if (rng.next() >> 11) / float(1 << 53) >= 0.5:
            expected.append(200)
            continue
        kind = rng.next() % 6
        if kind == 4:
            rng.next()
        expected.append({0: 429, 1: 500, 2: 503, 3: 408, 4: "cut"}.get(kind, 200))  # a hang ends in 408; malformed: half a body
    assert seen == expected


def test_r5_malformed_upstream_body_is_retried_or_an_error(tmp_path):
    """R5 (fixed in a1b8f98): an upstream 200 whose JSON body was cut short was relayed as a 200 with the broken body
    (not retried, not an error, its spend row a success)."""
    mock = harness.start_mock(tmp_path)
    proxy = harness.start_proxy(tmp_path, chaos_config(tmp_path, mock.url, retries=2, fallbacks=False))
    try:
        body = {"model": "o4-mini", "messages": [{"role": "user", "content": "#mock-fault: malformed-frame then 200"}]}
        response = harness.request(proxy, "POST", "/chat/completions", headers=harness.auth(), body=body, timeout=30)
    finally:
        proxy.stop()
        mock.stop()
    if response.status == 200:
        json.loads(response.body)  # a 200 must be a parseable completion (after a retry)
    else:
        assert response.status >= 500 and harness.is_openai_error(response.body)[0], response


def test_streams_that_stall_mid_way_end_with_408_at_stream_timeout(tmp_path):
    """Upstream streams that go silent after two frames (MockAzure's `stall-after:2`, held for 20 s): each client gets
    LiteLLM's 408 as the stream's last frame before [DONE] about `stream_timeout` (1 s) later, nothing stays in
    flight, and each spend row is a failure marked `upstream_timeout`."""
    mock = harness.start_mock(tmp_path, hang_seconds=20)
    proxy = harness.start_proxy(tmp_path, chaos_config(tmp_path, mock.url, timeout=5, stream_timeout=1, retries=0, fallbacks=False))
    try:
        def stalled(index):
            body = {"model": "gpt-4o", "stream": True, "user": f"chaos-stall-{index}",
                    "messages": [{"role": "user", "content": f"stall {index}\n#mock-fault: stall-after:2"}]}
            started = time.monotonic()
            response = harness.request(proxy, "POST", "/chat/completions", headers=harness.auth(), body=body, timeout=15)
            return response, time.monotonic() - started

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(stalled, range(40)))
        for response, elapsed in answers:
            assert response.status == 200 and judge(response, True)["outcome"] == "stream-error-frame", response.body[-300:]
            assert b'"code":"408"' in response.body and elapsed < 8, (elapsed, response.body[-300:])
        assert not any(wait_idle(proxy, mock, seconds=5)["proxy_in_flight_" + kind] for kind in ("streams", "requests"))
        deadline = time.monotonic() + 15
        rows = []
        while time.monotonic() < deadline and len(rows) < 40:
            rows = spend_rows(tmp_path / "spend.sqlite", prefix="chaos-stall-")
            time.sleep(0.3)
        assert len(rows) == 40 and all(status == "failure" for _, _, status in rows), rows[:3]
    finally:
        proxy.stop()
        mock.stop()


def test_chaos_checks_fail_when_requests_outlive_their_deadline(tmp_path):
    """The timing check can fail: with hangs longer than the client's deadline and no retries, it reports them."""
    report = run_chaos(tmp_path, requests=60, concurrency=12, seed=3, fault_rate=0.5, timeout=8, stream_timeout=8, retries=0,
                       fallbacks=False, hang_seconds=8, client_deadline=3.0, log=lambda *_: None)
    assert any("no complete answer" in f or "took" in f for f in report["failures"])


def test_spend_row_check_fails_on_lost_and_duplicated_rows():
    """The rows check can fail: a lost row and a duplicated one are both reported."""
    results = [{"index": i, "status": 200, "outcome": "ok"} for i in range(3)]
    rows = [("a", "chaos-0", "success"), ("b", "chaos-1", "success"), ("c", "chaos-1", "success")]
    check = check_rows(rows, results)
    assert check["lost"] == ["chaos-2"] and check["duplicated"] == ["chaos-1"]
    mismatch = check_rows([("a", "chaos-0", "failure")], [{"index": 0, "status": 200, "outcome": "ok"}])
    assert mismatch["status_mismatch"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="chaos run through the proxy")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="chaos-"))
    report = run_chaos(directory, requests=args.requests, concurrency=args.concurrency, seed=args.seed, fault_rate=args.fault_rate)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print("PASS" if not report["failures"] else "FAIL")
    return 0 if not report["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
