"""The official openai SDK through our proxy, as LiteLLM's users call it: chat, streams, errors, operations."""
import json
import signal
import threading
import time
import urllib.error
import urllib.request

import openai
import pytest
from openai import OpenAI

from conftest import PROXY_AZURE_KEY, PROXY_MASTER_KEY, proxy_config, start_proxy

SEED_PROMPT = [{"role": "user", "content": "what llm are you"}]


@pytest.fixture()
def client(proxy):
    return OpenAI(api_key=PROXY_MASTER_KEY, base_url=proxy.url, max_retries=0)


def test_seed_through_the_proxy(client):
    raw = client.chat.completions.with_raw_response.create(model="o4-mini", messages=SEED_PROMPT)
    response = raw.parse()
    assert response.model == "azure/o4-mini-2025-04-16"
    assert response.usage.completion_tokens_details.reasoning_tokens == 128
    assert response.choices[0].model_extra["provider_specific_fields"]["content_filter_results"]["violence"]["severity"] == "safe"
    assert response.model_extra["prompt_filter_results"][0]["prompt_index"] == 0
    assert raw.headers["x-litellm-model-group"] == "o4-mini"


def test_stream_through_the_proxy(client):
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Say hello in three languages"}],
                                                 stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens
    assert "Bonjour" in "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    plain = list(client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "Explain streaming in one sentence"}], stream=True))
    assert all(chunk.usage is None for chunk in plain)
    assert len(plain) > 3


def test_errors_through_the_proxy(client, proxy):
    with pytest.raises(openai.BadRequestError) as unknown:
        client.chat.completions.create(model="no-such-model", messages=SEED_PROMPT)
    assert "Invalid model name" in unknown.value.message
    with pytest.raises(openai.BadRequestError) as filtered:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "#mock-scenario: prompt-filtered-jailbreak"}])
    assert filtered.value.body["provider_specific_fields"]["innererror"]["code"] == "ResponsibleAIPolicyViolation"
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "#mock-fault: 429"}])
    assert limited.value.response.headers["retry-after"] == "1"
    bad = OpenAI(api_key="sk-not-the-key-9876", base_url=proxy.url, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as denied:
        bad.models.list()
    assert "sk-not-the-key-9876" not in json.dumps(denied.value.body)


def test_sdk_retries_a_429_through_the_proxy(proxy):
    retrying = OpenAI(api_key=PROXY_MASTER_KEY, base_url=proxy.url, max_retries=2)
    response = retrying.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "sdk retry\n#mock-fault: 429 then 200"}])
    assert response.choices[0].message.content


def test_logs_are_json_with_request_ids_and_no_secrets(client, proxy):
    client.chat.completions.create(model="o4-mini", messages=SEED_PROMPT)
    with pytest.raises(openai.AuthenticationError):
        OpenAI(api_key="sk-leaky-key-5555", base_url=proxy.url, max_retries=0).chat.completions.create(model="o4-mini", messages=SEED_PROMPT)
    time.sleep(0.2)
    proxy.process.send_signal(signal.SIGTERM)
    proxy.process.wait(timeout=30)
    output = proxy.stderr_text()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert lines, "no log lines"
    refused = [line for line in lines if line["message"] == "request refused"]
    assert refused and all("request_id" in line for line in refused)
    for secret in (PROXY_MASTER_KEY, PROXY_AZURE_KEY, "sk-leaky-key-5555"):
        assert secret not in output


def test_sigterm_lets_a_stream_finish(tmp_path):
    from conftest import Server, bin_path, ROOT, MOCK_KEY
    slow = Server([str(bin_path() / "mock-azure"), "--port", "0", "--fixtures", "fixtures", "--speed", "0.25", "--api-key", MOCK_KEY], r"listening on (http://\S+)")
    server = start_proxy(proxy_config(tmp_path, slow.url))
    try:
        request = urllib.request.Request(server.url + "/chat/completions", method="POST", headers={
            "Authorization": "Bearer " + PROXY_MASTER_KEY, "Content-Type": "application/json"},
            data=json.dumps({"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "Say hello in three languages"}]}).encode())
        received = []
        response = urllib.request.urlopen(request, timeout=30)
        first = response.readline()
        received.append(first)
        server.process.send_signal(signal.SIGTERM)
        started = time.time()
        for line in response:
            received.append(line)
        body = b"".join(received).decode()
        assert body.rstrip().endswith("data: [DONE]"), body[-200:]
        assert server.process.wait(timeout=30) == 0
        assert time.time() - started < 30
        # Once stopped, nothing more is accepted.
        with pytest.raises(Exception):
            urllib.request.urlopen(server.url + "/health/liveliness", timeout=2)
    finally:
        server.stop()
        slow.stop()


def test_check_config_validates_and_exits(tmp_path):
    from conftest import bin_path, ROOT
    import os
    import subprocess
    good = proxy_config(tmp_path, "https://example.openai.azure.com")
    env = dict(os.environ, SDK_AZURE_KEY="k", LITELLM_MASTER_KEY="sk-x")
    ok = subprocess.run([str(bin_path() / "proxy"), "--config", str(good), "--check-config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0 and "config OK" in ok.stdout
    missing = subprocess.run([str(bin_path() / "proxy"), "--config", str(good), "--check-config"], cwd=ROOT,
                             env={k: v for k, v in env.items() if k != "SDK_AZURE_KEY"}, capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1
    assert "model_list[0].litellm_params.api_key" in missing.stderr and "SDK_AZURE_KEY" in missing.stderr


def test_metrics_port_serves_prometheus_without_the_callback(mock_azure, tmp_path):
    """`--metrics-port N`: /metrics on its own port (the config has no prometheus callback), LiteLLM's names, no keys."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_proxy(proxy_config(tmp_path, mock_azure), "--metrics-port", str(port))
    try:
        request = urllib.request.Request(server.url + "/chat/completions", method="POST", headers={
            "Authorization": "Bearer " + PROXY_MASTER_KEY, "Content-Type": "application/json"},
            data=json.dumps({"model": "o4-mini", "messages": [{"role": "user", "content": "what llm are you"}]}).encode())
        assert urllib.request.urlopen(request, timeout=30).status == 200
        text = ""
        for _ in range(50):
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        line = next(line for line in text.splitlines() if line.startswith("litellm_proxy_total_requests_metric_total{"))
        for label in ['hashed_api_key="litellm_proxy_master_key"', 'requested_model="o4-mini"',
                      'route="/chat/completions"', 'status_code="200"', 'team="None"']:
            assert label in line, line
        assert line.endswith("} 1.0") or line.endswith("} 1"), line
        assert "litellm_input_tokens_metric_total" in text and PROXY_MASTER_KEY not in text and PROXY_AZURE_KEY not in text
        # Without the callback, the main port has no /metrics.
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url + "/metrics", timeout=5)
    finally:
        server.stop()
