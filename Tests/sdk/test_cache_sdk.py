"""LiteLLM's response cache through the official openai SDK: a repeated request answered from the cache (headers,
body, cost 0, no upstream call), a stream replayed from it, `no-cache`, and two replicas sharing entries through
PostgreSQL with LiteLLM's own `type: redis` config (served by the shared table here). The spend log marks the hits."""
import os
import re
import time
import uuid

import httpx
import pytest
from openai import OpenAI

from conftest import PROXY_MASTER_KEY, proxy_config, start_proxy
from test_replicas import psql, with_database

DB_URL = os.environ.get("TEST_DATABASE_URL")
CACHE = """
litellm_settings:
  callbacks: ["prometheus"]
  cache: true
  cache_params: {type: %s}
"""


def counter(base_url, name, **labels):
    """The sum of a /metrics counter's series whose labels include `labels`."""
    text = httpx.get(base_url + "/metrics", headers={"Authorization": f"Bearer {PROXY_MASTER_KEY}"}).text
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"{name}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{key}="{value}"' in match.group(1) for key, value in labels.items()):
            total += float(match.group(2))
    return total


def upstream_calls(server):
    return counter(server.url, "litellm_deployment_total_requests_total", model_group="o4-mini")


@pytest.fixture(scope="module")
def cached(mock_azure, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    server = start_proxy(proxy_config(folder, mock_azure, CACHE % "local"))
    yield server
    server.stop()


def client(server):
    return OpenAI(api_key=PROXY_MASTER_KEY, base_url=server.url, max_retries=0)


def ask(server, prompt, **extra):
    return client(server).chat.completions.with_raw_response.create(
        model="o4-mini", messages=[{"role": "user", "content": prompt}], **extra
    )


def eventually_hit(server, prompt, **extra):
    """Entries are written after the answer has gone: ask until the cache answers (or give the last miss)."""
    for _ in range(100):
        raw = ask(server, prompt, **extra)
        if raw.headers.get("x-litellm-cache-key"):
            return raw
        time.sleep(0.02)
    return raw


def test_a_repeated_request_is_answered_from_the_cache(cached):
    prompt = "cache this " + uuid.uuid4().hex
    first = ask(cached, prompt)
    assert "x-litellm-cache-key" not in first.headers
    calls = upstream_calls(cached)
    second = eventually_hit(cached, prompt)
    assert re.fullmatch(r"[0-9a-f]{64}", second.headers["x-litellm-cache-key"])
    assert second.headers["x-litellm-response-cost"] == "0.0"
    assert upstream_calls(cached) == calls, "a hit must not call Azure"
    one, two = first.parse(), second.parse()
    assert two.id == one.id and two.choices[0].message.content == one.choices[0].message.content
    assert two.usage.total_tokens == one.usage.total_tokens
    fresh = ask(cached, prompt, extra_body={"cache": {"no-cache": True}})
    assert "x-litellm-cache-key" not in fresh.headers and upstream_calls(cached) == calls + 1
    assert counter(cached.url, "litellm_cache_hits_metric_total") >= 1


def test_a_stream_is_replayed_from_the_cache(cached):
    prompt = "stream this " + uuid.uuid4().hex
    sdk = client(cached)
    first = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in sdk.chat.completions.create(
            model="o4-mini", messages=[{"role": "user", "content": prompt}], stream=True,
            stream_options={"include_usage": True},
        )
        if chunk.choices
    )
    assert first
    calls = upstream_calls(cached)
    raw = eventually_hit(cached, prompt, stream=True, stream_options={"include_usage": True})
    assert raw.headers["content-type"].startswith("text/event-stream")
    chunks = list(raw.parse())
    assert upstream_calls(cached) == calls
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == first
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0


@pytest.fixture
def database():
    """A database of its own (its spend log starts empty), dropped at the end."""
    name = "gw_cache_" + uuid.uuid4().hex[:12]
    psql(DB_URL, f'CREATE DATABASE "{name}"')
    yield with_database(DB_URL, name)
    psql(DB_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not DB_URL, reason="needs TEST_DATABASE_URL (a PostgreSQL server; .ci/run provides one)")
def test_replicas_share_entries_through_postgres(mock_azure, tmp_path_factory, database):
    servers = []
    for name in ("a", "b"):
        folder = tmp_path_factory.mktemp("cache-" + name)
        path = proxy_config(folder, mock_azure, CACHE % "redis")
        servers.append(start_proxy(path, env={"DATABASE_URL": database}))
    try:
        a, b = servers
        warning = a.stderr_text() + a.log_path.read_text()
        assert "'redis' is served by the shared PostgreSQL table" in warning
        prompt = "shared " + uuid.uuid4().hex
        first = ask(a, prompt)
        assert "x-litellm-cache-key" not in first.headers
        calls = upstream_calls(b)
        hit = eventually_hit(b, prompt)
        assert hit.headers.get("x-litellm-cache-key"), "replica b did not find replica a's entry"
        assert upstream_calls(b) == calls
        assert hit.parse().id == first.parse().id
        # The hit's spend row: cache_hit "True", LiteLLM's id suffix, no spend.
        key = hit.headers["x-litellm-cache-key"]
        rows = []
        for _ in range(100):
            logs = httpx.get(b.url + "/spend/logs", headers={"Authorization": f"Bearer {PROXY_MASTER_KEY}"}).json()
            rows = [row for row in logs if row.get("cache_key") == key and row.get("cache_hit") == "True"]
            if rows:
                break
            time.sleep(0.05)
        assert rows and rows[0]["spend"] == 0 and "_cache_hit" in rows[0]["request_id"]
    finally:
        for server in servers:
            server.stop()
