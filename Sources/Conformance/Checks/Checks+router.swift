import Wire

extension ConformanceCatalog {
    /// The model groups the router checks expect in the proxy's config (skipped when absent):
    /// `router-pair` = two deployments (MockAzure's gpt-4o, weight 1000, so it is picked first, and gpt-4o-mini);
    /// `router-primary` (gpt-4o) with `content_policy_fallbacks: [{router-primary: [router-backup]}]` and
    /// `fallbacks: [{router-primary: [router-backup]}]`; `router-backup` (gpt-4o-mini).
    /// `conformance list --router-config` prints the snippet.
    public static let routerConfigSnippet = """
        model_list:
          - {model_name: router-pair, litellm_params: {model: azure/gpt-4o, api_base: MOCK, api_key: KEY, \
        api_version: "2025-01-01-preview", weight: 1000}}
          - {model_name: router-pair, litellm_params: {model: azure/gpt-4o-mini, api_base: MOCK, api_key: KEY, \
        api_version: "2025-01-01-preview", weight: 1}}
          - {model_name: router-primary, litellm_params: {model: azure/gpt-4o, api_base: MOCK, api_key: KEY, \
        api_version: "2025-01-01-preview"}}
          - {model_name: router-backup, litellm_params: {model: azure/gpt-4o-mini, api_base: MOCK, api_key: KEY, \
        api_version: "2025-01-01-preview"}}
        router_settings:
          fallbacks: [{router-primary: [router-backup]}]
          content_policy_fallbacks: [{router-primary: [router-backup]}]
        """

    static var router: [ConformanceCheck] {
        [
            ConformanceCheck(
                "router.retry-other-deployment",
                .router,
                "A deployment answering 500 is retried on the group's other deployment: every request succeeds",
                litellm: .deviation(
                    """
                    does not prefer the healthy deployment: retries the failing one again (seen: 3 upstream attempts, \
                    or a 500 after them)
                    """
                ),
                requires: .mock
            ) { c in
                try c.requireModel("router-pair")
                var attempts: [JSON] = []
                for _ in 0 ..< 4 {
                    let marker = c.marker()
                    let response = try await c.post(
                        "/chat/completions",
                        c.chat("router-pair", "\(marker)\n#mock-fault@gpt-4o: 500", extra: ["num_retries": 2])
                    )
                    try c.expect(
                        response.status == 200,
                        "status \(response.status) although gpt-4o-mini was healthy: \(response.text.prefix(160))",
                        observed: .int(response.status)
                    )
                    // Upstream, the request ends on gpt-4o-mini (after at most one try on the failing gpt-4o).
                    let paths = try await c.journalEntries(containing: marker).compactMap { $0["path"]?.stringValue }
                    try c.expect(
                        paths.last?.contains("/deployments/gpt-4o-mini/") == true && paths.count <= 2,
                        "upstream attempts \(paths)",
                        observed: .array(paths.map(JSON.string))
                    )
                    attempts.append(.int(paths.count))
                }
                return .array(attempts)
            },
            ConformanceCheck(
                "router.content-policy-fallback",
                .router,
                """
                Azure's content-filter 400 falls back to content_policy_fallbacks; the answer comes from the fallback \
                group
                """,
                requires: .mock
            ) { c in
                try c.requireModel("router-primary")
                let response = try await c.post(
                    "/chat/completions",
                    c.chat(
                        "router-primary",
                        "hi\n#mock-scenario@gpt-4o: prompt-filtered-jailbreak",
                        extra: ["num_retries": 0]
                    )
                )
                try c.expect(
                    response.status == 200,
                    "status \(response.status): \(response.text.prefix(160))",
                    observed: .int(response.status)
                )
                let model = response.json?["model"]?.stringValue ?? ""
                try c.expect(
                    model.contains("gpt-4o-mini"),
                    "answered by \(model), not the fallback",
                    observed: .string(model)
                )
                try c.expect(
                    response.header("x-litellm-attempted-fallbacks") == "1",
                    "x-litellm-attempted-fallbacks \(response.header("x-litellm-attempted-fallbacks") ?? "missing")",
                    observed: .string(model)
                )
                return [
                    "model": .string(model),
                    "attempted_fallbacks": .string(response.header("x-litellm-attempted-fallbacks") ?? ""),
                ]
            },
            ConformanceCheck(
                "router.fallback-after-errors",
                .router,
                "A group whose deployment keeps failing (503) falls back to `fallbacks`",
                requires: .mock
            ) { c in
                try c.requireModel("router-primary")
                let response = try await c.post(
                    "/chat/completions",
                    c.chat("router-primary", "hi\n#mock-fault@gpt-4o: 503", extra: ["num_retries": 0])
                )
                try c.expect(
                    response.status == 200,
                    "status \(response.status): \(response.text.prefix(160))",
                    observed: .int(response.status)
                )
                let model = response.json?["model"]?.stringValue ?? ""
                try c.expect(
                    model.contains("gpt-4o-mini"),
                    "answered by \(model), not the fallback",
                    observed: .string(model)
                )
                return ["model": .string(model)]
            },
            ConformanceCheck(
                "router.no-retry-on-bad-request",
                .router,
                "A client error (400) is not retried: the upstream sees it once",
                requires: .mock
            ) { c in
                try c.requireModel("router-pair")
                let marker = c.marker()
                let response = try await c.post(
                    "/chat/completions",
                    c.chat("router-pair", "\(marker)\n#mock-scenario: o-series-temperature", extra: ["num_retries": 2])
                )
                try c.expect(response.status == 400, "status \(response.status)", observed: .int(response.status))
                let seen = try await c.journalEntries(containing: marker).count
                try c.expect(seen == 1, "the upstream saw the request \(seen) times", observed: .int(seen))
                return .int(seen)
            },
        ]
    }
}
