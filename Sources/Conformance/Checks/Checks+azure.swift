import MockAzure
import Wire

extension ConformanceCatalog {
    /// Sends a chat request with a unique marker and returns what MockAzure received for it.
    static func upstreamEntry(
        _ c: CheckContext,
        model: String? = nil,
        extra: JSONObject = JSONObject(),
        path: String = "/chat/completions"
    ) async throws -> JSON {
        let marker = c.marker()
        let response = try await c.post(path, c.chat(model, "what llm are you? \(marker)", extra: extra))
        try c.expect(response.status == 200, "status \(response.status): \(response.text.prefix(120))")
        return try await c.journalEntries(containing: marker).last.orFail("MockAzure never received the request")
    }

    static func header(_ entry: JSON, _ name: String) -> String? {
        entry["headers"]?.arrayValue?.first { $0[0]?.stringValue?.lowercased() == name }?[1]?.stringValue
    }

    static var azure: [ConformanceCheck] {
        [
            ConformanceCheck(
                "azure.upstream-key",
                .azure,
                "Upstream gets the configured Azure key in api-key, never the client's key",
                requires: .mock,
                auth: .key
            ) { c in
                let entry = try await upstreamEntry(c)
                let apiKey = header(entry, "api-key")
                let clientHash = SecretHash.sha256Hex(c.target.key)
                try c.expect(apiKey != nil, "no api-key header upstream")
                try c.expect(
                    !(entry["headers"]?.serialized().contains(clientHash) ?? false),
                    "the client's key reached the upstream"
                )
                if let expected = c.target.upstreamKey {
                    try c.expect(
                        apiKey == "sha256:" + SecretHash.sha256Hex(expected),
                        "api-key is not the configured Azure key"
                    )
                }
                return .string(apiKey ?? "")
            },
            ConformanceCheck(
                "azure.deployment-path",
                .azure,
                "Upstream path is /openai/deployments/{deployment}/chat/completions",
                requires: .mock
            ) { c in
                let entry = try await upstreamEntry(c)
                let path = entry["path"]?.stringValue ?? ""
                try c.expect(
                    path.hasPrefix("/openai/deployments/") && path.hasSuffix("/chat/completions"),
                    "path \(path)"
                )
                return .string(path)
            },
            ConformanceCheck("azure.api-version", .azure, "Upstream query carries a known api-version", requires: .mock)
            { c in
                let entry = try await upstreamEntry(c)
                let query = entry["query"]?.stringValue ?? ""
                let version = query.split(separator: "&").first { $0.hasPrefix("api-version=") }.map {
                    String($0.dropFirst(12))
                }
                try c.expect(
                    version.map { FixtureSet.defaultAPIVersions.union(FixtureSet.v1APIVersions).contains($0) } == true,
                    "api-version \(version ?? "missing")"
                )
                return .string(version ?? "")
            },
            ConformanceCheck(
                "azure.body-preserved",
                .azure,
                "The request body reaches Azure with its fields (user, seed, reasoning_effort, messages)",
                requires: .mock
            ) { c in
                let entry = try await upstreamEntry(
                    c,
                    extra: ["user": "conformance-user", "seed": 42, "reasoning_effort": "low"]
                )
                let body = try entry["body"].orFail("no body upstream")
                try c.expect(
                    body["user"] == "conformance-user" && body["seed"]?.intValue == 42
                        && body["reasoning_effort"] == "low",
                    "fields lost: \(body.serialized().prefix(160))",
                    observed: body
                )
                try c.expect(body.value(at: "messages.0.role") == "user", "messages changed", observed: body)
                return body
            },
            ConformanceCheck(
                "azure.max-completion-tokens",
                .azure,
                "o-series max_tokens becomes max_completion_tokens upstream",
                requires: .mock
            ) { c in
                let entry = try await upstreamEntry(c, extra: ["max_tokens": 77])
                let body = try entry["body"].orFail("no body upstream")
                try c.expect(
                    body["max_completion_tokens"]?.intValue == 77 && body["max_tokens"] == nil,
                    """
                    upstream got \(body["max_tokens"].map { "max_tokens \($0)" } ?? "") \
                    \(body["max_completion_tokens"].map { "max_completion_tokens \($0)" } ?? "")
                    """,
                    observed: body
                )
                return ["max_completion_tokens": body["max_completion_tokens"] ?? nil]
            },
            ConformanceCheck(
                "azure.no-upstream-choice",
                .azure,
                "A request cannot choose the upstream (api_base in the body is ignored)",
                litellm: .deviation("honours api_base from the request body: the call goes to the client's URL"),
                requires: .mock
            ) { c in
                let entry = try await upstreamEntry(
                    c,
                    extra: ["api_base": "http://127.0.0.1:9/evil", "base_url": "http://127.0.0.1:9/evil"]
                )
                let body = try entry["body"].orFail("no body upstream")
                try c.expect(
                    body["api_base"] == nil && body["base_url"] == nil,
                    "api_base forwarded upstream",
                    observed: body
                )
                return ["reached": "mock"]
            },
            ConformanceCheck(
                "azure.no-litellm-params",
                .azure,
                "LiteLLM's own request keys (metadata, tags, caching, num_retries, session id, guardrails) stay home",
                requires: .mock
            ) { c in
                let own: JSONObject = [
                    "metadata": ["team": "a"], "tags": ["t"], "caching": false, "num_retries": 0,
                    "litellm_session_id": "s1", "guardrails": [],
                ]
                let body = try await upstreamEntry(c, extra: own)["body"].orFail("no body upstream")
                let leaked = own.keys.filter { body[$0] != nil }
                try c.expect(leaked.isEmpty, "reached Azure: \(leaked)", observed: body)
                return ["kept_home": .int(own.count)]
            },
            ConformanceCheck(
                "azure.unsupported-param",
                .azure,
                "Without drop_params a parameter the model does not take is LiteLLM's 400; with it, dropped"
            ) { c in
                try c.requireModel(c.target.chatModel)
                let refused = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "hi", extra: ["reasoning_effort": "low"])
                )
                let message = refused.json?.value(at: "error.message")?.stringValue ?? ""
                try c.expect(
                    refused.status == 400 && message.contains("UnsupportedParamsError"),
                    "status \(refused.status): \(message.prefix(120))"
                )
                let dropped = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "hi", extra: ["reasoning_effort": "low", "drop_params": true])
                )
                try c.expect(dropped.status == 200, "with drop_params: status \(dropped.status)")
                return .string(String(message.prefix(80)))
            },
            ConformanceCheck(
                "azure.azure-style-path",
                .azure,
                "POST /openai/deployments/{model}/chat/completions works through the proxy"
            ) { c in
                let response = try await c.post(
                    "/openai/deployments/\(c.target.model)/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                try c.expect(
                    response.status == 200 && response.json?["object"] == "chat.completion",
                    "status \(response.status)"
                )
                return ["status": .int(response.status)]
            },
        ]
    }

    static var logging: [ConformanceCheck] {
        [
            ConformanceCheck(
                "logging.row-written",
                .logging,
                "Each request's spend row appears in /spend/logs with its tokens, model and status",
                litellm: .skip("no database in the reference run")
            ) { c in
                let marker = c.marker()
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, "what llm are you? \(marker)")
                )
                let requestID = try (response.json?["id"]?.stringValue).orFail("no id")
                let row = try await spendRow(c, requestID: requestID)
                try c.expect(
                    row["total_tokens"]?.intValue == response.json?.value(at: "usage.total_tokens")?.intValue,
                    "tokens differ",
                    observed: row
                )
                try c.expect(
                    row["status"]?.stringValue != "failure",
                    "row status \(row["status"]?.serialized() ?? "")",
                    observed: row
                )
                return row
            },
            ConformanceCheck(
                "logging.no-key-material",
                .logging,
                "No spend row holds the caller's key (only its sha256)",
                litellm: .skip("no database in the reference run")
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let row = try await spendRow(c, requestID: try (response.json?["id"]?.stringValue).orFail("no id"))
                try c.expect(!row.serialized().contains(c.target.key), "the key is in the row")
                return ["api_key": row["api_key"] ?? nil]
            },
        ]
    }

    /// The spend row of a request, waiting for the batch writer; skipped where the proxy has no spend log API.
    static func spendRow(_ c: CheckContext, requestID: String) async throws -> JSON {
        for _ in 0 ..< 40 {
            let response = try await c.get("/spend/logs?request_id=\(requestID)")
            if response.status == 404 { throw CheckSkipped("the proxy has no /spend/logs") }
            if response.status >= 500 {
                throw CheckSkipped("the proxy's spend log is unavailable (status \(response.status))")
            }
            if let row = response.json?.arrayValue?.first ?? response.json?["data"]?.arrayValue?.first { return row }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw CheckFailure("no spend row for \(requestID) within 20 s")
    }
}
