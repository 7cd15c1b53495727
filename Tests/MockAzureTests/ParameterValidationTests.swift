import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

/// Out-of-range and malformed parameters (docs/reliability.md, "Bugs found"): MockAzure answers them as Azure does,
/// a 400 in Azure's OpenAI-style validation shape, and its quota arithmetic saturates instead of trapping.
@Suite struct ParameterValidationTests {
    static let version = "2025-01-01-preview"
    static let key = [("api-key", "test-key")]

    static func post(_ base: String, _ deployment: String, _ operation: String, _ body: String) async throws
        -> TestResponse
    {
        try await TestHTTP.request(
            .POST,
            "\(base)/openai/deployments/\(deployment)/\(operation)?api-version=\(version)",
            headers: key,
            body: body
        )
    }

    static func expectInvalid(
        _ response: TestResponse,
        param: String,
        code: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == 400, sourceLocation: sourceLocation)
        #expect(response.json?.value(at: "error.type") == "invalid_request_error", sourceLocation: sourceLocation)
        #expect(response.json?.value(at: "error.param")?.stringValue == param, sourceLocation: sourceLocation)
        #expect(
            response.json?.value(at: "error.code")?.stringValue == code,
            "\(response.json.map { $0.serialized() } ?? "")",
            sourceLocation: sourceLocation
        )
    }

    @Test func embeddingDimensionsOutsideTheModelAreA400() async throws {
        try await withMockAzure { _, base in
            // Was a trap: `0..<-1`.
            Self.expectInvalid(
                try await Self.post(base, "text-embedding-3-small", "embeddings", #"{"input":"a","dimensions":-1}"#),
                param: "dimensions",
                code: "integer_below_min_value"
            )
            Self.expectInvalid(
                try await Self.post(base, "text-embedding-3-small", "embeddings", #"{"input":"a","dimensions":0}"#),
                param: "dimensions",
                code: "integer_below_min_value"
            )
            // Was an 8 GiB allocation.
            Self.expectInvalid(
                try await Self.post(
                    base,
                    "text-embedding-3-small",
                    "embeddings",
                    #"{"input":"a","dimensions":2147483648}"#
                ),
                param: "dimensions",
                code: "integer_above_max_value"
            )
            Self.expectInvalid(
                try await Self.post(base, "text-embedding-3-small", "embeddings", #"{"input":"a","dimensions":1537}"#),
                param: "dimensions",
                code: "integer_above_max_value"
            )
            Self.expectInvalid(
                try await Self.post(base, "text-embedding-3-small", "embeddings", #"{"input":"a","dimensions":"8"}"#),
                param: "dimensions",
                code: "invalid_type"
            )
            Self.expectInvalid(
                try await Self.post(base, "text-embedding-3-small", "embeddings", #"{"input":"a","dimensions":1.5}"#),
                param: "dimensions",
                code: "invalid_type"
            )
            let widest = try await Self.post(
                base,
                "text-embedding-3-small",
                "embeddings",
                #"{"input":"a","dimensions":1536,"user":null}"#
            )
            #expect(widest.status == 200 && widest.json?.value(at: "data.0.embedding")?.arrayValue?.count == 1536)
            let message = try await Self.post(
                base,
                "text-embedding-3-small",
                "embeddings",
                #"{"input":"a","dimensions":-1}"#
            ).json?.value(at: "error.message")?.stringValue
            #expect(
                message
                    == "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got -1 instead."
            )
        }
    }

    @Test func maxTokensOutsideOneToInt32MaxAreA400() async throws {
        try await withMockAzure { _, base in
            func chat(_ field: String, _ value: String) async throws -> TestResponse {
                try await Self.post(
                    base,
                    "gpt-4o",
                    "chat/completions",
                    #"{"messages":[{"role":"user","content":"hi"}],"\#(field)":\#(value)}"#
                )
            }
            for field in ["max_tokens", "max_completion_tokens"] {
                // Was an overflow trap in the quota estimate (prompt + max_tokens).
                Self.expectInvalid(
                    try await chat(field, "9223372036854775807"),
                    param: field,
                    code: "integer_above_max_value"
                )
                Self.expectInvalid(
                    try await chat(field, "18446744073709551616"),
                    param: field,
                    code: "integer_above_max_value"
                )
                Self.expectInvalid(try await chat(field, "1e30"), param: field, code: "integer_above_max_value")
                Self.expectInvalid(
                    try await chat(field, "-9223372036854775808"),
                    param: field,
                    code: "integer_below_min_value"
                )
                Self.expectInvalid(try await chat(field, "0"), param: field, code: "integer_below_min_value")
                Self.expectInvalid(try await chat(field, "true"), param: field, code: "invalid_type")
                #expect(try await chat(field, "null").status == 200)
                #expect(try await chat(field, "16").status == 200)
            }
            let completion = try await Self.post(
                base,
                "gpt-35-turbo-instruct",
                "completions",
                #"{"prompt":"Once upon a time","max_tokens":9223372036854775807}"#
            )
            Self.expectInvalid(completion, param: "max_tokens", code: "integer_above_max_value")
            // The largest valid value is refused by the quota (tpm), not a crash.
            let largest = try await chat("max_tokens", "2147483647")
            #expect(largest.status == 429 || largest.status == 200)
        }
    }

    @Test func quotaSumsSaturateInsteadOfTrapping() {
        var limiter = RateLimiter(windowSeconds: 60)
        // Requests limited by rpm only: their token costs were still summed, and 2⁶² twice overflowed.
        for second in 0 ..< 4 {
            #expect(
                limiter.admit(deployment: "rpm-only", rpm: 100, tpm: nil, cost: 1 << 62, now: Double(second))
                    == .allowed(remainingRequests: 99 - second, remainingTokens: nil)
            )
        }
        #expect(
            limiter.admit(deployment: "rpm-only", rpm: 100, tpm: nil, cost: .max, now: 5)
                == .allowed(remainingRequests: 95, remainingTokens: nil)
        )
        // With a tpm limit: a cost near Int.max is refused, and the check itself does not overflow.
        #expect(
            limiter.admit(deployment: "tpm", rpm: nil, tpm: 1000, cost: 10, now: 0)
                == .allowed(remainingRequests: nil, remainingTokens: 990)
        )
        #expect(
            limiter.admit(deployment: "tpm", rpm: nil, tpm: 1000, cost: .max, now: 1)
                == .limited(retryAfter: 60, tokens: true)
        )
        #expect(
            limiter.admit(deployment: "huge", rpm: nil, tpm: 1 << 62, cost: (1 << 62) - 1, now: 0)
                == .allowed(remainingRequests: nil, remainingTokens: 1)
        )
        #expect(
            limiter.admit(deployment: "huge", rpm: nil, tpm: 1 << 62, cost: .max, now: 1)
                == .limited(retryAfter: 60, tokens: true)
        )
        // A negative cost (a negative max_tokens) counts as none.
        #expect(
            limiter.admit(deployment: "negative", rpm: nil, tpm: 10, cost: -1 << 62, now: 0)
                == .allowed(remainingRequests: nil, remainingTokens: 10)
        )
    }
}
