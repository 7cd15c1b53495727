"""The openai SDK's images, audio, files and batches, and the Azure SDK client on /azure pass-through, through the
proxy in front of mock-azure; every call leaves a spend row with LiteLLM's call_type and, where the endpoint is priced,
its cost."""
import base64
import io
import json
import struct
import time
import urllib.request

import pytest
from openai import AzureOpenAI, OpenAI

from conftest import PROXY_MASTER_KEY, start_proxy


def config(tmp_path, mock_url):
    path = tmp_path / "media.yaml"
    deployment = '{{model: azure/{0}, api_base: "{1}", api_key: os.environ/SDK_AZURE_KEY, api_version: "2024-10-21"}}'
    groups = "\n".join(
        f"  - model_name: {name}\n    litellm_params: {deployment.format(name, mock_url)}"
        for name in ("dall-e-3", "gpt-image-1", "whisper", "tts")
    )
    path.write_text(f"""
model_list:
{groups}
  - model_name: gpt-4o
    litellm_params: {{model: azure/gpt-4o, api_base: "{mock_url}", api_key: os.environ/SDK_AZURE_KEY, api_version: "2024-10-21", use_in_pass_through: true}}
files_settings:
  - {{custom_llm_provider: azure, api_base: "{mock_url}", api_key: os.environ/SDK_AZURE_KEY, api_version: "2024-10-21"}}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  sqlite_path: {tmp_path / "media.sqlite"}
""")
    return path


@pytest.fixture(scope="module")
def server(mock_azure, tmp_path_factory):
    # AZURE_API_BASE: where /azure/{endpoint} goes when no model group is named.
    proxy = start_proxy(config(tmp_path_factory.mktemp("media"), mock_azure), env={"AZURE_API_BASE": mock_azure})
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def client(server):
    return OpenAI(api_key=PROXY_MASTER_KEY, base_url=server.url, max_retries=0)


def wav(seconds, rate=8000):
    """A silent 16-bit mono PCM WAV file."""
    data = b"\0\0" * int(seconds * rate)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2, 2,
                         16, b"data", len(data))
    return header + data


def spend_rows(server, call_type):
    request = urllib.request.Request(f"{server.url}/spend/logs?limit=1000",
                                     headers={"Authorization": f"Bearer {PROXY_MASTER_KEY}"})
    for _ in range(50):
        with urllib.request.urlopen(request) as answer:
            rows = [row for row in json.load(answer) if row["call_type"] == call_type]
        if rows:
            return rows
        time.sleep(0.1)
    return []


def test_images_generate(client, server):
    image = client.images.generate(model="dall-e-3", prompt="a lighthouse at dusk", size="1024x1024")
    assert image.data[0].url.startswith("https://") and image.data[0].revised_prompt
    drawn = client.images.generate(model="gpt-image-1", prompt="a lighthouse", n=2)
    assert [base64.b64decode(item.b64_json)[:4] for item in drawn.data] == [b"\x89PNG"] * 2
    rows = spend_rows(server, "aimage_generation")
    # dall-e-3 standard 1024×1024: 1,048,576 pixels at LiteLLM's 3.81469e-08 a pixel, about $0.04 an image.
    assert any(abs(row["spend"] - 0.04) < 0.0005 and row["model_group"] == "dall-e-3" for row in rows), rows
    assert any(row["model_group"] == "gpt-image-1" and row["total_tokens"] > 0 and row["spend"] > 0 for row in rows)


def test_audio_transcription_and_speech(client, server):
    text = client.audio.transcriptions.create(model="whisper", file=("hello.wav", io.BytesIO(wav(2.0)), "audio/wav"))
    assert text.text == "The quick brown fox jumps over the lazy dog."
    verbose = client.audio.transcriptions.create(model="whisper", file=("hello.wav", wav(1.5)),
                                                 response_format="verbose_json")
    assert abs(verbose.duration - 1.5) < 0.01
    speech = client.audio.speech.create(model="tts", voice="alloy", input="Hello there")
    audio = speech.read()
    assert audio[:2] == b"\xff\xfb" and len(audio) == 417 * len("Hello there")
    transcriptions = spend_rows(server, "atranscription")
    # whisper: $0.0001 a second, from the WAV header (2.0 s) or the verbose answer's duration (1.5 s).
    assert sorted(round(row["spend"], 6) for row in transcriptions) == [0.00015, 0.0002], transcriptions
    spoken = spend_rows(server, "aspeech")
    assert abs(spoken[0]["spend"] - 11 * 1.5e-05) < 1e-9, spoken


def test_files_and_batches(client, server):
    lines = [{"custom_id": f"task-{index}", "method": "POST", "url": "/chat/completions",
              "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": f"question {index}"}]}}
             for index in range(3)]
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    uploaded = client.files.create(file=("tasks.jsonl", body), purpose="batch")
    assert uploaded.id.startswith("file-") and uploaded.bytes == len(body)
    assert client.files.retrieve(uploaded.id).filename == "tasks.jsonl"
    assert client.files.content(uploaded.id).read() == body
    batch = client.batches.create(input_file_id=uploaded.id, endpoint="/chat/completions", completion_window="24h")
    assert batch.status == "validating"
    seen = {batch.status}
    for _ in range(200):
        batch = client.batches.retrieve(batch.id)
        seen.add(batch.status)
        if batch.status == "completed":
            break
        time.sleep(0.1)
    assert batch.status == "completed" and {"in_progress", "finalizing"} & seen, seen
    assert batch.request_counts.total == 3
    output = [json.loads(line) for line in client.files.content(batch.output_file_id).read().splitlines()]
    assert [line["custom_id"] for line in output] == ["task-0", "task-1", "task-2"]
    assert all(line["response"]["status_code"] == 200 for line in output)
    assert batch.id in [item.id for item in client.batches.list()]
    assert client.files.delete(uploaded.id).deleted
    for call_type in ("acreate_file", "afile_retrieve", "afile_content", "acreate_batch", "aretrieve_batch",
                      "alist_batches", "afile_delete"):
        assert spend_rows(server, call_type), call_type


def test_azure_client_through_pass_through(server):
    azure = AzureOpenAI(azure_endpoint=server.url + "/azure", api_key=PROXY_MASTER_KEY, api_version="2024-10-21",
                        max_retries=0)
    # A model group in the path: routed through it (allm_passthrough_route).
    routed = azure.chat.completions.with_raw_response.create(model="gpt-4o",
                                                             messages=[{"role": "user", "content": "hi"}])
    assert routed.headers["x-litellm-model-group"] == "gpt-4o"
    assert routed.parse().choices[0].message.content
    # No group of that name: to AZURE_API_BASE with the use_in_pass_through deployment's key.
    direct = azure.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}])
    assert direct.usage.completion_tokens_details.reasoning_tokens >= 0
    assert any(row["model_group"] == "gpt-4o" and row["spend"] > 0
               for row in spend_rows(server, "allm_passthrough_route"))
    direct_rows = spend_rows(server, "pass_through_endpoint")
    assert direct_rows and direct_rows[0]["spend"] > 0, direct_rows
    refused = AzureOpenAI(azure_endpoint=server.url + "/azure", api_key="sk-wrong", api_version="2024-10-21",
                          max_retries=0)
    with pytest.raises(Exception) as failure:
        refused.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert getattr(failure.value, "status_code", None) == 401
