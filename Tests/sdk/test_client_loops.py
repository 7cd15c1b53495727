"""The client loops a team migrating from LiteLLM runs, against our proxy in front of MockAzure: the proxy's default
(LiteLLM) stream shape read by openai-python's quickstart loop (sync and async), LangChain and LlamaIndex; Azure's
raw frames only on request (`x-stream-shape: azure`), where that loop breaks."""
import asyncio
import json

import pytest
from openai import AsyncOpenAI, OpenAI

from conftest import PROXY_MASTER_KEY, ROOT, proxy_config, start_proxy

API_VERSION = "2025-01-01-preview"
AZURE_SHAPE = {"x-stream-shape": "azure"}

# Every stream scenario of fixtures/scenarios/ (stream-disconnect, a fault, aside), with the model it was recorded on.
STREAM_SCENARIOS = {
    "stream-basic": "gpt-4o",
    "stream-async-filter": "gpt-4o",
    "stream-include-usage": "gpt-4o",
    "stream-o4-mini": "o4-mini",
    "stream-output-filtered": "gpt-4o",
    "stream-tool-calls": "gpt-4o",
}
TOOL_SCENARIO = "stream-tool-calls"
TOKYO_ARGUMENTS = {"location": "Tokyo", "unit": "celsius"}
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
                   "required": ["location"]}}}


@pytest.fixture(scope="module")
def proxy(mock_azure, tmp_path_factory):
    """This module's own proxy (conftest's config): test_proxy_sdk.py stops the session's with SIGTERM."""
    server = start_proxy(proxy_config(tmp_path_factory.mktemp("client-loops"), mock_azure))
    yield server
    server.stop()


def scenario_message(scenario):
    """A user message whose last line makes MockAzure answer with `scenario` (the proxy forwards the body)."""
    return f"What is the weather in Tokyo?\n#mock-scenario: {scenario}"


def chat_request(scenario, include_usage=False, headers=None):
    """The create() arguments of a stream of `scenario` (with the weather tool for the tool-call scenario)."""
    request = {"model": STREAM_SCENARIOS[scenario], "stream": True,
               "messages": [{"role": "user", "content": scenario_message(scenario)}]}
    if scenario == TOOL_SCENARIO:
        request["tools"] = [WEATHER_TOOL]
    if include_usage:
        request["stream_options"] = {"include_usage": True}
    if headers:
        request["extra_headers"] = headers
    return request


class QuickstartLoop:
    """OpenAI's quickstart stream loop, one chunk at a time: `print(chunk.choices[0].delta.content or "", end="")`,
    tool-call arguments assembled by index, and with include_usage only the guard OpenAI documents for the usage
    chunk (`if not chunk.choices: usage = chunk.usage; continue`); without it an empty-choices chunk raises."""

    def __init__(self, include_usage):
        self.include_usage = include_usage
        self.chunks, self.text, self.arguments, self.usage = [], "", {}, None

    def read(self, chunk):
        self.chunks.append(chunk)
        if self.include_usage and not chunk.choices:
            self.usage = chunk.usage
            return
        delta = chunk.choices[0].delta
        print(delta.content or "", end="")
        self.text += delta.content or ""
        for call in delta.tool_calls or []:
            self.arguments[call.index] = self.arguments.get(call.index, "") + (call.function.arguments or "")


def run_loop(proxy, mode, loop, request):
    """`loop` over the stream of `request`: `for chunk in …` (OpenAI) or `async for chunk in …` (AsyncOpenAI)."""
    if mode == "sync":
        client = OpenAI(api_key=PROXY_MASTER_KEY, base_url=proxy.url, max_retries=0)
        for chunk in client.chat.completions.create(**request):
            loop.read(chunk)
        return

    async def read_all():
        async with AsyncOpenAI(api_key=PROXY_MASTER_KEY, base_url=proxy.url, max_retries=0) as client:
            async for chunk in await client.chat.completions.create(**request):
                loop.read(chunk)
    asyncio.run(read_all())


def test_every_stream_scenario_is_covered():
    recorded = {path.stem for path in (ROOT / "fixtures" / "scenarios").glob("stream-*.yaml")}
    assert recorded - {"stream-disconnect"} == set(STREAM_SCENARIOS)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("include_usage", [False, True], ids=["plain", "include_usage"])
@pytest.mark.parametrize("scenario", STREAM_SCENARIOS)
def test_quickstart_loop_reads_the_default_shape(proxy, scenario, include_usage, mode):
    loop = QuickstartLoop(include_usage)
    run_loop(proxy, mode, loop, chat_request(scenario, include_usage))
    if scenario == TOOL_SCENARIO:
        assert {index: json.loads(arguments) for index, arguments in loop.arguments.items()} == {0: TOKYO_ARGUMENTS}
    else:
        assert loop.text.strip() and not loop.arguments
    # Azure's first frame (empty choices) is gone, its prompt_filter_results carried onto the first chunk.
    filters = loop.chunks[0].model_extra["prompt_filter_results"]
    assert filters[0]["prompt_index"] == 0 and "content_filter_results" in filters[0]
    empty = [index for index, chunk in enumerate(loop.chunks) if not chunk.choices]
    if include_usage:
        assert empty == [len(loop.chunks) - 1]
        assert loop.usage.total_tokens == loop.usage.prompt_tokens + loop.usage.completion_tokens > 0
    else:
        assert empty == [] and all(chunk.usage is None for chunk in loop.chunks)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_azure_shape_is_opt_in_and_breaks_the_quickstart_loop(proxy, mode):
    """`x-stream-shape: azure`: Azure's own first frame, empty choices and the prompt filter, on which the quickstart
    loop raises IndexError (what the default shape spares LiteLLM's clients)."""
    loop = QuickstartLoop(include_usage=False)
    with pytest.raises(IndexError):
        run_loop(proxy, mode, loop, chat_request("stream-basic", headers=AZURE_SHAPE))
    first = loop.chunks[0]
    assert first.choices == [] and first.model_extra["prompt_filter_results"][0]["prompt_index"] == 0


# ---- LangChain ------------------------------------------------------------------------------------------------------

@pytest.fixture()
def langchain_openai():
    return pytest.importorskip("langchain_openai", reason="langchain-openai is not installed (see requirements.txt)")


@pytest.mark.parametrize("scenario", STREAM_SCENARIOS)
def test_langchain_chat_openai_streams(proxy, langchain_openai, scenario):
    llm = langchain_openai.ChatOpenAI(base_url=proxy.url + "/v1", api_key=PROXY_MASTER_KEY,
                                      model=STREAM_SCENARIOS[scenario], max_retries=0, stream_usage=True)
    if scenario == TOOL_SCENARIO:
        llm = llm.bind_tools([WEATHER_TOOL])
    chunks = list(llm.stream(scenario_message(scenario)))
    message = sum(chunks[1:], chunks[0])
    if scenario == TOOL_SCENARIO:
        assert [(call["name"], call["args"]) for call in message.tool_calls] == [("get_weather", TOKYO_ARGUMENTS)]
    else:
        assert message.content.strip() and not message.tool_calls
    assert message.usage_metadata["total_tokens"] > 0


def test_langchain_chat_openai_invokes_and_streams_hi(proxy, langchain_openai):
    llm = langchain_openai.ChatOpenAI(base_url=proxy.url + "/v1", api_key=PROXY_MASTER_KEY, model="gpt-4o",
                                      max_retries=0)
    assert "".join(chunk.content for chunk in llm.stream("hi")).strip()
    assert llm.invoke("hi").content.strip()


def test_langchain_azure_chat_openai_on_the_azure_path(proxy, langchain_openai):
    """AzureChatOpenAI: /openai/deployments/gpt-4o/chat/completions?api-version=…, the key in `api-key`."""
    llm = langchain_openai.AzureChatOpenAI(azure_endpoint=proxy.url, azure_deployment="gpt-4o", api_version=API_VERSION,
                                           api_key=PROXY_MASTER_KEY, max_retries=0)
    streamed = "".join(chunk.content for chunk in llm.stream(scenario_message("stream-async-filter")))
    assert streamed.startswith("Waves fold into foam")
    assert llm.invoke("hi").content.strip()


# ---- LlamaIndex -----------------------------------------------------------------------------------------------------

# LlamaIndex forces temperature=1.0 for its O1_MODELS (o4-mini among them; llama-index-llms-openai 0.8.3, base.py:
# "Temp forced to 1.0 for o1") and sends it on every call. The proxy passes 1 on as LiteLLM does (only other values
# need drop_params) and Azure's o-series take their default 1, so the test config needs no drop_params.
LLAMA_SKIP = ("llama-index-llms-openai is not installed: every release (0.8.3 the newest) requires openai<3, and "
              "Tests/sdk/requirements.txt pins openai==3.57.0, so pip cannot install both")
O4_MINI_PROMPT = "Explain streaming in one sentence"
O4_MINI_ANSWER = ("Streaming sends the answer in small pieces as soon as they are generated, so the client can show "
                  "text before the whole reply is finished.")


def llama_llm(kind, proxy):
    """LlamaIndex's OpenAI or OpenAILike for o4-mini through the proxy, with its defaults."""
    if kind == "OpenAI":
        return pytest.importorskip("llama_index.llms.openai", reason=LLAMA_SKIP).OpenAI(
            model="o4-mini", api_base=proxy.url, api_key=PROXY_MASTER_KEY, max_retries=0)
    return pytest.importorskip("llama_index.llms.openai_like", reason=LLAMA_SKIP).OpenAILike(
        model="o4-mini", api_base=proxy.url, api_key=PROXY_MASTER_KEY, max_retries=0, is_chat_model=True,
        context_window=200000)


@pytest.mark.parametrize("kind", ["OpenAI", "OpenAILike"])
def test_llama_index_o_series_streams_and_completes(proxy, kind):
    llm = llama_llm(kind, proxy)
    assert llm.temperature == 1.0
    assert "".join(part.delta for part in llm.stream_complete(O4_MINI_PROMPT)) == O4_MINI_ANSWER
    assert llm.complete(O4_MINI_PROMPT).text.strip()
