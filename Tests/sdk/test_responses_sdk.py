"""The openai SDK's Responses API through two proxy replicas in front of one mock-azure: plain, streamed,
reasoning summaries, previous_response_id continued on the other replica, retrieve, input items and delete."""
import pytest
from openai import NotFoundError, OpenAI

from conftest import PROXY_MASTER_KEY, start_proxy


def config(tmp_path, mock_url, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"""
model_list:
  - model_name: o4-mini
    litellm_params: {{model: azure/o4-mini, api_base: "{mock_url}", api_key: os.environ/SDK_AZURE_KEY}}
  - model_name: gpt-4o
    litellm_params: {{model: azure/gpt-4o, api_base: "{mock_url}", api_key: os.environ/SDK_AZURE_KEY, api_version: "2025-04-01-preview"}}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  sqlite_path: {tmp_path / (name + ".sqlite")}
""")
    return path


@pytest.fixture(scope="module")
def replicas(mock_azure, tmp_path_factory):
    folder = tmp_path_factory.mktemp("responses")
    servers = [start_proxy(config(folder, mock_azure, name)) for name in ("a", "b")]
    yield [OpenAI(api_key=PROXY_MASTER_KEY, base_url=server.url, max_retries=0) for server in servers]
    for server in servers:
        server.stop()


def test_plain_and_reasoning_summary(replicas):
    a, _ = replicas
    response = a.responses.create(model="o4-mini", input="what llm are you?", reasoning={"summary": "auto"})
    assert response.status == "completed" and response.output_text
    reasoning = [item for item in response.output if item.type == "reasoning"]
    assert reasoning and reasoning[0].summary[0].text.startswith("**")
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    assert response.usage.output_tokens_details.reasoning_tokens > 0


def test_stream_yields_every_event_in_order(replicas):
    a, _ = replicas
    events = list(a.responses.create(model="o4-mini", input="stream please", stream=True, reasoning={"summary": "auto"}))
    types = [event.type for event in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert "response.reasoning_summary_text.delta" in types
    assert [event.sequence_number for event in events] == list(range(len(events)))
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert text == events[-1].response.output_text
    assert events[0].response.id == events[-1].response.id


def test_previous_response_id_continues_on_the_other_replica(replicas):
    a, b = replicas
    first = a.responses.create(model="gpt-4o", input="my name is Ada")
    second = b.responses.create(model="gpt-4o", input="what is my name?", previous_response_id=first.id)
    assert second.status == "completed" and second.previous_response_id
    assert b.responses.retrieve(first.id).id == first.id
    items = b.responses.input_items.list(first.id)
    assert items.data[0].content[0].text == "my name is Ada"
    b.responses.delete(first.id)
    with pytest.raises(NotFoundError):
        a.responses.retrieve(first.id)
