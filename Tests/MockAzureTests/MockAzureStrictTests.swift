import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

/// MockAzure refuses what Azure refuses, by default: arguments the api-version does not know, o-series sampling
/// parameters and `max_tokens`, with Azure's bodies; a lenient mock (or scenario) accepts them.
@Suite struct MockAzureStrictTests {
    typealias H = MockAzureHTTPTests

    static func chat(_ base: String, _ deployment: String, _ extra: String, version: String = H.version) async throws
        -> TestResponse
    {
        try await TestHTTP.request(
            .POST,
            H.chatURL(base, deployment, version: version),
            headers: H.key,
            body: #"{"messages":[{"role":"user","content":"hi"}]"# + extra + "}"
        )
    }

    @Test func unknownArgumentsGetAzuresUnrecognizedError() async throws {
        try await withMockAzure { _, base in
            let tags = try await Self.chat(base, "gpt-4o", #","tags":["a"]"#)
            #expect(tags.status == 400)
            #expect(
                tags.json == [
                    "error": [
                        "message": "Unrecognized request argument supplied: tags", "type": "invalid_request_error",
                        "param": nil, "code": nil,
                    ]
                ]
            )
            let known = try await Self.chat(base, "gpt-4o", #","temperature":0.2,"seed":1,"user":"u""#)
            #expect(known.status == 200, "\(known.text)")
        }
    }

    @Test func argumentsNewerThanTheAPIVersionAreUnrecognized() async throws {
        try await withMockAzure { _, base in
            let old = try await Self.chat(base, "o4-mini", #","reasoning_effort":"low""#, version: "2024-10-21")
            #expect(old.json?.value(at: "error.message") == "Unrecognized request argument supplied: reasoning_effort")
            let new = try await Self.chat(base, "o4-mini", #","reasoning_effort":"low""#, version: "2025-01-01-preview")
            #expect(new.status == 200, "\(new.text)")
        }
    }

    @Test func oSeriesTakeOnlyDefaultSamplingAndMaxCompletionTokens() async throws {
        try await withMockAzure { _, base in
            let one = try await Self.chat(base, "o4-mini", #","temperature":1,"max_completion_tokens":50"#)
            #expect(one.status == 200, "temperature 1 is the default: LlamaIndex sends it")
            let zero = try await Self.chat(base, "o4-mini", #","temperature":0"#)
            #expect(zero.status == 400 && zero.json?.value(at: "error.code") == "unsupported_value")
            let message =
                "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is "
                + "supported."
            #expect(zero.json?.value(at: "error.message")?.stringValue == message)
            let maxTokens = try await Self.chat(base, "o4-mini", #","max_tokens":50"#)
            #expect(maxTokens.json == AzureError.unsupportedParameter("max_tokens").body)
            let topP = try await Self.chat(base, "o4-mini", #","top_p":0.5"#)
            #expect(topP.json?.value(at: "error.param") == "top_p")
            let gpt = try await Self.chat(base, "gpt-4o", #","temperature":0,"max_tokens":5,"top_p":0.5"#)
            #expect(gpt.status == 200, "only reasoning models refuse them")
        }
    }

    @Test func lenientMockAcceptsAnything() async throws {
        let lenient = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, strict: false)
        try await withMockAzure(lenient) { _, base in
            let response = try await Self.chat(base, "o4-mini", #","tags":["a"],"temperature":0,"max_tokens":5"#)
            #expect(response.status == 200, "\(response.text)")
        }
    }
}
