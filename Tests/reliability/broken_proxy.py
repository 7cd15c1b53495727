#!/usr/bin/env python3
"""A deliberately broken stand-in for the proxy, to prove that each reliability check can fail.

    python3 Tests/reliability/broken_proxy.py --mode MODE [--port 0]      # prints "listening on http://…"

It answers the proxy's API just well enough for the load generator and the fuzzer (chat completions, streams,
embeddings, /metrics, OpenAI-shaped 4xx), then breaks one thing, chosen by --mode:

  ok          nothing broken (the control: the checks pass against it)
  leak        error messages carry the master key              → fuzz: "key material in the answer"
  shape       errors are plain text, not {"error":{…}}         → fuzz: "not OpenAI-shaped"
  crash       the process exits after --after requests         → fuzz: "PROXY DIED"
  slow        every 10th answer waits --delay seconds          → fuzz/chaos: "no answer within …"
  grow        keeps 256 KiB per request forever (RSS grows)     → fuzz: RSS check; soak: RSS growth rule
  fds         keeps one open file per request (descriptors grow) → soak: flat-descriptors rule
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MASTER = os.environ.get("LITELLM_MASTER_KEY", "")
HOARD = []
FILES = []
COUNT = [0]
LOCK = threading.Lock()


def completion(model):
    return {"id": "chatcmpl-broken", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "ok"
    after = 200
    delay = 5.0
    hoard_kib = 256

    def log_message(self, *args):
        pass

    def send(self, status, body: bytes, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, message):
        if self.mode == "leak":
            message += f" (expected key {MASTER})"
        if self.mode == "shape":
            return self.send(status, message.encode(), "text/plain")
        body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": str(status)}}
        self.send(status, json.dumps(body).encode())

    def before(self):
        with LOCK:
            COUNT[0] += 1
            count = COUNT[0]
        if self.mode == "crash" and count > self.after:
            os._exit(3)
        if self.mode == "slow" and count % 10 == 0:
            time.sleep(self.delay)
        if self.mode == "grow":
            HOARD.append(bytearray(os.urandom(self.hoard_kib * 1024)))
        if self.mode == "fds":
            FILES.append(open(__file__, "rb"))

    def do_GET(self):
        self.before()
        if self.path.startswith("/metrics"):
            text = "llm_gateway_in_flight_requests 0\nllm_gateway_in_flight_streams 0\n"
            return self.send(200, text.encode(), "text/plain; version=0.0.4")
        if self.path.startswith("/health"):
            return self.send(200, b'"I\'m alive!"')
        if not self.authorized():
            return self.error(401, "Authentication Error, No api key passed in.")
        if self.path.startswith("/v1/models"):
            return self.send(200, b'{"data":[],"object":"list"}')
        self.error(404, f"Route not found: GET {self.path}")

    def authorized(self):
        header = self.headers.get("Authorization", "")
        return header == f"Bearer {MASTER}" or self.headers.get("api-key") == MASTER or self.headers.get("x-litellm-api-key") == MASTER

    def do_POST(self):
        self.before()
        length = int(self.headers.get("Content-Length") or 0)
        if length > 32 * 1024 * 1024:
            self.close_connection = True
            return self.error(413, "Request size is too large.")
        raw = self.rfile.read(length)
        if not self.authorized():
            return self.error(401, "Authentication Error, No api key passed in.")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.error(400, "Invalid JSON payload")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            return self.error(400, "Missing required parameter: 'model'.")
        if self.path.endswith("/embeddings"):
            return self.send(200, json.dumps({"object": "list", "data": [{"index": 0, "embedding": [0.1]}], "model": body["model"]}).encode())
        if body.get("stream") is True:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for frame in [{"choices": [{"index": 0, "delta": {"content": "o"}}]}, {"choices": [{"index": 0, "delta": {"content": "k"}, "finish_reason": "stop"}]}]:
                data = b"data: " + json.dumps(frame).encode() + b"\n\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.write(b"e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n")
            return
        self.send(200, json.dumps(completion(body["model"])).encode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="ok", choices=["ok", "leak", "shape", "crash", "slow", "grow", "fds"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--after", type=int, default=200)
    parser.add_argument("--delay", type=float, default=5.0)
    parser.add_argument("--hoard-kib", type=int, default=256, help="grow: KiB kept per request")
    args = parser.parse_args()
    Handler.mode, Handler.after, Handler.delay, Handler.hoard_kib = args.mode, args.after, args.delay, args.hoard_kib
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"broken proxy ({args.mode}) listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
