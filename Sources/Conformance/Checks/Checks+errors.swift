import Wire

extension ConformanceCatalog {
    /// An error body in LiteLLM's shape, with `code` the status as a string.
    static func expectErrorShape(_ c: CheckContext, _ response: ObservedResponse, status: Int) throws -> JSON {
        try c.expect(
            response.status == status,
            "status \(response.status), expected \(status): \(response.text.prefix(120))",
            observed: .int(response.status)
        )
        let error = try (response.json?["error"]).orFail("no error object: \(response.text.prefix(120))")
        try c.expect(error["message"]?.stringValue != nil, "error.message missing", observed: error)
        for key in ["type", "param", "code"] {
            try c.expect(error[key] != nil, "error.\(key) missing", observed: error)
        }
        try c.expect(
            error["code"]?.stringValue == String(status) || error["code"]?.intValue == status,
            "error.code \(error["code"]?.serialized() ?? "")",
            observed: error
        )
        return error
    }

    static var errors: [ConformanceCheck] {
        [
            ConformanceCheck(
                "errors.unknown-model",
                .errors,
                "An unknown model is a 400 invalid_request_error naming it"
            ) { c in
                let response = try await c.post("/chat/completions", c.chat("no-such-model-xyz", "hi"))
                let error = try expectErrorShape(c, response, status: 400)
                try c.expect(
                    error["message"]?.stringValue?.contains("no-such-model-xyz") == true,
                    "message does not name the model",
                    observed: error
                )
                return error
            },
            ConformanceCheck("errors.malformed-json", .errors, "A malformed JSON body is a 400 (param request_body)") {
                c in
                let response = try await HTTPProbe.request(
                    .POST,
                    c.url("/chat/completions"),
                    headers: c.auth,
                    body: "{\"model\": \"\(c.target.model)\", \"messages\": ["
                )
                return try expectErrorShape(c, response, status: 400)
            },
            ConformanceCheck("errors.missing-messages", .errors, "A chat request without messages is a 400") { c in
                let response = try await c.post("/chat/completions", ["model": .string(c.target.model)])
                return try expectErrorShape(c, response, status: 400)
            },
            ConformanceCheck(
                "errors.content-filter",
                .errors,
                "Azure's prompt-filter 400 keeps its innererror for the client",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-scenario: prompt-filtered-jailbreak")
                )
                let error = try expectErrorShape(c, response, status: 400)
                try c.expect(
                    response.text.contains("ResponsibleAIPolicyViolation") && response.text.contains("jailbreak"),
                    "innererror lost",
                    observed: error
                )
                return error
            },
            ConformanceCheck(
                "errors.rate-limit",
                .errors,
                "An upstream 429 reaches the client as 429 with retry-after",
                litellm: .deviation("passes Azure's retry-after on only as llm_provider-retry-after"),
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-scenario: rate-limit-429", extra: ["num_retries": 0])
                )
                let error = try expectErrorShape(c, response, status: 429)
                try c.expect(response.header("retry-after") != nil, "no retry-after header", observed: error)
                return ["retry-after": .string(response.header("retry-after") ?? "")]
            },
            ConformanceCheck("errors.timeout", .errors, "An upstream 408 is a 408 for the client", requires: .mock) {
                c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-fault: 408", extra: ["num_retries": 0])
                )
                return try expectErrorShape(c, response, status: 408)
            },
            ConformanceCheck(
                "errors.timeout-header",
                .errors,
                "x-litellm-timeout bounds the call (408) and the error answer names it",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-fault: hang", extra: ["num_retries": 0]),
                    headers: c.auth + [("x-litellm-timeout", "0.5")]
                )
                try c.expect(response.status == 408, "status \(response.status)")
                try c.expect(
                    response.header("x-litellm-timeout") == "0.5",
                    "x-litellm-timeout \(response.header("x-litellm-timeout") ?? "missing")"
                )
                return ["x-litellm-timeout": "0.5"]
            },
            ConformanceCheck(
                "errors.upstream-500",
                .errors,
                "An upstream 500 is a 500 in the error shape",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-fault: 500", extra: ["num_retries": 0])
                )
                return try expectErrorShape(c, response, status: 500)
            },
            ConformanceCheck(
                "errors.mid-stream-drop",
                .errors,
                "An upstream stream that drops ends with an error event, then [DONE]",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-scenario: stream-disconnect", stream: true)
                )
                let events = stream.events.map(\.event)
                try c.expect(
                    events.last?.isDone == true,
                    "the stream did not end with [DONE] (connection \(stream.failed ? "dropped" : "closed"))"
                )
                let error = try (events.dropLast().last?.json?["error"]).orFail("no error event before [DONE]")
                return error
            },
            ConformanceCheck(
                "errors.no-secret-in-errors",
                .errors,
                "Error bodies never carry the caller's or the upstream's key"
            ) { c in
                let bogus = "sk-conformance-bogus-key-7321"
                let denied = try await HTTPProbe.request(
                    .POST,
                    c.url("/chat/completions"),
                    headers: [("authorization", "Bearer \(bogus)")],
                    body: c.chat(c.target.model, "hi").serialized()
                )
                let unknown = try await c.post("/chat/completions", c.chat("no-such-model-xyz", "hi"))
                for text in [denied.text, unknown.text] {
                    try c.expect(!text.contains(bogus) && !text.contains(c.target.key), "an error body contains a key")
                    if let upstream = c.target.upstreamKey {
                        try c.expect(!text.contains(upstream), "an error body contains the upstream key")
                    }
                }
                return ["checked": 2]
            },
        ]
    }

    static var auth: [ConformanceCheck] {
        [
            ConformanceCheck("auth.no-key", .auth, "No key: 401 auth_error") { c in
                let response = try await HTTPProbe.request(
                    .POST,
                    c.url("/chat/completions"),
                    headers: [],
                    body: c.chat(c.target.model, "hi").serialized()
                )
                return try expectErrorShape(c, response, status: 401)
            },
            ConformanceCheck(
                "auth.bad-key",
                .auth,
                "A wrong key: 401, and the key is not echoed",
                litellm: .deviation("without a database an unknown key is a 400 no_db_connection, not a 401")
            ) { c in
                let response = try await HTTPProbe.request(
                    .POST,
                    c.url("/chat/completions"),
                    headers: [("authorization", "Bearer sk-wrong-conformance-0000")],
                    body: c.chat(c.target.model, "hi").serialized()
                )
                let error = try expectErrorShape(c, response, status: 401)
                try c.expect(!response.text.contains("sk-wrong-conformance-0000"), "the wrong key is echoed")
                return error
            },
            ConformanceCheck(
                "auth.malformed-authorization",
                .auth,
                "Authorization without the Bearer prefix: 401 malformed key"
            ) { c in
                let response = try await HTTPProbe.request(
                    .POST,
                    c.url("/chat/completions"),
                    headers: [("authorization", c.target.key)],
                    body: c.chat(c.target.model, "hi").serialized()
                )
                let error = try expectErrorShape(c, response, status: 401)
                try c.expect(!response.text.contains(c.target.key), "the key is echoed")
                return error
            },
            ConformanceCheck(
                "auth.header-variants",
                .auth,
                "The key is accepted in x-litellm-api-key, Authorization, API-Key and x-api-key"
            ) { c in
                var statuses = JSONObject()
                for header in ["x-litellm-api-key", "authorization", "api-key", "x-api-key"] {
                    let value = header == "authorization" ? "Bearer \(c.target.key)" : c.target.key
                    let response = try await HTTPProbe.request(.GET, c.url("/v1/models"), headers: [(header, value)])
                    statuses[header] = .int(response.status)
                }
                try c.expect(
                    statuses.allSatisfy { $0.value.intValue == 200 },
                    "statuses \(JSON.object(statuses).serialized())",
                    observed: .object(statuses)
                )
                return .object(statuses)
            },
            ConformanceCheck(
                "auth.management-needs-key",
                .auth,
                "/v1/models and /model/info refuse a request without a key"
            ) { c in
                let models = try await c.get("/v1/models", headers: [])
                let info = try await c.get("/model/info", headers: [])
                try c.expect(
                    models.status == 401 && info.status == 401,
                    "models \(models.status), model/info \(info.status)"
                )
                return ["models": .int(models.status), "model_info": .int(info.status)]
            },
        ]
    }
}
