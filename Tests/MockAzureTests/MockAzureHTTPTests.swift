import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

/// MockAzure over real HTTP on a free port.
@Suite struct MockAzureHTTPTests {
    static let version = "2025-01-01-preview"
    static func chatURL(_ base: String, _ deployment: String = "o4-mini", version: String? = MockAzureHTTPTests.version)
        -> String
    {
        "\(base)/openai/deployments/\(deployment)/chat/completions" + (version.map { "?api-version=\($0)" } ?? "")
    }
    static let seedBody = #"{"model":"o4-mini","messages":[{"role":"user","content":"what llm are you"}]}"#
    static let key = [("api-key", "test-key")]

    @Test func seedAnswerIsAzuresBodyWithItsHeaders() async throws {
        try await withMockAzure { _, base in
            let response = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: Self.key + [("x-ms-client-request-id", "client-1")],
                body: Self.seedBody
            )
            #expect(response.status == 200)
            let reference = try String(
                contentsOf: TestPaths.root.appendingPathComponent(
                    "fixtures/reference/seed-azure-upstream-response.json"
                ),
                encoding: .utf8
            )
            let expected = try JSON.parse(reference)
            #expect(response.json == expected)
            #expect(response.json?.objectValue?.keys == expected.objectValue?.keys, "keys in Azure's order")
            #expect(response.header("content-type") == "application/json")
            #expect(response.header("x-ms-client-request-id") == "client-1")
            for name in [
                "apim-request-id", "x-request-id", "x-ms-region", "x-ratelimit-remaining-requests",
                "x-ratelimit-remaining-tokens",
            ] {
                #expect(response.header(name) != nil, "missing \(name)")
            }
        }
    }

    @Test func azureChecksInOrder() async throws {
        try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, apiKey: "right-key", speed: 0)
        ) { _, base in
            let noVersion = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, version: nil),
                headers: [("api-key", "right-key")],
                body: Self.seedBody
            )
            #expect(noVersion.status == 404 && noVersion.json == AzureError.resourceNotFound.body)
            let badVersion = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, version: "2019-01-01"),
                headers: [("api-key", "right-key")],
                body: Self.seedBody
            )
            #expect(badVersion.status == 404 && badVersion.json == AzureError.resourceNotFound.body)
            let noKey = try await TestHTTP.request(.POST, Self.chatURL(base), body: Self.seedBody)
            #expect(noKey.status == 401 && noKey.json == AzureError.invalidKey.body)
            let wrongKey = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: [("api-key", "wrong")],
                body: Self.seedBody
            )
            #expect(wrongKey.status == 401 && wrongKey.json == AzureError.invalidKey.body)
            let wrongBearer = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: [("authorization", "Bearer wrong")],
                body: Self.seedBody
            )
            #expect(wrongBearer.status == 401 && wrongBearer.json == AzureError.entraDenied.body)
            let bearer = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: [("authorization", "Bearer right-key")],
                body: Self.seedBody
            )
            #expect(bearer.status == 200)
            let unknown = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, "no-such-deployment"),
                headers: [("api-key", "right-key")],
                body: Self.seedBody
            )
            #expect(unknown.status == 404 && unknown.json == AzureError.deploymentNotFound.body)
            let malformed = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: [("api-key", "right-key")],
                body: "{\"messages\": ["
            )
            #expect(malformed.status == 400 && malformed.json?.value(at: "error.type") == "invalid_request_error")
            let noMessages = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: [("api-key", "right-key")],
                body: "{}"
            )
            #expect(noMessages.status == 400 && noMessages.json?.value(at: "error.param") == "messages")
            let wrongOperation = try await TestHTTP.request(
                .POST,
                "\(base)/openai/deployments/o4-mini/embeddings?api-version=\(Self.version)",
                headers: [("api-key", "right-key")],
                body: #"{"input":"x"}"#
            )
            #expect(
                wrongOperation.status == 400 && wrongOperation.json?.value(at: "error.code") == "OperationNotSupported"
            )
            let unknownPath = try await TestHTTP.request(
                .GET,
                "\(base)/openai/models",
                headers: [("api-key", "right-key")]
            )
            #expect(unknownPath.status == 404 && unknownPath.json == AzureError.resourceNotFound.body)
        }
    }

    @Test func v1SurfaceTakesTheDeploymentFromTheBody() async throws {
        try await withMockAzure { _, base in
            let ok = try await TestHTTP.request(
                .POST,
                "\(base)/openai/v1/chat/completions",
                headers: Self.key,
                body: Self.seedBody
            )
            #expect(ok.status == 200 && ok.json?["id"] == "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B")
            let preview = try await TestHTTP.request(
                .POST,
                "\(base)/openai/v1/chat/completions?api-version=preview",
                headers: Self.key,
                body: Self.seedBody
            )
            #expect(preview.status == 200)
            let bad = try await TestHTTP.request(
                .POST,
                "\(base)/openai/v1/chat/completions?api-version=2025-01-01-preview",
                headers: Self.key,
                body: Self.seedBody
            )
            #expect(bad.status == 400 && bad.json == AzureError.apiVersionNotSupported.body)
        }
    }

    @Test func oversizeBodyGets413() async throws {
        var configuration = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0)
        configuration.maximumBodySize = 1024
        try await withMockAzure(configuration) { _, base in
            let big = #"{"messages":[{"role":"user","content":""# + String(repeating: "x", count: 4096) + #""}]}"#
            let response = try await TestHTTP.request(.POST, Self.chatURL(base), headers: Self.key, body: big)
            #expect(response.status == 413 && response.json == AzureError.bodyTooLarge.body)
        }
    }

    @Test func generatedAnswersAreDeterministicAndAddUp() async throws {
        let body = #"{"messages":[{"role":"user","content":"something no scenario covers"}]}"#
        let first = try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, seed: 7)
        ) { _, base in
            try await TestHTTP.request(.POST, Self.chatURL(base, "o4-mini"), headers: Self.key, body: body)
        }
        let again = try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, seed: 7)
        ) { _, base in
            try await TestHTTP.request(.POST, Self.chatURL(base, "o4-mini"), headers: Self.key, body: body)
        }
        let other = try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, seed: 8)
        ) { _, base in
            try await TestHTTP.request(.POST, Self.chatURL(base, "o4-mini"), headers: Self.key, body: body)
        }
        let json = try #require(first.json)
        #expect(json == again.json)
        #expect(json["id"] != other.json?["id"])
        #expect(json["model"] == "o4-mini-2025-04-16")
        let usage = try #require(json["usage"])
        #expect(
            usage["total_tokens"]?.intValue == (usage["prompt_tokens"]?.intValue ?? 0)
                + (usage["completion_tokens"]?.intValue ?? 0)
        )
        #expect((usage.value(at: "completion_tokens_details.reasoning_tokens")?.intValue ?? 0) > 0)
        #expect(json.value(at: "choices.0.content_filter_results.hate.severity") == "safe")
        #expect(json.value(at: "prompt_filter_results.0.content_filter_results.jailbreak.detected") == false)
    }

    @Test func embeddingsHonourDimensionsAndBase64() async throws {
        try await withMockAzure { _, base in
            let url = "\(base)/openai/deployments/text-embedding-3-small/embeddings?api-version=\(Self.version)"
            let floats = try await TestHTTP.request(
                .POST,
                url,
                headers: Self.key,
                body: #"{"input":["a","b"],"dimensions":256}"#
            )
            #expect(floats.status == 200)
            #expect(floats.json?.value(at: "data.1.index")?.intValue == 1)
            #expect(floats.json?.value(at: "data.0.embedding")?.arrayValue?.count == 256)
            let encoded = try await TestHTTP.request(
                .POST,
                url,
                headers: Self.key,
                body: #"{"input":"a","encoding_format":"base64"}"#
            )
            let text = try #require(encoded.json?.value(at: "data.0.embedding")?.stringValue)
            #expect(Data(base64Encoded: text)?.count == 1536 * 4)
        }
    }

    @Test func legacyCompletions() async throws {
        try await withMockAzure { _, base in
            let url = "\(base)/openai/deployments/gpt-35-turbo-instruct/completions?api-version=\(Self.version)"
            let response = try await TestHTTP.request(
                .POST,
                url,
                headers: Self.key,
                body: #"{"prompt":"Once upon a time","max_tokens":20}"#
            )
            #expect(response.status == 200)
            #expect(response.json?["object"] == "text_completion")
            #expect(response.json?.value(at: "choices.0.text")?.stringValue?.isEmpty == false)
        }
    }

    @Test func namedErrorScenarios() async throws {
        try await withMockAzure { _, base in
            let filtered = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, "gpt-4o"),
                headers: Self.key + [("x-mock-scenario", "prompt-filtered-jailbreak")],
                body: Self.seedBody
            )
            #expect(filtered.status == 400)
            #expect(filtered.json?.value(at: "error.code") == "content_filter")
            #expect(filtered.json?.value(at: "error.innererror.content_filter_result.jailbreak.detected") == true)
            let limited = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, "gpt-4o"),
                headers: Self.key + [("x-mock-scenario", "rate-limit-429")],
                body: Self.seedBody
            )
            #expect(
                limited.status == 429 && limited.header("retry-after") == "6"
                    && limited.header("retry-after-ms") == "6000"
            )
            let unknown = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, "gpt-4o"),
                headers: Self.key + [("x-mock-scenario", "nope")],
                body: Self.seedBody
            )
            #expect(unknown.status == 400 && unknown.text.contains("no scenario named 'nope'"))
        }
    }

    @Test func rateLimitPerDeployment() async throws {
        try await withMockAzure { _, base in
            var statuses: [Int] = []
            var last: TestResponse?
            for _ in 0 ..< 4 {
                let response = try await TestHTTP.request(
                    .POST,
                    Self.chatURL(base, "gpt-4o-limited"),
                    headers: Self.key,
                    body: #"{"messages":[{"role":"user","content":"hi"}]}"#
                )
                statuses.append(response.status)
                last = response
            }
            #expect(statuses == [200, 200, 200, 429])
            let retryAfter = try #require(last?.header("retry-after").flatMap(Int.init))
            #expect((1 ... 60).contains(retryAfter))
            #expect(last?.header("retry-after-ms") != nil)
            #expect(last?.json?.value(at: "error.code") == "429")
            #expect(
                last?.json?.value(at: "error.message")?.stringValue?.contains(
                    "Please retry after \(retryAfter) seconds"
                ) == true
            )
            let tokens = try await TestHTTP.request(
                .POST,
                Self.chatURL(base, "gpt-4o"),
                headers: Self.key,
                body: #"{"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(tokens.status == 200)
        }
    }

    @Test func journalRecordsWithSecretsHashed() async throws {
        try await withMockAzure { engine, base in
            _ = try await TestHTTP.request(.DELETE, "\(base)/__mock/journal")
            _ = try await TestHTTP.request(
                .POST,
                Self.chatURL(base),
                headers: [("api-key", "journal-secret-key")],
                body: Self.seedBody
            )
            let journal = try await TestHTTP.request(.GET, "\(base)/__mock/journal")
            #expect(!journal.text.contains("journal-secret-key"))
            let entry = try #require(journal.json?.value(at: "entries.0"))
            #expect(entry["path"] == "/openai/deployments/o4-mini/chat/completions")
            #expect(entry["query"] == "api-version=2025-01-01-preview")
            #expect(entry["body"] == (try JSON.parse(Self.seedBody)))
            let headers = entry["headers"]?.arrayValue ?? []
            #expect(headers.contains(["api-key", .string("sha256:" + SecretHash.sha256Hex("journal-secret-key"))]))
            let cleared = try await TestHTTP.request(.DELETE, "\(base)/__mock/journal")
            #expect(cleared.status == 204 && engine.journal.entries.isEmpty)
            let scenarios = try await TestHTTP.request(.GET, "\(base)/__mock/scenarios")
            #expect((scenarios.json?["scenarios"]?.arrayValue?.count ?? 0) >= 20)
        }
    }
}
