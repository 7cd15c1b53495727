import Foundation
import MockAzure
import Proxy
import TestSupport
import Testing
import Wire

/// The proxy over real HTTP in front of a MockAzure, as the seed's curl uses it.
@Suite struct ProxyHTTPTests {
    static let seedBody = #"{"model": "o4-mini", "messages": [{"role": "user", "content": "what llm are you"}]}"#

    @Test func seedCurlGetsTheSeedResponse() async throws {
        try await withProxy { proxy in
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.seedBody
            )
            #expect(response.status == 200)
            let expected = try JSON.parse(
                Data(contentsOf: TestPaths.root.appendingPathComponent("fixtures/reference/seed-proxy-response.json"))
            )
            let actual = try #require(response.json)
            #expect(SeedComparison.differences(expected: expected, actual: actual) == [])
            #expect(actual["model"] == "azure/o4-mini-2025-04-16")
            let callID = try #require(response.header("x-litellm-call-id"))
            #expect(UUID(uuidString: callID) != nil)
            #expect(response.header("x-litellm-model-group") == "o4-mini")
            #expect(response.header("x-litellm-model-id") == proxy.gateway.config.deployments[0].id)
            #expect(response.header("x-litellm-model-api-base") == proxy.mockBase)
            #expect(response.header("x-litellm-attempted-retries") == "0")
            #expect(response.header("x-litellm-attempted-fallbacks") == "0")
            #expect(Double(response.header("x-litellm-response-duration-ms") ?? "") != nil)
            #expect(Double(response.header("x-litellm-overhead-duration-ms") ?? "") != nil)
            #expect(response.header("llm_provider-x-ms-region") == "Japan East")
            #expect(response.header("x-litellm-response-cost") == "0.0007689", "11 × 1.1e-6 + 172 × 4.4e-6")
            #expect(response.header("x-ratelimit-remaining-requests") != nil)
            let again = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/v1/chat/completions",
                headers: proxy.auth,
                body: Self.seedBody
            )
            #expect(again.header("x-litellm-call-id") != callID)
        }
    }

    /// What reached Azure: the configured key (never the client's), the deployment path, the api-version, the body.
    @Test func upstreamRequestIsAzures() async throws {
        try await withProxy { proxy in
            let body =
                #"{"model":"o4-mini","max_tokens":50,"user":"u-1","reasoning_effort":"low","#
                + #""api_base":"http://evil.example","messages":[{"role":"user","content":"hi there"}]}"#
            _ = try await TestHTTP.request(.POST, "\(proxy.base)/chat/completions", headers: proxy.auth, body: body)
            let entry = try #require(proxy.mock.journal.entries.last)
            #expect(entry.path == "/openai/deployments/o4-mini/chat/completions")
            #expect(entry.query == "api-version=2025-01-01-preview")
            let headers = Dictionary(entry.headers, uniquingKeysWith: { a, _ in a })
            #expect(headers["api-key"] == "sha256:" + SecretHash.sha256Hex(TestConfigs.azureKey))
            #expect(headers["authorization"] == nil)
            #expect(!entry.headers.contains { $0.1.contains(SecretHash.sha256Hex(TestConfigs.masterKey)) })
            let sent = try #require(entry.body)
            #expect(sent["max_completion_tokens"]?.intValue == 50 && sent["max_tokens"] == nil)
            #expect(sent["user"] == "u-1" && sent["reasoning_effort"] == "low")
            #expect(sent["api_base"] == nil)
            #expect(sent.value(at: "messages.0.content") == "hi there")
        }
    }

    @Test func pathsWithAndWithoutV1AndAzureStyle() async throws {
        try await withProxy { proxy in
            for path in ["/chat/completions", "/v1/chat/completions", "/openai/deployments/o4-mini/chat/completions"] {
                let response = try await TestHTTP.request(
                    .POST,
                    "\(proxy.base)\(path)",
                    headers: proxy.auth,
                    body: #"{"messages":[{"role":"user","content":"what llm are you"}],"model":"o4-mini"}"#
                )
                #expect(response.status == 200, "\(path)")
                #expect(response.json?["id"] == "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B")
            }
            for path in ["/embeddings", "/v1/embeddings", "/openai/deployments/text-embedding-3-small/embeddings"] {
                let response = try await TestHTTP.request(
                    .POST,
                    "\(proxy.base)\(path)",
                    headers: proxy.auth,
                    body: #"{"model":"text-embedding-3-small","input":"hello","dimensions":8}"#
                )
                #expect(response.status == 200, "\(path)")
                #expect(response.json?.value(at: "data.0.embedding")?.arrayValue?.count == 8)
            }
            for path in ["/completions", "/v1/completions"] {
                let response = try await TestHTTP.request(
                    .POST,
                    "\(proxy.base)\(path)",
                    headers: proxy.auth,
                    body: #"{"model":"gpt-35-turbo-instruct","prompt":"Once upon a time"}"#
                )
                #expect(response.status == 200 && response.json?["object"] == "text_completion", "\(path)")
            }
        }
    }

    @Test func healthEndpoints() async throws {
        try await withProxy { proxy in
            for path in ["/health/liveliness", "/health/liveness"] {
                let alive = try await TestHTTP.request(.GET, "\(proxy.base)\(path)")
                #expect(alive.status == 200 && alive.json == "I'm alive!")
            }
            let ready = try await TestHTTP.request(.GET, "\(proxy.base)/health/readiness")
            #expect(ready.status == 200 && ready.json?["status"] == "healthy")
            #expect(try await TestHTTP.request(.GET, "\(proxy.base)/health").status == 401)
            let health = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/health",
                headers: proxy.auth,
                timeout: .seconds(60)
            )
            #expect(health.json?["unhealthy_count"]?.intValue == 1, "only the unreachable deployment")
            #expect(health.json?["healthy_count"]?.intValue == 10, "the standard config's other deployments")
            #expect(!health.text.contains(TestConfigs.azureKey))
        }
    }

    @Test func authVariants() async throws {
        try await withProxy { proxy in
            let url = "\(proxy.base)/chat/completions"
            for header in [
                ("x-litellm-api-key", "Bearer \(proxy.masterKey)"), ("x-litellm-api-key", proxy.masterKey),
                ("authorization", "Bearer \(proxy.masterKey)"), ("api-key", proxy.masterKey),
                ("x-api-key", proxy.masterKey),
            ] {
                let response = try await TestHTTP.request(.POST, url, headers: [header], body: Self.seedBody)
                #expect(response.status == 200, "\(header.0)")
            }
            let none = try await TestHTTP.request(.POST, url, body: Self.seedBody)
            #expect(none.status == 401 && none.json == ProxyError.noKey.error.json)
            let malformed = try await TestHTTP.request(
                .POST,
                url,
                headers: [("authorization", proxy.masterKey)],
                body: Self.seedBody
            )
            #expect(
                malformed.status == 401
                    && malformed.json?.value(at: "error.message")?.stringValue?.contains("Malformed API Key") == true
            )
            let wrong = try await TestHTTP.request(
                .POST,
                url,
                headers: [("authorization", "Bearer sk-wrong-key-0000")],
                body: Self.seedBody
            )
            #expect(wrong.status == 401 && wrong.json?.value(at: "error.code") == "401")
            #expect(!wrong.text.contains("sk-wrong-key-0000"))
            #expect(wrong.header("x-litellm-call-id") != nil)
        }
    }

    @Test func requestErrors() async throws {
        try await withProxy { proxy in
            let url = "\(proxy.base)/chat/completions"
            let unknown = try await TestHTTP.request(
                .POST,
                url,
                headers: proxy.auth,
                body: #"{"model":"gpt-9","messages":[]}"#
            )
            #expect(unknown.status == 400)
            #expect(
                unknown.json?.value(at: "error.message")?.stringValue?.contains(
                    "Invalid model name passed in model=gpt-9"
                ) == true
            )
            #expect(
                unknown.json?.value(at: "error.code") == "400"
                    && unknown.json?.value(at: "error.type") == "invalid_request_error"
            )
            let malformed = try await TestHTTP.request(
                .POST,
                url,
                headers: proxy.auth,
                body: #"{"model": "o4-mini", "messages": ["#
            )
            #expect(malformed.status == 400 && malformed.json?.value(at: "error.param") == "request_body")
            let noMessages = try await TestHTTP.request(.POST, url, headers: proxy.auth, body: #"{"model":"o4-mini"}"#)
            #expect(noMessages.status == 400 && noMessages.json?.value(at: "error.param") == "messages")
            let noModel = try await TestHTTP.request(.POST, url, headers: proxy.auth, body: #"{"messages":[]}"#)
            #expect(noModel.status == 400 && noModel.json?.value(at: "error.param") == "model")
            let notObject = try await TestHTTP.request(.POST, url, headers: proxy.auth, body: "[1,2]")
            #expect(notObject.status == 400)
            let big =
                #"{"model":"o4-mini","messages":[{"role":"user","content":""# + String(repeating: "x", count: 1_200_000)
                + #""}]}"#
            let tooLarge = try await TestHTTP.request(.POST, url, headers: proxy.auth, body: big)
            #expect(tooLarge.status == 413 && tooLarge.json?.value(at: "error.code") == "413")
            let unknownRoute = try await TestHTTP.request(.GET, "\(proxy.base)/no/such/route", headers: proxy.auth)
            #expect(unknownRoute.status == 404 && unknownRoute.json?.value(at: "error.message") != nil)
        }
    }

    @Test func upstreamErrors() async throws {
        try await withProxy(
            mock: MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, hangSeconds: 3)
        ) { proxy in
            let url = "\(proxy.base)/chat/completions"
            func ask(_ model: String, _ prompt: String) async throws -> TestResponse {
                let body: JSON = ["model": .string(model), "messages": [["role": "user", "content": .string(prompt)]]]
                return try await TestHTTP.request(.POST, url, headers: proxy.auth, body: body.serialized())
            }
            let filtered = try await ask("gpt-4o", "#mock-scenario: prompt-filtered-jailbreak")
            #expect(filtered.status == 400)
            #expect(
                filtered.json?.value(at: "error.provider_specific_fields.innererror.code")
                    == "ResponsibleAIPolicyViolation"
            )
            #expect(
                filtered.json?.value(
                    at: "error.provider_specific_fields.innererror.content_filter_result.jailbreak.filtered"
                ) == true
            )
            #expect(
                filtered.json?.value(at: "error.message")?.stringValue?.hasPrefix("litellm.ContentPolicyViolationError")
                    == true
            )

            let limited = try await ask("gpt-4o", "#mock-scenario: rate-limit-429")
            #expect(limited.status == 429 && limited.json?.value(at: "error.type") == "throttling_error")
            #expect(limited.header("retry-after") == "6")

            let failed = try await ask("gpt-4o", "#mock-fault: 500")
            #expect(failed.status == 500 && failed.json?.value(at: "error.code") == "500")

            let started = ContinuousClock.now
            let timedOut = try await ask("gpt-4o-fast-timeout", "#mock-fault: hang")
            #expect(timedOut.status == 408 && timedOut.json?.value(at: "error.code") == "408")
            #expect(ContinuousClock.now - started < .seconds(2.5))

            let unreachable = try await ask("unreachable", "hi")
            #expect(unreachable.status == 500)
            let message = unreachable.json?.value(at: "error.message")?.stringValue ?? ""
            #expect(message.contains("model_group=unreachable") && message.contains("deployment_id="))
            #expect(
                !unreachable.text.contains(TestConfigs.azureKey) && !unreachable.text.contains(TestConfigs.masterKey)
            )
        }
    }
}
