"""The conformance executable as CI runs it: against our proxy in front of a mock-azure (speed 1 for timing checks)."""
import json
import subprocess
import xml.etree.ElementTree as ET

from conftest import MOCK_KEY, PROXY_MASTER_KEY, ROOT, Server, bin_path, proxy_config, start_proxy



def test_conformance_run_against_our_proxy(tmp_path):
    mock = Server([str(bin_path() / "mock-azure"), "--port", "0", "--fixtures", "fixtures", "--api-key", MOCK_KEY], r"listening on (http://\S+)")
    config = proxy_config(tmp_path, mock.url)
    text = config.read_text().replace("router_settings:", f"""  - model_name: text-embedding-3-small
    litellm_params: {{model: azure/text-embedding-3-small, api_base: "{mock.url}", api_key: os.environ/SDK_AZURE_KEY}}
  - model_name: gpt-35-turbo-instruct
    litellm_params: {{model: azure/gpt-35-turbo-instruct, api_base: "{mock.url}", api_key: os.environ/SDK_AZURE_KEY}}
  - model_name: o4-mini-responses
    litellm_params: {{model: azure/o4-mini, api_base: "{mock.url}", api_key: os.environ/SDK_AZURE_KEY}}
router_settings:""") + f"""files_settings:
  - {{custom_llm_provider: azure, api_base: "{mock.url}", api_key: os.environ/SDK_AZURE_KEY}}
guardrails:
  - guardrail_name: shield
    litellm_params: {{guardrail: azure/prompt_shield, mode: pre_call, api_base: "{mock.url}", api_key: os.environ/SDK_AZURE_KEY}}
  - guardrail_name: moderate
    litellm_params: {{guardrail: azure/text_moderations, mode: pre_call, api_base: "{mock.url}", api_key: os.environ/SDK_AZURE_KEY}}
  - guardrail_name: pii
    litellm_params: {{guardrail: litellm_content_filter, mode: pre_call, patterns: [{{pattern_type: prebuilt, pattern_name: email, action: MASK}}]}}
"""
    config.write_text(text)
    replica_config = tmp_path / "replica.yaml"
    replica_config.write_text(text.replace("spend.sqlite", "replica.sqlite"))
    proxy = start_proxy(config)
    replica = start_proxy(replica_config)
    try:
        junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
        result = subprocess.run(
            [str(bin_path() / "conformance"), "run", "--proxy", proxy.url, "--key", PROXY_MASTER_KEY, "--mock", mock.url,
             "--upstream-key", MOCK_KEY, "--replica", replica.url, "--junit", str(junit), "--json", str(report)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        summary = result.stdout.strip().splitlines()[-1]
        # The cache suite skips: these proxies have no response cache (ConformanceTests runs it against one).
        assert summary == "72 passed, 0 failed, 3 skipped", summary
        data = json.loads(report.read_text())
        assert data["summary"]["failed"] == 0 and data["summary"]["passed"] == 72
        suites = ET.parse(junit).getroot()
        assert int(suites.get("tests")) == len(data["checks"]) and suites.get("failures") == "0"
        # A wrong key is a failing run (exit 1), an unreachable proxy a usage/connection error (exit 2).
        denied = subprocess.run([str(bin_path() / "conformance"), "run", "--proxy", proxy.url, "--key", "sk-wrong", "--mock", mock.url, "--suite", "api", "--only", "api.models"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert denied.returncode == 1, denied.stdout
        unreachable = subprocess.run([str(bin_path() / "conformance"), "run", "--proxy", "http://127.0.0.1:1", "--key", "k", "--mock", mock.url],
                                     cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert unreachable.returncode == 2
        listing = subprocess.run([str(bin_path() / "conformance"), "list"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert listing.returncode == 0 and listing.stdout.strip().endswith("80 checks")
    finally:
        replica.stop()
        proxy.stop()
        mock.stop()
