"""The official openai SDK's AzureOpenAI client against mock-azure, as a user would point it at Azure."""
import json
import urllib.request
import uuid

import openai
import pytest
from openai import AzureOpenAI

from conftest import MOCK_KEY

API_VERSION = "2025-01-01-preview"
SEED_PROMPT = [{"role": "user", "content": "what llm are you"}]


@pytest.fixture()
def client(mock_azure):
    return AzureOpenAI(api_key=MOCK_KEY, api_version=API_VERSION, azure_endpoint=mock_azure, max_retries=2)


def journal(base):
    with urllib.request.urlopen(base + "/__mock/journal") as response:
        return json.load(response)["entries"]


def test_seed_answer_with_filter_results_and_reasoning_tokens(client):
    response = client.chat.completions.create(model="o4-mini", messages=SEED_PROMPT)
    assert response.id == "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B"
    assert response.model == "o4-mini-2025-04-16"
    assert response.choices[0].message.content.startswith("I’m ChatGPT")
    filters = response.choices[0].model_extra["content_filter_results"]
    assert filters["hate"] == {"filtered": False, "severity": "safe"}
    assert response.model_extra["prompt_filter_results"][0]["content_filter_results"]["jailbreak"]["detected"] is False
    assert response.usage.completion_tokens_details.reasoning_tokens == 128
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens == 183


def test_stream_with_include_usage(client):
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "Say hello in three languages"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[0].choices == [] and "prompt_filter_results" in chunks[0].model_extra
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    assert all(chunk.usage is None for chunk in chunks[1:-1])
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert "Hola" in text
    finish = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices and chunk.choices[0].finish_reason]
    assert finish == ["stop"]


def test_stream_without_include_usage_has_no_usage_frame(client):
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Say hello in three languages"}], stream=True))
    assert all(chunk.usage is None for chunk in chunks)
    assert chunks[-1].choices and chunks[-1].choices[0].finish_reason == "stop"


def test_429_then_200_is_retried_by_the_sdk(client, mock_azure):
    key = str(uuid.uuid4())
    before = len(journal(mock_azure))
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "retry me"}],
        extra_headers={"x-mock-fault": "429 then 200", "x-mock-fault-key": key},
    )
    assert raw.http_response.status_code == 200
    assert raw.parse().choices[0].message.content
    sent = [entry for entry in journal(mock_azure)[before:] if dict(entry["headers"]).get("x-mock-fault-key") == key]
    assert len(sent) == 2, "one 429, then the SDK's retry"
    assert dict(sent[1]["headers"]).get("x-stainless-retry-count") == "1"


def test_prompt_filtered_400_surfaces_innererror(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=SEED_PROMPT, extra_headers={"x-mock-scenario": "prompt-filtered-jailbreak"})
    error = caught.value
    assert error.status_code == 400
    assert error.code == "content_filter"
    assert error.body["innererror"]["code"] == "ResponsibleAIPolicyViolation"
    assert error.body["innererror"]["content_filter_result"]["jailbreak"] == {"filtered": True, "detected": True}


def test_wrong_key_is_401(mock_azure):
    bad = AzureOpenAI(api_key="wrong", api_version=API_VERSION, azure_endpoint=mock_azure, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.chat.completions.create(model="o4-mini", messages=SEED_PROMPT)
    assert "Access denied" in str(caught.value)


def test_embeddings_default_base64_and_dimensions(client):
    response = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"], dimensions=64)
    assert [item.index for item in response.data] == [0, 1]
    assert len(response.data[0].embedding) == 64
    assert response.usage.prompt_tokens > 0
