import Wire

extension ConformanceCatalog {
    static var api: [ConformanceCheck] {
        [
            ConformanceCheck(
                "api.seed-response",
                .api,
                """
                The seed's curl answer equals the seed's proxy response in every key it has \
                (extra keys only when null)
                """,
                litellm: .deviation("1.110.2 returns the requested model name, not azure/<snapshot> as the seed shows"),
                requires: .mock
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                try c.expect(response.status == 200, "status \(response.status)", observed: .int(response.status))
                let json = try response.json.orFail("body is not JSON")
                let problems = SeedComparison.differences(
                    expected: ConformanceResources.seedProxyResponse,
                    actual: json
                )
                try c.expect(problems.isEmpty, problems.prefix(5).joined(separator: "; "), observed: json)
                return json
            },
            ConformanceCheck(
                "api.schema",
                .api,
                "A chat completion validates against OpenAI's schema with Azure's filter fields"
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let json = try response.json.orFail("body is not JSON (status \(response.status))")
                let problems = JSONSchemaValidator(schema: ConformanceResources.chatCompletionSchema).violations(
                    of: json
                )
                try c.expect(problems.isEmpty, problems.prefix(5).joined(separator: "; "), observed: json)
                return ["violations": .int(problems.count)]
            },
            ConformanceCheck(
                "api.token-arithmetic",
                .api,
                "total = prompt + completion, reasoning ≤ completion, cached ≤ prompt"
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let usage = try (response.json?["usage"]).orFail("no usage")
                let prompt = usage["prompt_tokens"]?.intValue ?? -1,
                    completion = usage["completion_tokens"]?.intValue ?? -1
                let total = usage["total_tokens"]?.intValue ?? -1
                let reasoning = usage.value(at: "completion_tokens_details.reasoning_tokens")?.intValue ?? 0
                let cached = usage.value(at: "prompt_tokens_details.cached_tokens")?.intValue ?? 0
                try c.expect(
                    prompt >= 0 && completion >= 0 && total == prompt + completion,
                    "total \(total) ≠ \(prompt) + \(completion)",
                    observed: usage
                )
                try c.expect(
                    reasoning <= completion && cached <= prompt,
                    "reasoning \(reasoning) / cached \(cached) out of bounds",
                    observed: usage
                )
                return usage
            },
            ConformanceCheck(
                "api.reasoning-tokens",
                .api,
                "o-series usage keeps completion_tokens_details.reasoning_tokens (128 in the seed)",
                requires: .mock
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let reasoning = response.json?.value(at: "usage.completion_tokens_details.reasoning_tokens")
                try c.expect(
                    reasoning?.intValue == 128,
                    "reasoning_tokens \(reasoning?.serialized() ?? "missing")",
                    observed: reasoning ?? nil
                )
                return reasoning ?? nil
            },
            ConformanceCheck(
                "api.content-filter-results",
                .api,
                "Each choice's content_filter_results reaches the client under provider_specific_fields",
                requires: .mock
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let results = response.json?.value(at: "choices.0.provider_specific_fields.content_filter_results")
                let expected = ConformanceResources.seedProxyResponse.value(
                    at: "choices.0.provider_specific_fields.content_filter_results"
                )
                try c.expect(
                    results != nil && results == expected,
                    "content_filter_results \(results?.serialized().prefix(80) ?? "missing")",
                    observed: results ?? nil
                )
                return results ?? nil
            },
            ConformanceCheck(
                "api.prompt-filter-results",
                .api,
                "prompt_filter_results stays at the top level, unchanged",
                requires: .mock
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let results = response.json?["prompt_filter_results"]
                try c.expect(
                    results == ConformanceResources.seedProxyResponse["prompt_filter_results"],
                    "prompt_filter_results \(results?.serialized().prefix(80) ?? "missing")",
                    observed: results ?? nil
                )
                return results ?? nil
            },
            ConformanceCheck(
                "api.cached-tokens",
                .api,
                "Cached prompt tokens reach the client (gpt-4o: 1920 of 2006)",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "Summarise the cached prompt please")
                )
                let cached = response.json?.value(at: "usage.prompt_tokens_details.cached_tokens")
                try c.expect(
                    cached?.intValue == 1920,
                    "cached_tokens \(cached?.serialized() ?? "missing")",
                    observed: cached ?? nil
                )
                return cached ?? nil
            },
            ConformanceCheck(
                "api.tool-calls",
                .api,
                "Tool calls come back with valid JSON arguments and finish_reason tool_calls",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "What is the weather in Tokyo?")
                )
                let json = try response.json.orFail("status \(response.status)")
                let arguments = json.value(at: "choices.0.message.tool_calls.0.function.arguments")?.stringValue ?? ""
                try c.expect(
                    json.value(at: "choices.0.finish_reason") == "tool_calls",
                    "finish_reason \(json.value(at: "choices.0.finish_reason")?.serialized() ?? "missing")"
                )
                try c.expect((try? JSON.parse(arguments))?["location"] == "Tokyo", "arguments \(arguments)")
                return json.value(at: "choices.0.message.tool_calls") ?? nil
            },
            ConformanceCheck(
                "api.filter-service-error",
                .api,
                "Azure's singular content_filter_result (filter service error) is not dropped",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-scenario: filter-service-error")
                )
                try c.expect(
                    response.status == 200 && response.text.contains("content_filter_error"),
                    "content_filter_result missing (status \(response.status))"
                )
                return ["status": .int(response.status)]
            },
            ConformanceCheck("api.models", .api, "/v1/models lists the model group as an OpenAI model object") { c in
                let response = try await c.get("/v1/models")
                let entry = response.json?["data"]?.arrayValue?.first { $0["id"]?.stringValue == c.target.model }
                try c.expect(
                    response.json?["object"] == "list" && entry?["object"] == "model",
                    "model \(c.target.model) missing from /v1/models",
                    observed: response.json ?? nil
                )
                return entry ?? nil
            },
            ConformanceCheck(
                "api.model-info-no-secrets",
                .api,
                "/model/info lists deployments without api_key or other credentials"
            ) { c in
                let response = try await c.get("/model/info")
                try c.expect(response.status == 200, "status \(response.status)")
                for secret in ["\"api_key\"", "client_secret", "azure_ad_token"] {
                    try c.expect(!response.text.contains(secret), "/model/info contains \(secret)")
                }
                if let key = c.target.upstreamKey {
                    try c.expect(!response.text.contains(key), "/model/info contains the upstream key")
                }
                return ["deployments": .int(response.json?["data"]?.arrayValue?.count ?? 0)]
            },
            ConformanceCheck("api.embeddings", .api, "/embeddings returns vectors of the requested dimensions") { c in
                try c.requireModel(c.target.embeddingModel)
                let response = try await c.post(
                    "/embeddings",
                    ["model": .string(c.target.embeddingModel), "input": ["a", "b"], "dimensions": 16]
                )
                let data = response.json?["data"]?.arrayValue ?? []
                try c.expect(
                    data.count == 2 && data.allSatisfy { $0["embedding"]?.arrayValue?.count == 16 },
                    "status \(response.status), \(data.count) vectors"
                )
                return ["vectors": .int(data.count)]
            },
            ConformanceCheck(
                "api.completions",
                .api,
                "Legacy /completions returns a text_completion",
                litellm: .deviation(
                    "sends /completions for azure/<deployment> to Azure's chat endpoint (it needs azure_text/)"
                )
            ) { c in
                try c.requireModel(c.target.completionModel)
                let response = try await c.post(
                    "/completions",
                    ["model": .string(c.target.completionModel), "prompt": "Once upon a time", "max_tokens": 16]
                )
                try c.expect(
                    response.json?["object"] == "text_completion",
                    "status \(response.status), object \(response.json?["object"]?.serialized() ?? "missing")"
                )
                return response.json?["usage"] ?? nil
            },
            ConformanceCheck("api.call-id", .api, "x-litellm-call-id is present and unique per request") { c in
                let first = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let second = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let ids = [first.header("x-litellm-call-id"), second.header("x-litellm-call-id")]
                try c.expect(ids[0] != nil && ids[1] != nil && ids[0] != ids[1], "call ids \(ids)")
                return .array(ids.map { $0.map(JSON.string) ?? nil })
            },
            ConformanceCheck("api.model-group-header", .api, "x-litellm-model-group names the requested group") { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                try c.expect(
                    response.header("x-litellm-model-group") == c.target.model,
                    "x-litellm-model-group \(response.header("x-litellm-model-group") ?? "missing")"
                )
                return .string(response.header("x-litellm-model-group") ?? "")
            },
            ConformanceCheck(
                "api.cost-header",
                .api,
                "x-litellm-response-cost is the seed's 0.0007689",
                requires: .mock
            ) { c in
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt)
                )
                let cost = response.header("x-litellm-response-cost").flatMap(Double.init)
                try c.expect(
                    cost.map { abs($0 - 0.0007689) < 1e-9 } == true,
                    "x-litellm-response-cost \(response.header("x-litellm-response-cost") ?? "missing")"
                )
                return cost.map(JSON.double) ?? nil
            },
            ConformanceCheck("api.health", .api, "/health/liveliness and /health/readiness answer without a key") { c in
                let live = try await c.get("/health/liveliness", headers: [])
                let ready = try await c.get("/health/readiness", headers: [])
                try c.expect(
                    live.status == 200 && ready.status == 200,
                    "liveliness \(live.status), readiness \(ready.status)"
                )
                try c.expect(ready.json?["status"] == "healthy", "readiness body \(ready.text.prefix(80))")
                return ["liveliness": .int(live.status), "readiness": .int(ready.status)]
            },
        ]
    }
}

extension Optional {
    /// The value, or a check failure with `message`.
    func orFail(_ message: @autoclosure () -> String) throws -> Wrapped {
        guard let value = self else { throw CheckFailure(message()) }
        return value
    }
}
