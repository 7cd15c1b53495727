"""LiteLLM's Grafana dashboards on our /metrics: a real Prometheus (Debian's `prometheus`) scrapes the proxy while
keys, teams, users, a stream, a retried call and cache hits go through it, then every query of
fixtures/grafana/litellm-dashboard-queries.promql (taken from LiteLLM's dashboards) must return series."""
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import httpx
import pytest

from conftest import PROXY_MASTER_KEY, ROOT, log_file, proxy_config, start_proxy

QUERIES = ROOT / "fixtures" / "grafana" / "litellm-dashboard-queries.promql"
PROMETHEUS = shutil.which("prometheus")
if PROMETHEUS is None and os.environ.get("REQUIRE_PROMETHEUS") != "1":
    pytest.skip("Debian's prometheus is not installed (apt-get install prometheus)", allow_module_level=True)

EXTRA = """
litellm_settings:
  callbacks: ["prometheus"]
  cache: true
  cache_params: {type: local}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(server, path, body, key=PROXY_MASTER_KEY):
    answer = httpx.post(server.url + path, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def traffic(server):
    """What the dashboards' panels show: keys with aliases in a team with a budget, a user with a budget, a stream, an
    upstream failure retried, a cache hit, a refused key."""
    team = post(server, "/team/new", {"team_alias": "ml-team", "max_budget": 10, "rpm_limit": 1000,
                                      "tpm_limit": 1000000})["team_id"]
    key = post(server, "/key/generate", {"key_alias": "ci-key", "team_id": team, "max_budget": 5,
                                          "budget_duration": "30d", "rpm_limit": 100, "tpm_limit": 100000})["key"]
    user_key = post(server, "/user/new", {"user_email": "ada@example.com", "max_budget": 3})["key"]
    chat = {"model": "o4-mini", "messages": [{"role": "user", "content": "what llm are you"}]}
    for caller in (key, user_key, PROXY_MASTER_KEY):
        post(server, "/chat/completions", chat, key=caller)
    post(server, "/chat/completions", chat)  # the same prompt again: a cache hit
    post(server, "/chat/completions", {"model": "gpt-4o", "num_retries": 1, "messages": [
        {"role": "user", "content": "retried\n#mock-fault: 500 then 200"}]})
    with httpx.stream("POST", server.url + "/chat/completions", headers={"Authorization": f"Bearer {key}"},
                      json={"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
                      timeout=30) as stream:
        assert stream.status_code == 200 and "[DONE]" in stream.read().decode()
    refused = httpx.post(server.url + "/chat/completions", json=chat, headers={"Authorization": "Bearer sk-nope"})
    assert refused.status_code == 401


def query(base, promql):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = json.load(answer)
    assert body["status"] == "success", body
    return body["data"]["result"]


def test_litellm_dashboard_queries_return_series(mock_azure, tmp_path):
    assert PROMETHEUS, "REQUIRE_PROMETHEUS=1 and no prometheus binary"
    config = proxy_config(tmp_path, mock_azure, EXTRA)
    # o4-mini with its rpm/tpm in the config (the deployment limit gauges).
    first = "      api_key: os.environ/SDK_AZURE_KEY\n"
    config.write_text(config.read_text().replace(first, first + "      rpm: 600\n      tpm: 90000\n", 1))
    server = start_proxy(config)
    port = free_port()
    target = server.url.removeprefix("http://")
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"scrape_configs: [{{job_name: litellm, static_configs: [{{targets: ['{target}']}}]}}]\n")
    log = open(log_file("prometheus"), "w")
    prometheus = subprocess.Popen(
        [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        traffic(server)
        queries = [line.strip().replace("$__rate_interval", "1m") for line in QUERIES.read_text().splitlines()
                   if line.strip() and not line.startswith("#")]
        assert len(queries) >= 40
        # A rate needs two scrapes of a series: wait until the slowest-to-appear panels have them.
        deadline = time.monotonic() + 60
        empty = queries
        while empty and time.monotonic() < deadline:
            time.sleep(1)
            try:
                empty = [promql for promql in queries if not query(base, promql)]
            except OSError:
                continue
        assert not empty, f"queries without series: {empty}"
        up = query(base, 'up{job="litellm"}')
        assert up and up[0]["value"][1] == "1"
        by_alias = {row["metric"].get("api_key_alias"): row for row in
                    query(base, "sum(rate(litellm_proxy_total_requests_metric_total[1m])) by (api_key_alias)")}
        assert "ci-key" in by_alias, by_alias
        teams = [row["metric"].get("team_alias") for row in query(base, "min by (team_alias) "
                                                                        "(litellm_remaining_team_budget_metric)")]
        assert "ml-team" in teams
        exported = httpx.get(server.url + "/metrics").text
        assert PROXY_MASTER_KEY not in exported and "sk-nope" not in exported
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=10)
        log.close()
        server.stop()
