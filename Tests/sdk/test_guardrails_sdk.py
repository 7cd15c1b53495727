"""Guardrails through the official openai SDK against the proxy binary and MockAzure's Content Safety: a Prompt
Shields refusal is the SDK's BadRequestError with LiteLLM's body, a PII mask changes what Azure receives (MockAzure's
journal) and a post_call mask reaches a streaming client as masked text."""
import httpx
import openai
import pytest
from openai import OpenAI

from conftest import PROXY_MASTER_KEY, PROXY_AZURE_KEY, proxy_config, start_proxy

GUARDRAILS = """
guardrails:
  - guardrail_name: shield
    litellm_params: {guardrail: azure/prompt_shield, mode: pre_call, api_base: %(mock)s, api_key: %(key)s}
  - guardrail_name: pii
    litellm_params:
      guardrail: litellm_content_filter
      mode: pre_call
      default_on: true
      patterns: [{pattern_type: prebuilt, pattern_name: email, action: MASK}]
  - guardrail_name: redact-answer
    litellm_params:
      guardrail: litellm_content_filter
      mode: post_call
      patterns: [{pattern_type: regex, pattern: 'fox', name: animal, action: MASK}]
"""


@pytest.fixture(scope="module")
def guarded(mock_azure, tmp_path_factory):
    folder = tmp_path_factory.mktemp("guardrails")
    server = start_proxy(proxy_config(folder, mock_azure, GUARDRAILS % {"mock": mock_azure, "key": PROXY_AZURE_KEY}))
    yield server
    server.stop()


def client(server):
    return OpenAI(api_key=PROXY_MASTER_KEY, base_url=server.url, max_retries=0)


def test_prompt_shield_refusal_is_a_bad_request(guarded):
    with pytest.raises(openai.BadRequestError) as refused:
        client(guarded).chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "hello\n#mock-attack"}],
            extra_body={"guardrails": ["shield"]},
        )
    error = refused.value.body
    assert error["message"] == "Violated Azure Prompt Shield guardrail policy"
    assert error["provider_specific_fields"]["guardrail_name"] == "shield"
    assert refused.value.response.headers["x-litellm-applied-guardrails"] == "shield,pii"


def test_default_on_pii_mask_changes_what_azure_receives(guarded, mock_azure):
    marker = "sdk-guardrail-marker"
    answer = client(guarded).chat.completions.with_raw_response.create(
        model="gpt-4o", messages=[{"role": "user", "content": f"{marker} write to ada@example.com"}]
    )
    assert answer.headers["x-litellm-applied-guardrails"] == "pii"
    entries = httpx.get(mock_azure + "/__mock/journal").json()["entries"]
    sent = [e["body"]["messages"][0]["content"] for e in entries if marker in str(e.get("body"))]
    assert sent == [f"{marker} write to [EMAIL_REDACTED]"]


def test_post_call_mask_reaches_a_streaming_client(guarded):
    stream = client(guarded).chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "tell me about foxes"}],
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"guardrails": ["redact-answer"]},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "fox" not in text and "[ANIMAL_REDACTED]" in text
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
