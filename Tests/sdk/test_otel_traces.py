"""Traces through a real OTLP/HTTP receiver: the proxy runs with LiteLLM's `callbacks: ["otel"]` and OTEL_* variables,
this test's receiver decodes every export with OpenTelemetry's own protobuf classes (opentelemetry-proto), and the
span trees of a chat with and without a client traceparent, a stream, a retried call and a fallback are checked: the
spans, their parents and kinds, the GenAI attributes, the trace id on the request MockAzure received, and that no key,
collector secret or prompt text is in any export."""
import http.server
import json
import threading
import time

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from conftest import PROXY_AZURE_KEY, PROXY_MASTER_KEY, proxy_config, start_proxy

COLLECTOR_SECRET = "collector-secret-0001"
PROMPT_MARKER = "zebra-prompt-marker-7731"
CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"


class Receiver(http.server.ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.exports = []  # (headers, raw bytes, decoded request)
        self.lock = threading.Lock()

    def spans(self):
        with self.lock:
            exports = list(self.exports)
        found = []
        for _, _, request in exports:
            for resource in request.resource_spans:
                attributes = {a.key: value(a.value) for a in resource.resource.attributes}
                for scope in resource.scope_spans:
                    found += [(attributes, span) for span in scope.spans]
        return found


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        request = trace_service_pb2.ExportTraceServiceRequest()
        request.ParseFromString(body)
        with self.server.lock:
            self.server.exports.append((dict(self.headers), body, request))
        answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200 if self.path == "/v1/traces" else 404)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(item) for item in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


def attributes(span):
    return {a.key: value(a.value) for a in span.attributes}


@pytest.fixture()
def traced(mock_azure, tmp_path):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    httpx.post(mock_azure + "/__mock/reset")
    # LiteLLM's spellings: OTEL_EXPORTER / OTEL_ENDPOINT / OTEL_HEADERS (the endpoint without /v1/traces).
    server = start_proxy(proxy_config(tmp_path, mock_azure, 'litellm_settings: {callbacks: ["otel"]}'), env={
        "OTEL_EXPORTER": "otlp_http",
        "OTEL_ENDPOINT": f"http://127.0.0.1:{receiver.server_address[1]}",
        "OTEL_HEADERS": f"x-collector-token={COLLECTOR_SECRET}",
        "OTEL_SERVICE_NAME": "llm-gateway-ci",
    })
    yield server, receiver
    server.stop()
    receiver.shutdown()


def chat(server, body, headers=None):
    headers = {"Authorization": f"Bearer {PROXY_MASTER_KEY}", **(headers or {})}
    answer = httpx.post(server.url + "/chat/completions", json=body, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def tree(receiver, trace_id, expected_spans, seconds=15):
    """The spans of one trace once `expected_spans` have arrived (the exporter batches every second)."""
    deadline = time.time() + seconds
    while True:
        spans = [span for _, span in receiver.spans() if span.trace_id.hex() == trace_id]
        if len(spans) >= expected_spans or time.time() > deadline:
            return spans
        time.sleep(0.2)


def by_name(spans, name):
    return [span for span in spans if span.name == name]


def check_request_tree(spans, attempts, stream=False):
    """The shape every traced chat has: the server span, auth, router, the attempts under the router (the last one
    answered), spend_write; a stream's relay under its attempt."""
    (root,) = by_name(spans, "Received Proxy Server Request")
    assert root.kind == root.SPAN_KIND_SERVER
    ids = {span.span_id: span for span in spans}
    for name in ("auth", "router", "spend_write"):
        (child,) = by_name(spans, name)
        assert child.parent_span_id == root.span_id, name
    (router,) = by_name(spans, "router")
    tries = sorted(by_name(spans, "litellm_request"), key=lambda span: span.start_time_unix_nano)
    assert len(tries) == attempts, [attributes(span) for span in tries]
    for attempt in tries:
        assert attempt.kind == attempt.SPAN_KIND_CLIENT and attempt.parent_span_id == router.span_id
    last = attributes(tries[-1])
    assert tries[-1].status.code != tries[-1].status.STATUS_CODE_ERROR
    for failed in tries[:-1]:
        assert failed.status.code == failed.status.STATUS_CODE_ERROR, attributes(failed)
        assert attributes(failed)["http.response.status_code"] >= 500
    assert last["gen_ai.usage.input_tokens"] > 0 and last["gen_ai.usage.output_tokens"] > 0
    assert last["gen_ai.cost.total_cost"] > 0
    assert last["gen_ai.response.finish_reasons"] == ["stop"]
    assert last["gen_ai.system"] == "azure" and last["gen_ai.operation.name"] == "chat"
    assert last["llm.is_streaming"] is stream
    assert attributes(root)["gen_ai.usage.total_tokens"] == last["gen_ai.usage.total_tokens"]
    assert attributes(root)["http.response.status_code"] == 200
    relays = by_name(spans, "stream_relay")
    if stream:
        (relay,) = relays
        assert relay.parent_span_id == tries[-1].span_id
        assert attributes(relay)["litellm.stream.outcome"] == "completed"
    else:
        assert relays == []
    assert all(span.parent_span_id in ids for span in spans if span is not root)
    return root, tries


def test_span_trees_reach_the_collector_with_the_trace_id_sent_to_azure(traced, mock_azure):
    server, receiver = traced
    prompt = {"role": "user", "content": f"what llm are you {PROMPT_MARKER}"}

    # A client's trace is continued: the server span is the client span's child.
    chat(server, {"model": "o4-mini", "messages": [prompt]},
         {"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"})
    spans = tree(receiver, CLIENT_TRACE, 5)
    root, (attempt,) = check_request_tree(spans, attempts=1)
    assert root.parent_span_id.hex() == CLIENT_SPAN
    assert attributes(attempt)["gen_ai.request.model"] == "o4-mini"
    # Azure received the attempt's own context, in the client's trace.
    journal = httpx.get(mock_azure + "/__mock/journal").json()["entries"]
    sent = [dict((name.lower(), v) for name, v in entry["headers"]).get("traceparent") for entry in journal]
    assert f"00-{CLIENT_TRACE}-{attempt.span_id.hex()}-01" in sent, sent

    # Without one, a new trace; a stream; a retried call (500 then 200); a fallback (primary 503, backup answers).
    answers = [
        chat(server, {"model": "o4-mini", "messages": [prompt]}),
        chat(server, {"model": "gpt-4o", "stream": True, "messages": [prompt]}),
        chat(server, {"model": "gpt-4o", "num_retries": 1, "messages": [
            {"role": "user", "content": f"retried {PROMPT_MARKER}\n#mock-fault: 500 then 200"}]}),
        chat(server, {"model": "router-primary", "num_retries": 0, "messages": [
            {"role": "user", "content": f"fell back {PROMPT_MARKER}\n#mock-fault@gpt-4o: 503"}]}),
    ]
    assert "[DONE]" in answers[1].text
    deadline = time.time() + 15
    while len(by_name([s for _, s in receiver.spans()], "Received Proxy Server Request")) < 5:
        assert time.time() < deadline, "the exporter sent fewer than 5 server spans"
        time.sleep(0.2)
    roots = {attributes(span)["litellm.call_id"]: span for _, span in receiver.spans()
             if span.name == "Received Proxy Server Request"}
    expected = [(1, False), (1, True), (2, False), (2, False)]
    for answer, (attempts, stream) in zip(answers, expected):
        root = roots[answer.headers["x-litellm-call-id"]]
        assert root.trace_id.hex() != CLIENT_TRACE and not root.parent_span_id
        spans = tree(receiver, root.trace_id.hex(), 4 + attempts + (1 if stream else 0))
        _, tries = check_request_tree(spans, attempts=attempts, stream=stream)
        counts = [(attributes(t)["litellm.retries"], attributes(t)["litellm.fallbacks"]) for t in tries]
        if answer is answers[2]:
            assert counts == [(0, 0), (1, 0)]
        if answer is answers[3]:
            assert counts == [(0, 0), (0, 1)]
            assert [attributes(t)["litellm.model_group"] for t in tries] == ["router-primary", "router-backup"]

    # The resource, the collector's header; nothing secret and no prompt text in any export.
    resource = receiver.spans()[0][0]
    assert resource["service.name"] == "llm-gateway-ci"
    exports = list(receiver.exports)
    assert all(headers.get("x-collector-token") == COLLECTOR_SECRET for headers, _, _ in exports)
    for _, raw, _ in exports:
        for secret in (PROXY_MASTER_KEY, PROXY_AZURE_KEY, COLLECTOR_SECRET, PROMPT_MARKER):
            assert secret.encode() not in raw, secret
    assert COLLECTOR_SECRET not in server.log_path.read_text() + server.stderr_text()


def test_an_unreachable_collector_never_fails_a_request_and_lost_spans_are_counted(mock_azure, tmp_path):
    import socket
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    extra = 'litellm_settings: {callbacks: ["otel", "prometheus"]}'
    server = start_proxy(proxy_config(tmp_path, mock_azure, extra),
                         env={"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{closed}"})
    try:
        started = time.time()
        for _ in range(20):
            chat(server, {"model": "o4-mini", "messages": [{"role": "user", "content": "hi"}]})
        assert time.time() - started < 10
        deadline = time.time() + 15
        while True:
            metrics = httpx.get(server.url + "/metrics").text
            lost = [line for line in metrics.splitlines()
                    if line.startswith('llm_gateway_otel_spans_lost_total{reason="export_failed"}')]
            if lost and float(lost[0].split()[-1]) >= 20:
                break
            assert time.time() < deadline, lost
            time.sleep(0.5)
    finally:
        server.stop()
