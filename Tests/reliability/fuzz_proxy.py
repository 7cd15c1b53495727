#!/usr/bin/env python3
"""A request fuzzer for the proxy: thousands of generated adversarial requests, each checked.

    python3 Tests/reliability/fuzz_proxy.py --start --seed 1 --count 10000     # starts mock-azure + proxy itself
    python3 Tests/reliability/fuzz_proxy.py --url http://127.0.0.1:4000 --pid 1234 --key sk-…   # a running proxy

Categories (see CATEGORIES): invalid JSON, deeply nested JSON, wrong types for every field of a chat (and
completions/embeddings) request, huge strings and arrays (up to the 32 MiB limit and beyond it → 413), invalid
UTF-8, empty/duplicated/odd auth headers, CR/LF/NUL/control bytes in headers and other malformed HTTP (raw sockets),
oversize and lying bodies, unknown paths and methods, path traversal under /ui (with and without a UI session),
slow-loris partial requests, and valid control requests in between.

Every answer is checked:
  * the proxy process is alive after every batch (and the fuzzer stops at once, printing the cases in flight, if not);
  * API paths answer an OpenAI-shaped error {"error":{"message","type","param","code"}} with a 4xx status — or,
    for a request the proxy may legitimately forward, the upstream's answer (200 JSON / SSE, or its error relayed
    in the same shape); a 5xx is a failure;
  * /ui paths answer HTML, the UI's plain "Not found", an OpenAI 404, or a redirect to /ui/login…; never a file
    from disk (no /etc/passwd, no source, no config, no SQLite), never a 5xx;
  * bytes that are not HTTP/1.1 get NIO's bare `400` + `Connection: close`, or the connection closed (counted
    apart as `protocol`), or an OpenAI-shaped 4xx when the server could parse them after all;
  * no answer (headers or body) contains the master key or the Azure key; no header value carries a bare CR/LF;
  * no answer takes longer than its case's timeout;
  * while slow-loris connections are held, normal requests are still answered in time; descriptors return to
    their baseline when those clients go away;
  * RSS after the run (and a settle period) is within --rss-tolerance-mib of the baseline taken after warm-up.

Deterministic for a seed: case i is generated from Random(f"{seed}:{i}"). Prints counts per category.
Exit status 0 when every check passed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import string
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, FIRST_COMPLETED, wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # answers may carry the fuzzer's own 100,000-digit numbers back (spend logs)

# Failures already reported (docs/reliability.md, "Bugs found"), by case: counted as `known` instead of failing the
# run, so the run still fails on anything new. Tests/reliability/test_fuzz.py has one xfail test per entry.
KNOWN_BUGS: dict = {
    # R2 (CONNECT) and R4 (oversize with Connection: close) were here until fixed; see docs/reliability.md.
}
# Fixed since: R1 (a body that fails to read answered 500), R3 (an object with n keys cost O(n²)).

# ---------------------------------------------------------------------------------------------------------------
# Case generation

CHAT_MODELS = ["gpt-4o", "o4-mini"]
VALID_CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "fuzz"}]}

# Values of every JSON type, including the awkward ones.
ODD_VALUES = [
    None, True, False, 0, -1, 1, 2**31, 2**53 + 1, -(2**63), 2**63 - 1, 2**64, 10**30, 1e308, -1e308, 0.5, -0.0, 1e-320,
    "", " ", "x", "null", "true", "0", "gpt-4o", "\u0000", "\ud7ff\ue000", "😀" * 10, "a" * 5000, "\\", "\"", "</script>",
    "${jndi:ldap://x}", "'; DROP TABLE \"LiteLLM_SpendLogs\"; --", "%s%s%n", "../../etc/passwd",
    [], [None], [1, 2, 3], ["a"], [[[]]], [{}], {}, {"a": 1}, {"role": "user"}, {"": ""}, {"__proto__": {"x": 1}},
]

# Every field of a chat request (top level and inside a message); some extras the proxy treats specially.
CHAT_FIELDS = [
    "model", "messages", "temperature", "top_p", "n", "stream", "stop", "max_tokens", "max_completion_tokens",
    "presence_penalty", "frequency_penalty", "logit_bias", "user", "tools", "tool_choice", "functions",
    "function_call", "response_format", "seed", "stream_options", "logprobs", "top_logprobs", "parallel_tool_calls",
    "reasoning_effort", "metadata", "num_retries", "api_base", "api_key", "base_url", "api_version", "timeout",
    "mock_response", "store", "modalities", "audio", "prediction", "service_tier", "extra_body", "data_sources",
]
MESSAGE_FIELDS = ["role", "content", "name", "tool_calls", "tool_call_id", "function_call", "refusal", "audio"]
COMPLETION_FIELDS = ["model", "prompt", "max_tokens", "suffix", "echo", "best_of", "logprobs", "stream"]
EMBEDDING_FIELDS = ["model", "input", "encoding_format", "user"]
# Every odd value goes to every field, MockAzure's crashers of old included (`dimensions: -1`, `max_tokens: 2**63-1`,
# repeated huge max_tokens: docs/reliability.md "Bugs found"): it answers them with Azure's 400 now, and a fuzz run
# fails if it dies.

TRAVERSAL_STEPS = ["../", "..%2f", "%2e%2e/", "%2e%2e%2f", "..%5c", "..\\", "%252e%252e%252f", "..;/", "....//",
                   "%c0%ae%c0%ae/", ".%2e/", "%2e./", "..%00/", "..%2F", "%2E%2E%2F", "..%u2216", "/..", "%2f..%2f"]
TRAVERSAL_TARGETS = ["etc/passwd", "proc/self/environ", "proc/self/cmdline", "Package.swift", "README.md",
                     "Sources/Proxy/UI/Static/ui.css", "Sources/Proxy/Server/ProxyServer.swift", "proxy_config.yaml",
                     "spend.sqlite", "fixtures/deployments.yaml", "etc/shadow", "root/.bash_history", ""]
UI_PREFIXES = ["/ui/", "/ui/static/", "/ui/logs/", "/ui/keys/", "/ui/models/", "/ui/usage/", "/ui/login/", "/ui//",
               "/ui/static/ui.css/", "/ui/static/..", "/ui/%2e%2e/", "/UI/", "/ui/./"]
# Text that must never be in an answer: contents of files a traversal could reach.
FILE_MARKERS = [b"root:x:0:0", b"swift-tools-version", b"RELIABILITY_AZURE_KEY", b"LITELLM_MASTER_KEY=",
                b"SQLite format 3", b"model_list:", b"import Hummingbird", b"rate_limit_window_seconds", b"PATH=/"]

API_PATHS = ["/chat/completions", "/v1/chat/completions", "/completions", "/v1/completions", "/embeddings",
             "/v1/embeddings", "/openai/deployments/gpt-4o/chat/completions"]


class Case:
    __slots__ = ("index", "category", "name", "payload", "expect", "timeout", "may_pass", "method", "slow", "path")

    def __init__(self, index, category, name, payload: bytes = b"", expect="api", timeout=15.0, may_pass=False,
                 method="POST", slow=None, path=""):
        self.index = index
        self.category = category
        self.name = name
        self.payload = payload
        self.expect = expect          # api | ui | protocol
        self.timeout = timeout
        self.may_pass = may_pass      # a 200 (the upstream's answer) is acceptable
        self.method = method
        self.slow = slow
        self.path = path


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


def api_request(body: bytes, *, path="/chat/completions", headers=None, key=None, content_type=True, method="POST", close=True) -> bytes:
    hs = []
    if key is not False:
        hs.append(("Authorization", f"Bearer {key or harness.MASTER_KEY}"))
    if content_type:
        hs.append(("Content-Type", "application/json"))
    hs += headers or []
    return harness.build_request(method, path, hs, body, close=close)


class Generator:
    def __init__(self, seed: int, huge_scale=1.0):
        self.seed = seed
        self.huge_scale = huge_scale

    def rng(self, index):
        return random.Random(f"{self.seed}:{index}")

    # -- invalid JSON -------------------------------------------------------------------------------------------
    def invalid_json(self, index, r):
        base = dumps({"model": r.choice(CHAT_MODELS), "messages": [{"role": "user", "content": "fuzz %d" % index}],
                      "temperature": 0.5})
        kind = r.randrange(14)
        if kind == 0:
            body = base[: r.randrange(len(base))]
            name = "truncated"
        elif kind == 1:
            body = bytearray(base)
            for _ in range(r.randint(1, 6)):
                body[r.randrange(len(body))] = r.randrange(256)
            body, name = bytes(body), "byte-flips"
        elif kind == 2:
            body, name = bytes(r.randrange(256) for _ in range(r.randint(0, 400))), "random-bytes"
        elif kind == 3:
            body, name = r.choice([b"", b" ", b"\n", b"null", b"[]", b"1", b'"str"', b"true", b"{}", b"[{}]", b"\xef\xbb\xbf{}"]), "not-an-object"
        elif kind == 4:
            body, name = base + r.choice([b"x", b"}", b"{}", b",", b"\x00", b" //c", b"]"]), "trailing-garbage"
        elif kind == 5:
            body, name = base.replace(b'"', b"'"), "single-quotes"
        elif kind == 6:
            body, name = base.replace(b"0.5", r.choice([b"NaN", b"Infinity", b"-Infinity", b"01", b"1.", b".5", b"1e", b"+1", b"0x10", b"1_0"])), "bad-number"
        elif kind == 7:
            body, name = base.replace(b"fuzz", r.choice([b"\\x41", b"\\u12", b"\\ud800", b"\\udc00\\ud800", b"\\", b"\\q", b"\t\n", b"\x01"])), "bad-escape"
        elif kind == 8:
            body, name = b'{"model":"gpt-4o","model":"o4-mini","messages":[{"role":"user","content":"a"}],"messages":5}', "duplicate-keys"
        elif kind == 9:
            body, name = base.replace(b"0.5", b"1" + b"0" * r.choice([20, 400, 5000, 100_000])), "long-number"
        elif kind == 10:
            body, name = base.replace(b"0.5", r.choice([b"1e999999", b"-1e999999", b"1e-999999", b"123456789012345678901234567890e-5"])), "extreme-exponent"
        elif kind == 11:
            body, name = b"/* c */" + base, "comment"
        elif kind == 12:
            body, name = base[:-1] + b',"a":' + b'"' + b"x" * r.randint(0, 100), "unterminated-string"
        else:
            body, name = b"\xff\xfe" + base.decode().encode("utf-16-le"), "utf16"
        return Case(index, "invalid_json", name, api_request(body, path=r.choice(API_PATHS[:2])), may_pass=kind in (1, 4, 7, 8, 9, 10, 11))

    # -- deep nesting -------------------------------------------------------------------------------------------
    def deep_nesting(self, index, r):
        depth = r.choice([10, 100, 200, 250, 254, 255, 256, 257, 300, 1000, 10_000, 100_000, 1_000_000])
        shape = r.randrange(5)
        if shape == 0:
            body, name = b"[" * depth + b"]" * depth, "array-top"
        elif shape == 1:
            body, name = b'{"a":' * depth + b"1" + b"}" * depth, "object-top"
        elif shape == 2:
            inner = b"[" * depth + b"]" * depth
            body, name = b'{"model":"gpt-4o","messages":[{"role":"user","content":"n"}],"metadata":' + inner + b"}", "in-metadata"
        elif shape == 3:
            inner = b'{"x":' * depth + b'"y"' + b"}" * depth
            body, name = b'{"model":"gpt-4o","messages":[{"role":"user","content":' + inner + b"}]}", "in-content"
        else:
            body, name = b"[" * depth, "unclosed"
        return Case(index, "deep_nesting", f"{name}-{depth}", api_request(body), may_pass=shape in (2, 3), timeout=30)

    # -- wrong types --------------------------------------------------------------------------------------------
    def _odd(self, r, field):
        return r.choice(ODD_VALUES)

    def wrong_types(self, index, r):
        kind = r.randrange(10)
        if kind < 6:
            body = {"model": r.choice(CHAT_MODELS), "messages": [{"role": "user", "content": "types %d" % index}]}
            field = r.choice(CHAT_FIELDS)
            body[field] = self._odd(r, field)
            name, path = f"chat.{field}", r.choice(["/chat/completions", "/v1/chat/completions"])
        elif kind < 8:
            body = {"model": r.choice(CHAT_MODELS), "messages": [{"role": "user", "content": "types %d" % index}]}
            field = r.choice(MESSAGE_FIELDS)
            message = dict(body["messages"][0])
            message[field] = self._odd(r, field)
            body["messages"] = r.choice([[message], [message, message], [{"role": "system", "content": "s"}, message]])
            name, path = f"chat.messages[].{field}", "/chat/completions"
        elif kind == 8:
            body = {"model": "gpt-35-turbo-instruct", "prompt": "types"}
            field = r.choice(COMPLETION_FIELDS)
            body[field] = self._odd(r, field)
            name, path = f"completions.{field}", "/completions"
        else:
            body = {"model": "text-embedding-3-small", "input": "types"}
            field = r.choice(EMBEDDING_FIELDS + ["dimensions"])
            body[field] = self._odd(r, field)
            name, path = f"embeddings.{field}", "/embeddings"
        if body.get("stream") is True and r.random() < 0.5:
            body["stream_options"] = {"include_usage": r.choice([True, False])}
        return Case(index, "wrong_types", name, api_request(dumps(body), path=path), may_pass=True)

    # -- huge strings and arrays ----------------------------------------------------------------------------------
    def huge(self, index, r):
        limit = 32 * 1024 * 1024
        kind = r.randrange(8)
        scale = self.huge_scale
        if kind == 0:
            size = int(r.choice([1, 4, 8]) * 1024 * 1024 * scale)
            body, name = dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * size}]}), f"string-{size >> 20}MiB"
            timeout = 60
        elif kind == 1:
            count = int(r.choice([10_000, 100_000]) * scale)
            body, name = dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "m"}] * count}), f"messages-{count}"
            timeout = 90
        elif kind == 2:
            # Many keys (R3, fixed: the cost grew with the square of the count; 200,000 keys held a core ~10 min).
            count = int(r.choice([5_000, 50_000]) * scale)
            body, name = dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "k"}], "metadata": {f"k{i}": i for i in range(count)}}), f"keys-{count}"
            timeout = 90
        elif kind == 3:
            count = int(r.choice([100_000, 1_000_000]) * scale)
            body, name = b'{"model":"gpt-4o","messages":[{"role":"user","content":"a"}],"stop":[' + b",".join([b"1"] * count) + b"]}", f"array-{count}"
            timeout = 90
        elif kind == 4:
            # Just under the limit: the proxy accepts it, MockAzure (16 MiB like Azure) answers 413, relayed.
            pad = limit - 200
            prefix = b'{"model":"gpt-4o","messages":[{"role":"user","content":"'
            suffix = b'"}]}'
            body, name = prefix + b"y" * (pad - len(prefix) - len(suffix)) + suffix, "just-under-limit"
            timeout = 120
        elif kind == 5:
            body, name = b'{"model":"gpt-4o","messages":[{"role":"user","content":"' + b"z" * (limit + r.choice([1, 1024, 1 << 20])) + b'"}]}', "over-limit"
            return Case(index, "huge", name, api_request(body), expect="over", timeout=120)
        elif kind == 6:
            size = int(r.choice([64 * 1024, 512 * 1024]) * scale)
            body, name = dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "u"}], "user": "\u00e9" * size}), f"unicode-{size}"
            timeout = 60
        else:
            # Chunked upload beyond the limit: no Content-Length to refuse up front.
            chunk = b"c" * (1 << 20)
            parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 34 + [b"0\r\n\r\n"]
            head = harness.build_request("POST", "/chat/completions", [("Authorization", f"Bearer {harness.MASTER_KEY}"),
                                         ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")], b"", content_length=False)
            return Case(index, "huge", "chunked-over-limit", head + b"".join(parts), expect="over", timeout=120)
        return Case(index, "huge", name, api_request(body), may_pass=True, timeout=timeout)

    # -- invalid UTF-8 ------------------------------------------------------------------------------------------
    BAD_UTF8 = [b"\xff", b"\xfe\xff", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80",
                b"\xc3", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\xef\xbf\xbe", b"\x00", b"\xc0\x80"]

    def invalid_utf8(self, index, r):
        bad = b"".join(r.choice(self.BAD_UTF8) for _ in range(r.randint(1, 5)))
        where = r.randrange(7)
        if where == 0:
            body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"a' + bad + b'b"}]}'
            return Case(index, "invalid_utf8", "in-content", api_request(body), may_pass=True)
        if where == 1:
            body = b'{"model":"gpt-4o' + bad + b'","messages":[{"role":"user","content":"a"}]}'
            return Case(index, "invalid_utf8", "in-model", api_request(body))
        if where == 2:
            body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"a"}],"k' + bad + b'":1}'
            return Case(index, "invalid_utf8", "in-key", api_request(body), may_pass=True)
        if where == 3:
            body = b'{"model":"gpt-4o","messages":[{"role":"' + bad + b'","content":"a"}]}'
            return Case(index, "invalid_utf8", "in-role", api_request(body), may_pass=True)
        if where == 4:
            raw = (b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + harness.MASTER_KEY.encode() + bad
                   + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(dumps(VALID_CHAT)) + dumps(VALID_CHAT))
            return Case(index, "invalid_utf8", "in-auth-header", raw, expect="api_or_protocol")
        if where == 5:
            raw = (b"POST /chat/completions" + bad + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            return Case(index, "invalid_utf8", "in-path", raw, expect="api_or_protocol")
        raw = (b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nX-User: " + bad + b"\r\nAuthorization: Bearer " + harness.MASTER_KEY.encode()
               + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(dumps(VALID_CHAT)) + dumps(VALID_CHAT))
        return Case(index, "invalid_utf8", "in-other-header", raw, expect="api_or_protocol", may_pass=True)

    # -- auth headers -------------------------------------------------------------------------------------------
    def auth_headers(self, index, r):
        key = harness.MASTER_KEY
        wrong = "sk-" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(r.choice([0, 1, 8, 22, 64])))
        variants = [
            ("none", [], False), ("empty-authorization", [("Authorization", "")], False),
            ("bearer-only", [("Authorization", "Bearer")], False), ("bearer-space", [("Authorization", "Bearer ")], False),
            ("bearer-spaces", [("Authorization", "Bearer      ")], False), ("basic", [("Authorization", "Basic " + key)], False),
            ("no-scheme", [("Authorization", key)], False), ("wrong-key", [("Authorization", "Bearer " + wrong)], False),
            ("key-plus-char", [("Authorization", "Bearer " + key + "x")], False),
            ("key-prefix", [("Authorization", "Bearer " + key[:-1])], False),
            ("key-upper", [("Authorization", "Bearer " + key.upper())], False),
            ("lower-bearer", [("Authorization", "bearer " + key)], True), ("upper-bearer", [("Authorization", "BEARER " + key)], True),
            ("tab", [("Authorization", "Bearer\t" + key)], True),
            ("dup-valid-invalid", [("Authorization", "Bearer " + key), ("Authorization", "Bearer " + wrong)], True),
            ("dup-invalid-valid", [("Authorization", "Bearer " + wrong), ("Authorization", "Bearer " + key)], True),
            ("dup-empty-valid", [("Authorization", ""), ("Authorization", "Bearer " + key)], True),
            ("dup-valid-valid", [("Authorization", "Bearer " + key), ("Authorization", "Bearer " + key)], True),
            ("x-litellm-empty", [("x-litellm-api-key", ""), ("Authorization", "Bearer " + wrong)], False),
            ("x-litellm-wrong", [("x-litellm-api-key", wrong), ("Authorization", "Bearer " + key)], True),
            ("x-litellm-valid", [("x-litellm-api-key", key)], True), ("api-key-valid", [("api-key", key)], True),
            ("api-key-empty", [("api-key", "")], False), ("x-api-key-wrong", [("x-api-key", wrong)], False),
            ("dup-api-key", [("api-key", wrong), ("api-key", key)], True),
            ("long-key-8k", [("Authorization", "Bearer " + "k" * 8192)], False),
            ("long-key-70k", [("Authorization", "Bearer " + "k" * 70_000)], False),
            ("long-key-100k", [("Authorization", "Bearer " + "k" * 100_000)], False),
            ("unicode-key", [("Authorization", "Bearer sk-ключ-🔑")], False),
            ("azure-key-as-master", [("Authorization", "Bearer " + harness.AZURE_KEY)], False),
            ("key-in-query", [], False), ("comma-joined", [("Authorization", f"Bearer {wrong}, Bearer {key}")], False),
            ("many-auth", [("Authorization", "Bearer " + wrong)] * 50, False),
        ]
        name, headers, may_pass = variants[index % len(variants)] if r.random() < 0.7 else r.choice(variants)
        path = r.choice(["/chat/completions", "/v1/models", "/model/info", "/spend/logs", "/key/list", "/health",
                         "/embeddings", "/v1/chat/completions"])
        method = "GET" if path in ("/v1/models", "/model/info", "/spend/logs", "/key/list", "/health") else "POST"
        body = dumps(VALID_CHAT if "chat" in path else {"model": "text-embedding-3-small", "input": "x"}) if method == "POST" else b""
        if name == "key-in-query":
            path += "?api_key=" + key + "&key=" + key
        hs = list(headers) + ([("Content-Type", "application/json")] if method == "POST" else [])
        raw = harness.build_request(method, path, hs, body)
        # Long headers beyond NIO's 80 KiB limit are refused by the HTTP parser itself.
        expect = "api_or_protocol" if name.startswith("long-key") or name == "many-auth" else "api"
        return Case(index, "auth_headers", f"{name} {method} {path.split('?')[0]}", raw, expect=expect, may_pass=may_pass, method=method)

    # -- malformed HTTP: CR/LF/NUL/control bytes in headers and framing (raw sockets) -----------------------------
    def header_injection(self, index, r):
        body = dumps(VALID_CHAT)
        auth_line = b"Authorization: Bearer " + harness.MASTER_KEY.encode()
        ctl = bytes([r.choice([0, 1, 7, 8, 9, 11, 12, 13, 10, 27, 127, 0x85])])
        kinds = [
            ("nul-in-value", b"X-Test: a\x00b"), ("ctl-in-value", b"X-Test: a" + ctl + b"b"),
            ("bare-cr-in-value", b"X-Test: a\rInjected: b"), ("bare-lf-in-value", b"X-Test: a\nInjected: b"),
            ("crlf-header-injection", b"X-Test: a\r\nX-Injected: evil"), ("nul-in-name", b"X-Te\x00st: a"),
            ("space-in-name", b"X Test: a"), ("space-before-colon", b"X-Test : a"), ("empty-name", b": a"),
            ("no-colon", b"X-Test"), ("obs-fold", b"X-Test: a\r\n  folded"), ("nul-in-auth", auth_line + b"\x00"),
            ("crlf-in-auth", b"Authorization: Bearer x\r\nAuthorization: Bearer " + harness.MASTER_KEY.encode()),
            ("cr-in-auth", b"Authorization: Bearer \r" + harness.MASTER_KEY.encode()),
            ("non-token-name", b"X(Test): a"), ("utf8-name", "X-Tést: a".encode()), ("long-name", b"X" * 90_000 + b": a"),
            ("long-value", b"X-Test: " + b"v" * 90_000), ("many-headers", b"\r\n".join(b"X-H%d: v" % i for i in range(1200))),
            ("host-dup", b"Host: a\r\nHost: b"), ("cl-negative", b"Content-Length: -1"), ("cl-garbage", b"Content-Length: abc"),
            ("cl-dup-diff", b"Content-Length: 1"), ("te-and-cl", b"Transfer-Encoding: chunked"),
            ("te-unknown", b"Transfer-Encoding: gzip, chunked, identity"), ("expect-100", b"Expect: 100-continue"),
            ("expect-garbage", b"Expect: 999-nope"), ("connection-upgrade", b"Connection: Upgrade\r\nUpgrade: h2c"),
        ]
        name, extra = kinds[index % len(kinds)] if r.random() < 0.7 else r.choice(kinds)
        head = b"POST /chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if not name.endswith("auth"):
            head += auth_line + b"\r\n"
        payload = head + extra + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
        if name == "te-and-cl":
            payload = head + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"
        others = [
            ("bad-method", b"F\x00O /chat/completions HTTP/1.1\r\nHost: x\r\n\r\n"), ("http09", b"GET /\r\n\r\n"),
            ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), ("tls-hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(32)),
            ("bad-version", b"POST /chat/completions HTTP/9.9\r\nHost: x\r\n\r\n"), ("lf-only", b"POST /chat/completions HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}"),
            ("absolute-form", b"POST http://evil.example/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"),
            ("asterisk", b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            ("connect", b"CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\nConnection: close\r\n\r\n"),
            ("bad-chunk-size", head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
            ("chunk-overflow", head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
            ("space-in-target", b"GET /health/live liness HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            ("long-target", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            ("pipelined", head + b"Content-Length: 2\r\n\r\n{}" + head + b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"),
        ]
        if r.random() < 0.3:
            name, payload = r.choice(others)
        return Case(index, "header_injection", name, payload, expect="api_or_protocol", may_pass=True, timeout=15)

    # -- oversize and lying bodies --------------------------------------------------------------------------------
    def oversize(self, index, r):
        kind = r.randrange(4)
        if kind == 0:
            # Content-Length says 100 MiB; refuse before reading it (or after reading 32 MiB).
            head = harness.build_request("POST", "/chat/completions", [("Authorization", f"Bearer {harness.MASTER_KEY}")], b"", content_length=False)
            payload = head.replace(b"Connection: close\r\n\r\n", b"Content-Length: 104857600\r\nConnection: close\r\n\r\n") + b"{" + b" " * (33 << 20)
            return Case(index, "oversize", "declared-100MiB", payload, expect="over", timeout=120)
        if kind == 1:
            # `Connection: close` or keep-alive: with close, the proxy answers 413 but neither reads on nor closes (R4).
            close = r.random() < 0.5
            return Case(index, "oversize", "40MiB" + (" close" if close else " keep-alive"), api_request(b'{"a":"' + b"o" * (40 << 20) + b'"}', close=close),
                        expect="over", timeout=15 if close else 60)
        if kind == 2:
            # Content-Length larger than what is sent, then the client half-closes.
            head = harness.build_request("POST", "/chat/completions", [("Authorization", f"Bearer {harness.MASTER_KEY}")], b"", content_length=False)
            payload = head.replace(b"Connection: close\r\n\r\n", b"Content-Length: 5000\r\nConnection: close\r\n\r\n") + b'{"model":"gpt-4o"'
            return Case(index, "oversize", "short-body-half-close", payload, expect="api_or_protocol", timeout=15, slow="half-close")
        close = r.random() < 0.5
        return Case(index, "oversize", "no-auth-40MiB" + (" close" if close else " keep-alive"), api_request(b"[" + b"0," * (20 << 20) + b"0]", key=False, close=close),
                    expect="over_or_auth", timeout=15 if close else 60)

    # -- unknown paths and methods --------------------------------------------------------------------------------
    def unknown_paths(self, index, r):
        method = r.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "FOO"])
        segment = lambda: r.choice(["", "a", "chat", "completions", "v1", "v2", "openai", "deployments", "..", ".", "%2e%2e",
                                    "%00", "%ff", "%", "%zz", "admin", "key", "spend", "health", "metrics", "ui", "💥",
                                    "".join(r.choice(string.printable[:62]) for _ in range(r.randint(1, 20)))])
        path = "/" + "/".join(segment() for _ in range(r.randint(1, 6)))
        if r.random() < 0.2:
            path += "?" + r.choice(["a=1", "model=gpt-4o", "%zz", "&&&", "a=" + "q" * 2000, "api-version=../../"])
        if r.random() < 0.1:
            path = r.choice(["/chat/completions/", "/v1//chat/completions", "/CHAT/COMPLETIONS", "/v1/chat/completions/extra",
                             "/openai/deployments//chat/completions", "/openai/deployments/../../chat/completions",
                             "/openai/deployments/gpt-4o/chat/completions/../../../../key/generate", "/v1/models/" + "m" * 3000,
                             "/spend/logs/ui/%00", "/key/%2e%2e%2fgenerate", "/metrics/../spend/logs", "/health/readiness/.."])
        headers = r.choice([[], [("Authorization", f"Bearer {harness.MASTER_KEY}")]])
        body = dumps(VALID_CHAT) if method in ("POST", "PUT", "PATCH") else b""
        raw = harness.build_request(method, path.encode("utf-8").decode("latin-1"), headers, body)
        # An unknown method token or raw non-ASCII in the target is refused by NIO's HTTP parser (bare 400).
        return Case(index, "unknown_paths", f"{method} {path[:60]}", raw, expect="any_api", may_pass=True, method=method, path=path)

    # -- path traversal under /ui -------------------------------------------------------------------------------
    def ui_traversal(self, index, r):
        step = r.choice(TRAVERSAL_STEPS)
        path = r.choice(UI_PREFIXES) + step * r.randint(1, 10) + r.choice(TRAVERSAL_TARGETS)
        if r.random() < 0.2:
            path = r.choice(["/ui/../../etc/passwd", "/ui/%2e%2e/%2e%2e/etc/passwd", "/ui/static/..%2f..%2f..%2fPackage.swift",
                             "/ui/static/%2e%2e%2f%2e%2e%2fREADME.md", "/ui/static/..%252f..%252fetc%252fpasswd",
                             "/ui/static/ui.css%00.html", "/ui/static/ui.css/..%2f..%2f..%2fetc/passwd", "/ui/logs/..%2f..%2fkey%2flist",
                             "/ui/login?next=//evil.example/", "/ui/login?next=/ui/%0d%0aSet-Cookie:%20x=1", "/ui/login?next=https://evil.example",
                             "/ui/static/", "/ui/static/.", "/ui/static/..", "/ui/static/ui.js?../../etc/passwd", "/ui/logs/%2e%2e"])
        method = "POST" if r.random() < 0.15 else "GET"
        return Case(index, "ui_traversal", f"{method} {path[:80]}", harness.build_request(method, path, [], b"" if method == "GET" else b"a=b"),
                    expect="ui", method=method, path=path)

    # -- what an adversarial probe found (docs/reliability.md, "Hostile input") ----------------------------------
    def hostile(self, index, r):
        kind = r.randrange(7)
        big = r.choice(["1e300", "-1", "9223372036854775808", "1.5", "1e15", '"x"', "null", "7"])
        if kind == 0:
            # Over the management body limit: 413, never a key made of nothing.
            payload = api_request(b'{"models":["gpt-4o"],"metadata":{"pad":"' + b"m" * (1 << 20) + b'"}}', path="/key/generate")
            return Case(index, "hostile", "key-generate-over-1MiB", payload, expect="over", timeout=30)
        if kind == 1:
            field = r.choice(["tpm_limit", "rpm_limit", "max_parallel_requests", "max_budget", "spend"])
            path = r.choice(["/key/generate", "/key/update"])
            body = ('{"%s":%s%s}' % (field, big, ',"key":"sk-not-a-key-0000"' if path == "/key/update" else "")).encode()
            return Case(index, "hostile", f"{path} {field}={big}", api_request(body, path=path), may_pass=True)
        if kind == 2:
            page = r.choice(["9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e9", "NaN"])
            path = r.choice(["/key/list?page=", "/spend/logs/ui?page=", "/spend/logs?offset=", "/ui/keys?page=", "/ui/logs?page="]) + page
            expect = "ui" if path.startswith("/ui/") else "api"
            return Case(index, "hostile", f"GET {path}", harness.build_request("GET", path, [("Authorization", f"Bearer {harness.MASTER_KEY}")], b""),
                        expect=expect, may_pass=True, method="GET", path=path)
        if kind == 3:
            retries = r.choice(["1000000000", "9223372036854775807", "-5", "1e300", '"many"'])
            body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"retries"}],"num_retries":' + retries.encode() + b"}"
            return Case(index, "hostile", f"num_retries={retries}", api_request(body), may_pass=True, timeout=30)
        if kind == 4:
            # The body's model on an Azure-style path is free text: it must not become a metric label.
            model = "".join(r.choice(string.ascii_letters) for _ in range(r.randint(1, 40)))
            body = dumps({"model": model, "user": model, "messages": [{"role": "user", "content": "label"}]})
            return Case(index, "hostile", "azure-path-model", api_request(body, path="/openai/deployments/gpt-4o/chat/completions"), may_pass=True)
        if kind == 5:
            forwarded = r.choice(["1.2.3.4", "::1, 10.0.0.1", "x" * 5000, "", "1.2.3.4\r\nX-Evil: 1", "unknown, 999.999.1.1"])
            headers = [("X-Forwarded-For", forwarded)] if "\r" not in forwarded else [("X-Forwarded-For", "1.2.3.4")]
            return Case(index, "hostile", "x-forwarded-for", api_request(dumps(VALID_CHAT), headers=headers), may_pass=True)
        extra = r.choice(['"user":{"a":1}', '"user":"' + "u" * 3000 + '"', '"stream":true,"stream_options":{"include_usage":false}',
                          '"extra_headers":{"api-key":"stolen"}', '"api_base":"http://127.0.0.1:1"'])
        body = b'{"model":"gpt-4o","messages":[{"role":"user","content":"extra"}],' + extra.encode() + b"}"
        return Case(index, "hostile", extra[:40], api_request(body), may_pass=True)

    # -- valid requests in between: the proxy must keep answering them ------------------------------------------
    def control(self, index, r):
        kind = r.randrange(4)
        if kind == 0:
            body, path, name = dumps({"model": r.choice(CHAT_MODELS), "messages": [{"role": "user", "content": "control %d" % index}]}), "/chat/completions", "chat"
        elif kind == 1:
            body, path, name = dumps({"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "control"}]}), "/chat/completions", "stream"
        elif kind == 2:
            body, path, name = dumps({"model": "text-embedding-3-small", "input": "control"}), "/embeddings", "embeddings"
        else:
            body, path, name = dumps({"model": "gpt-35-turbo-instruct", "prompt": "control"}), "/completions", "completions"
        return Case(index, "control", name, api_request(body, path=path), expect="ok")


# The fuzzer presents thousands of wrong keys from one address: with the default limit (60 a minute) every request
# after them would get the throttle's 429 (which `test_fuzz.py::test_refused_keys_are_throttled` checks on its own).
FUZZ_GENERAL = "  auth_failure_limit_per_minute: 1000000"

# Large bodies (up to 40 MiB) in flight at once: bounded, so the memory they need is the same in every run.
LARGE_IN_FLIGHT = 2
LARGE = {"huge", "oversize", "hostile"}

# Share of the generated cases per category (slow-loris runs apart: see SlowLoris).
CATEGORIES = [
    ("invalid_json", 0.15), ("deep_nesting", 0.06), ("wrong_types", 0.25), ("huge", 0.004), ("invalid_utf8", 0.07),
    ("auth_headers", 0.12), ("header_injection", 0.10), ("oversize", 0.002), ("unknown_paths", 0.10),
    ("ui_traversal", 0.094), ("control", 0.03), ("hostile", 0.03),
]


def plan(count: int, seed: int, huge_scale=1.0, only=None):
    """The category of each case index, deterministic for (count, seed)."""
    generator = Generator(seed, huge_scale)
    categories = [(name, share) for name, share in CATEGORIES if not only or name in only]
    total = sum(share for _, share in categories)
    quotas = [(name, max(1, round(count * share / total))) for name, share in categories]
    order = [name for name, quota in quotas for _ in range(quota)]
    random.Random(seed).shuffle(order)
    return generator, order


# ---------------------------------------------------------------------------------------------------------------
# Checking answers

class Result:
    def __init__(self, case: Case, outcome: str, status=None, failure=None, elapsed=0.0, detail=""):
        self.case = case
        self.outcome = outcome     # status class or "closed" / "protocol-400" / "timeout"
        self.status = status
        self.failure = failure
        self.elapsed = elapsed
        self.detail = detail


def check_stream(body: bytes) -> str | None:
    events = [line[5:].strip() for line in body.split(b"\n") if line.startswith(b"data:")]
    if not events or events[-1] != b"[DONE]":
        return f"stream does not end with data: [DONE]: {body[-200:]!r}"
    for event in events[:-1]:
        try:
            parsed = json.loads(event)
        except Exception:
            continue  # a non-JSON upstream frame is passed on untouched, by design
        if isinstance(parsed, dict) and "error" in parsed:
            ok, why = harness.is_openai_error(event)
            if not ok and not isinstance(parsed.get("error"), dict):
                return "stream error frame not OpenAI-shaped: " + why
    return None


def check_success(response) -> str | None:
    ctype = (response.header("content-type") or "").lower()
    if "text/event-stream" in ctype:
        return check_stream(response.body)
    if ctype.startswith("text/plain"):
        return None  # /metrics (Prometheus text)
    try:
        parsed = json.loads(response.body)
    except Exception:
        return f"200 with a body that is not JSON: {response.body[:160]!r}"
    if not isinstance(parsed, (dict, list, str)):
        return f"200 with an unexpected JSON body: {response.body[:160]!r}"
    return None


def header_problems(response) -> str | None:
    for name, value in response.headers:
        if "\r" in value or "\n" in value or "\x00" in value:
            return f"header {name!r} carries CR/LF/NUL"
        if name.lower() in ("x-injected", "injected"):
            return f"request header reflected into the answer: {name}"
        if name.lower() == "set-cookie" and value.startswith("x=1"):
            return "injected Set-Cookie reflected"
    return None


def check(case: Case, response) -> str | None:
    secret = harness.find_secret(response.body) or harness.find_secret("\n".join(f"{k}: {v}" for k, v in response.headers))
    if secret:
        return f"key material in the answer ({secret[:6]}…)"
    problem = header_problems(response)
    if problem:
        return problem
    status = response.status
    if status >= 500:
        return f"{status} (5xx): {response.body[:200]!r}"
    expect = case.expect
    if expect == "ui":
        if any(marker in response.body for marker in FILE_MARKERS):
            return "file content in a /ui answer"
        if 300 <= status < 400:
            location = response.header("location") or ""
            if not location.startswith("/ui/"):
                return f"redirect off the UI: {location!r}"
            return None
        ctype = (response.header("content-type") or "").lower()
        if status == 404 and response.body.strip() == b"Not found":
            return None
        if "text/html" in ctype or "text/css" in ctype or "javascript" in ctype:
            return None
        if 400 <= status < 500 and (case.method == "HEAD" or harness.is_openai_error(response.body)[0]):
            return None
        return f"/ui answer neither HTML, redirect nor OpenAI error: {status} {ctype} {response.body[:120]!r}"
    if expect == "ok":
        if status != 200:
            return f"control request refused: {status} {response.body[:200]!r}"
        return check_success(response)
    if expect in ("over", "over_or_auth"):
        if status == 413 or (expect == "over_or_auth" and status == 401):
            ok, why = harness.is_openai_error(response.body)
            return None if ok else why
        return f"expected 413 for a body over the limit, got {status} {response.body[:160]!r}"
    if 200 <= status < 300:
        if case.may_pass or expect == "any_api":
            if case.method == "HEAD":
                return None
            return check_success(response)
        return f"{status} for a request that must be refused: {response.body[:160]!r}"
    if 300 <= status < 400:
        first = case.path.strip("/").split("/")[0].split("?")[0].lower() if case.path else ""
        if first == "ui" and (response.header("location") or "").startswith("/ui/"):
            return None  # /ui, //ui: the UI's redirect to its login page
        return f"unexpected redirect {status} on an API path"
    if case.method == "HEAD":
        return None
    if expect in ("api_or_protocol", "any_api") and status == 400 and response.body == b"" and (response.header("connection") or "").lower() == "close":
        return None  # NIO's own answer to bytes that are not HTTP/1.1 (counted as protocol-400)
    ok, why = harness.is_openai_error(response.body)
    return None if ok else f"{status} error not OpenAI-shaped: {why}"


def execute(case: Case, host: str, port: int, known=None) -> Result:
    result = _execute(case, host, port)
    bug = (known if known is not None else KNOWN_BUGS).get((case.category, case.name))
    if result.failure and bug:
        result.detail, result.failure, result.outcome = f"{bug}: {result.failure}", None, "known-bug"
    return result


def _execute(case: Case, host: str, port: int) -> Result:
    started = time.monotonic()
    try:
        if case.slow == "half-close":
            deadline = time.monotonic() + case.timeout
            with socket.create_connection((host, port), timeout=case.timeout) as sock:
                sock.sendall(case.payload)
                sock.shutdown(socket.SHUT_WR)
                response = harness.read_response(sock, deadline, case.method)
        else:
            response = harness.raw_exchange(host, port, case.payload, case.timeout, case.method)
    except harness.ConnectionClosed as closed:
        elapsed = time.monotonic() - started
        if case.expect in ("api_or_protocol",) and not closed.args[0]:
            return Result(case, "closed", elapsed=elapsed)
        return Result(case, "closed", failure=f"connection closed without an answer ({closed.args[0][:80]!r})", elapsed=elapsed)
    except (TimeoutError, socket.timeout):
        return Result(case, "timeout", failure=f"no answer within {case.timeout:.0f} s", elapsed=time.monotonic() - started)
    except ConnectionResetError:
        elapsed = time.monotonic() - started
        if case.expect in ("api_or_protocol",):
            return Result(case, "closed", elapsed=elapsed)
        return Result(case, "reset", failure="connection reset without an answer", elapsed=elapsed)
    except (ValueError, OSError) as error:
        return Result(case, "error", failure=f"{error.__class__.__name__}: {error}", elapsed=time.monotonic() - started)
    failure = check(case, response)
    if response.status == 400 and response.body == b"" and case.expect in ("api_or_protocol", "any_api"):
        outcome = "protocol-400"
    else:
        outcome = f"{response.status // 100}xx"
    return Result(case, outcome, status=response.status, failure=failure, elapsed=response.elapsed)


# ---------------------------------------------------------------------------------------------------------------
# Slow-loris

def slow_loris(host, port, pid, connections=40, hold=6.0, probes=20, probe_timeout=2.0, idle_wait=0.0):
    """Holds `connections` partial requests open (several kinds), checks that normal requests are still answered in
    `probe_timeout`, then lets the slow clients go and checks the descriptors come back. Returns (results, report)."""
    kinds = [
        ("partial-request-line", [b"POST /chat/compl"]),
        ("headers-unfinished", [b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n"]),
        ("body-unfinished", [b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + harness.MASTER_KEY.encode()
                             + b"\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{\"model\":"]),
        ("chunked-unfinished", [b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"]),
        ("dribble", [b"P", b"O", b"S", b"T", b" ", b"/"]),
        ("nothing", []),
    ]
    fds_before = harness.open_fds(pid) if pid else None
    socks, results = [], []
    for i in range(connections):
        name, parts = kinds[i % len(kinds)]
        s = socket.create_connection((host, port), timeout=5)
        if parts:
            s.sendall(parts[0])
        socks.append((name, parts, s))
    end = time.monotonic() + hold
    step = 0
    probe_failures = []
    while time.monotonic() < end:
        step += 1
        for name, parts, s in socks:
            if name == "dribble" and step < len(parts):
                try:
                    s.sendall(parts[step])
                except OSError:
                    pass
        time.sleep(0.3)
    held_fds = harness.open_fds(pid) if pid else None
    for i in range(probes):
        path = "/health/liveliness" if i % 2 else "/v1/models"
        case = Case(-1, "slow_loris", f"probe {path}", harness.build_request("GET", path, harness.auth()), expect="ok", method="GET", timeout=probe_timeout)
        result = execute(case, host, port)
        results.append(result)
        if result.failure:
            probe_failures.append(result.failure)
    # Does the server close any of them by itself (an idle or header-read timeout)?
    if idle_wait > 0:
        time.sleep(idle_wait)
    closed_by_server = 0
    for name, parts, s in socks:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            closed_by_server += 1  # b"" (FIN) or an answer (408/400) both mean the server acted
        except BlockingIOError:
            pass
        except OSError:
            closed_by_server += 1
    for name, parts, s in socks:
        results.append(Result(Case(-1, "slow_loris", name, b""), "held", elapsed=hold))
        s.close()
    fds_after = None
    if pid:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            fds_after = harness.open_fds(pid)
            if fds_after <= fds_before + 2:
                break
            time.sleep(0.2)
    report = {"connections": connections, "held_seconds": hold, "fds_before": fds_before, "fds_while_held": held_fds,
              "fds_after": fds_after, "closed_by_server_within_s": {"seconds": round(hold + idle_wait, 1), "count": closed_by_server},
              "probe_failures": probe_failures}
    if pid and fds_after is not None and fds_after > fds_before + 2:
        results.append(Result(Case(-1, "slow_loris", "descriptors"), "leak", failure=f"descriptors {fds_before} → {fds_after} after the slow clients left"))
    return results, report


# ---------------------------------------------------------------------------------------------------------------
# UI session (so traversal also reaches the logged-in handlers)

def ui_session(host, port) -> str | None:
    try:
        page = harness.raw_exchange(host, port, harness.build_request("GET", "/ui/login"), 10, "GET")
        cookie = next((v.split(";")[0] for k, v in page.headers if k.lower() == "set-cookie" and v.startswith("ui_login_csrf=")), None)
        import re
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page.body)
        if not cookie or not token:
            return None
        from urllib.parse import urlencode
        form = urlencode({"csrf_token": token.group(1).decode(), "username": "admin", "password": harness.MASTER_KEY, "next": "/ui/logs"}).encode()
        answer = harness.raw_exchange(host, port, harness.build_request("POST", "/ui/login", [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")], form), 10)
        return next((v.split(";")[0] for k, v in answer.headers if k.lower() == "set-cookie" and v.startswith("ui_session=") and len(v.split(";")[0]) > 12), None)
    except Exception:
        return None


def with_cookie(case: Case, cookie: str) -> Case:
    case.payload = case.payload.replace(b"\r\nConnection: close", b"\r\nCookie: " + cookie.encode() + b"\r\nConnection: close", 1)
    case.name += " (session)"
    return case


# ---------------------------------------------------------------------------------------------------------------
# The run

class Fuzzer:
    def __init__(self, host, port, pid=None, seed=1, count=10_000, concurrency=8,
                 huge_scale=1.0, rss_tolerance_mib=96.0, slowloris_connections=40, only=None, log=print, mock_pid=None,
                 idle_wait=0.0, timeout_scale=1.0, known=None, prime=True):
        self.prime = prime
        self.host, self.port, self.pid = host, port, pid
        self.timeout_scale = timeout_scale
        self.known = KNOWN_BUGS if known is None else known
        self.mock_pid = mock_pid
        self.seed, self.count, self.concurrency = seed, count, concurrency
        self.generator, self.order = plan(count, seed, huge_scale, only)
        self.rss_tolerance_mib = rss_tolerance_mib
        self.slowloris_connections = slowloris_connections
        self.only = only
        self.idle_wait = idle_wait
        self.log = log
        self.results: list[Result] = []
        self.report = {}

    def alive(self, pid=None) -> bool:
        pid = pid or self.pid
        if not pid:
            return True
        try:
            with open(f"/proc/{pid}/status") as status:
                return "State:\tZ" not in status.read()
        except FileNotFoundError:
            return False

    def warm_up(self, rounds=150):
        for i in range(rounds):
            for case in (self.generator.control(10_000_000 + i, random.Random(i)),
                         self.generator.invalid_json(20_000_000 + i, random.Random(i))):
                execute(case, self.host, self.port)

    def prime_large_bodies(self):
        """Every kind of large body twice, LARGE_IN_FLIGHT at a time, before the baseline is taken: the allocator keeps
        what such bodies needed (glibc's heaps; see docs/reliability.md, R7), so the baseline is that high-water mark
        and the RSS check measures what the run adds to it — a leak — rather than what the allocator retains. The
        run itself never has more than LARGE_IN_FLIGHT large bodies in flight either."""
        cases = []
        for i in range(64):
            case = self.generator.huge(30_000_000 + i, random.Random(f"prime:{i}"))
            if case.name not in {c.name for c in cases} or sum(c.name == case.name for c in cases) < 2:
                cases.append(case)
        for i in range(16):
            case = self.generator.oversize(31_000_000 + i, random.Random(f"prime-over:{i}"))
            if case.name.endswith("keep-alive") or case.name.startswith("declared"):
                cases.append(case)  # the `close` variants only wait on R4
        with ThreadPoolExecutor(LARGE_IN_FLIGHT) as pool:
            list(pool.map(lambda case: execute(case, self.host, self.port, self.known), cases))
        time.sleep(2)

    def settle_rss(self, baseline_kib, seconds=20.0) -> int:
        """RSS after warm-up traffic again and up to `seconds` of quiet, the lowest seen."""
        self.warm_up(50)
        best = harness.rss_kib(self.pid)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and best > baseline_kib + self.rss_tolerance_mib * 1024:
            time.sleep(1)
            best = min(best, harness.rss_kib(self.pid))
        return best

    def run(self) -> bool:
        started = time.monotonic()
        baseline = None
        if self.pid:
            self.warm_up()
            time.sleep(1)
            self.report["rss_cold_mib"] = round(harness.rss_kib(self.pid) / 1024, 1)
            if self.prime:
                self.prime_large_bodies()
            baseline = harness.rss_kib(self.pid)
            self.report["rss_baseline_mib"] = round(baseline / 1024, 1)
            self.report["fds_baseline"] = harness.open_fds(self.pid)
        session = ui_session(self.host, self.port) if (not self.only or "ui_traversal" in self.only) else None
        self.report["ui_session"] = bool(session)
        peak = baseline or 0
        died = None
        in_flight = {}
        lock = threading.Lock()
        large = threading.Semaphore(LARGE_IN_FLIGHT)

        def job(index, category):
            r = self.generator.rng(index)
            case = getattr(self.generator, category)(index, r)
            if category == "ui_traversal" and session and r.random() < 0.5:
                case = with_cookie(case, session)
            case.timeout *= self.timeout_scale
            with lock:
                in_flight[index] = case
            if category in LARGE:
                with large:
                    result = execute(case, self.host, self.port, self.known)
            else:
                result = execute(case, self.host, self.port, self.known)
            with lock:
                in_flight.pop(index, None)
            return result

        with ThreadPoolExecutor(self.concurrency) as pool:
            pending = set()
            for index, category in enumerate(self.order):
                pending.add(pool.submit(job, index, category))
                if len(pending) >= self.concurrency * 4:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    self.results += [f.result() for f in done]
                if index % 200 == 0:
                    if not self.alive():
                        died = dict(in_flight)
                        break
                    if self.pid:
                        peak = max(peak, harness.rss_kib(self.pid))
                    if index % 2000 == 0 and index:
                        self.log(f"  … {index} sent, {sum(1 for x in self.results if x.failure)} failures so far")
            for future in pending:
                self.results.append(future.result())
        if died is None and not self.alive():
            died = dict(in_flight)
        if died is not None:
            self.report["died"] = True
            self.report["in_flight_at_death"] = [f"#{c.index} {c.category}/{c.name}" for c in died.values()]
            repro = Path(tempfile.gettempdir()) / f"fuzz-crash-{self.seed}"
            repro.mkdir(exist_ok=True)
            for c in died.values():
                (repro / f"case-{c.index}.bin").write_bytes(c.payload)
            self.report["repro_dir"] = str(repro)
            self.log(f"PROXY DIED; payloads in flight written to {repro}")
            self.finish(started, baseline, peak)
            return False

        if not self.only or "slow_loris" in self.only or True:
            slow_results, slow_report = slow_loris(self.host, self.port, self.pid, connections=self.slowloris_connections,
                                                   idle_wait=self.idle_wait)
            self.results += slow_results
            self.report["slow_loris"] = slow_report
        if not self.alive():
            self.report["died"] = True
            self.finish(started, baseline, peak)
            return False
        if self.pid:
            peak = max(peak, harness.rss_kib(self.pid))
            settled = self.settle_rss(baseline)
            self.report["rss_peak_mib"] = round(peak / 1024, 1)
            self.report["rss_after_mib"] = round(settled / 1024, 1)
            if settled > baseline + self.rss_tolerance_mib * 1024:
                self.results.append(Result(Case(-1, "memory", "rss"), "leak",
                                           failure=f"RSS {baseline / 1024:.1f} MiB → {settled / 1024:.1f} MiB after the run (tolerance {self.rss_tolerance_mib} MiB)"))
            self.report["fds_after"] = harness.open_fds(self.pid)
        if self.mock_pid and not self.alive(self.mock_pid):
            self.results.append(Result(Case(-1, "upstream", "mock-azure"), "died",
                                       failure="mock-azure (the test double) died during the run: answers after it are not a test of the proxy"))
        self.finish(started, baseline, peak)
        return not any(r.failure for r in self.results) and not self.report.get("died")

    def finish(self, started, baseline, peak):
        per = defaultdict(Counter)
        slowest = defaultdict(float)
        for result in self.results:
            per[result.case.category]["sent"] += 1
            per[result.case.category][result.outcome] += 1
            if result.failure:
                per[result.case.category]["FAILED"] += 1
            slowest[result.case.category] = max(slowest[result.case.category], result.elapsed)
        failures = [r for r in self.results if r.failure]
        self.report.update({
            "seed": self.seed, "requests": sum(c["sent"] for c in per.values()), "seconds": round(time.monotonic() - started, 1),
            "per_category": {k: dict(v) for k, v in sorted(per.items())}, "slowest_seconds": {k: round(v, 2) for k, v in slowest.items()},
            "failures": len(failures), "crashes": 1 if self.report.get("died") else 0,
            "failure_examples": [f"#{r.case.index} {r.case.category}/{r.case.name}: {r.failure}" for r in failures[:40]],
            "known_bugs": dict(Counter(r.detail.split(":")[0] for r in self.results if r.outcome == "known-bug")),
        })

    def print_report(self):
        rep = self.report
        columns = ["sent", "2xx", "4xx", "3xx", "protocol-400", "closed", "held", "5xx", "timeout", "known-bug", "FAILED"]
        self.log(f"\nfuzz seed={rep['seed']}: {rep['requests']} requests in {rep['seconds']} s")
        self.log("%-17s" % "category" + "".join("%10s" % c for c in columns) + "   slowest")
        for name, counts in rep["per_category"].items():
            self.log("%-17s" % name + "".join("%10s" % counts.get(c, 0) for c in columns) + "   %.2f s" % rep["slowest_seconds"].get(name, 0))
        for key in ("rss_cold_mib", "rss_baseline_mib", "rss_peak_mib", "rss_after_mib", "fds_baseline", "fds_after", "ui_session"):
            if key in rep:
                self.log(f"{key}: {rep[key]}")
        if "slow_loris" in rep:
            self.log(f"slow_loris: {json.dumps(rep['slow_loris'])}")
        self.log(f"crashes: {rep['crashes']}  failures: {rep['failures']}  known bugs hit: {rep.get('known_bugs', {})}")
        for example in rep["failure_examples"]:
            self.log("  FAIL " + example)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running proxy (with --pid for the liveness/RSS checks)")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--start", action="store_true", help="start mock-azure and the proxy from SWIFT_BIN_PATH")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 1)))
    parser.add_argument("--count", type=int, default=int(os.environ.get("FUZZ_COUNT", 10_000)))
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", help="comma-separated categories")
    parser.add_argument("--rss-tolerance-mib", type=float, default=96.0)
    parser.add_argument("--idle-wait", type=float, default=0.0, help="extra seconds to see whether held slow connections get closed")
    parser.add_argument("--json", help="write the report here")
    parser.add_argument("--default-allocator", action="store_true",
                        help="with --start: glibc's defaults (RSS then stays near its high-water mark: R7)")
    args = parser.parse_args(argv)
    harness.MASTER_KEY = os.environ.get("FUZZ_MASTER_KEY", harness.MASTER_KEY)
    procs = []
    if args.start:
        directory = Path(tempfile.mkdtemp(prefix="fuzz-"))
        mock = harness.start_mock(directory)
        proxy = harness.start_proxy(directory, harness.write_config(directory, mock.url, general_extra=FUZZ_GENERAL),
                                    extra_env={} if args.default_allocator else harness.ALLOCATOR_RETURNS_MEMORY)
        procs = [proxy, mock]
        host, port, pid = proxy.host, proxy.port, proxy.pid
        print(f"mock-azure {mock.url}, proxy {proxy.url} (logs in {directory})")
    else:
        if not args.url:
            parser.error("--url or --start")
        host, port = harness._host_port(args.url)
        pid = args.pid
    fuzzer = Fuzzer(host, port, pid, mock_pid=procs[1].pid if procs else None, seed=args.seed, count=args.count, concurrency=args.concurrency,
                    rss_tolerance_mib=args.rss_tolerance_mib,
                    only=set(args.only.split(",")) if args.only else None, idle_wait=args.idle_wait)
    try:
        passed = fuzzer.run()
        fuzzer.print_report()
        if procs:
            log = procs[0].log_text()
            secret = harness.find_secret(log)
            if secret:
                print(f"FAIL: key material in the proxy's log ({secret[:6]}…)")
                passed = False
    finally:
        for proc in procs:
            proc.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(fuzzer.report, indent=2))
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
