import Foundation
import InMemoryTracing
import MockAzure
import NIOConcurrencyHelpers
import TestSupport
import Testing
import Tracing
import Wire

@testable import Proxy

/// The request path's spans, in memory (Tests/sdk/test_otel_traces.py sends the same through the OTLP exporter to a
/// real receiver): the tree of a retried call and of a stream, a refusal's server span, the trace carried upstream,
/// no secret in any attribute.
@Suite struct RequestTraceTests {
    static func withTraced(_ body: @Sendable (Gateway, MockAzureEngine, InMemoryTracer) async throws -> Void)
        async throws
    {
        let tracer = InMemoryTracer()
        try await MockGateway.with(
            label: "trace",
            config: { base in
                """
                model_list:
                  - {model_name: o4-mini, litellm_params: {model: azure/o4-mini, api_base: \(base), \
                api_version: '2025-01-01-preview', api_key: \(TestConfigs.azureKey)}}
                general_settings: {master_key: sk-trace-master}
                """
            },
            tracer: tracer
        ) { built in try await body(built.gateway, built.mock, tracer) }
    }

    static let master = [("authorization", "Bearer sk-trace-master")]

    static func named(_ spans: [FinishedInMemorySpan], _ name: String) -> [FinishedInMemorySpan] {
        spans.filter { $0.operationName == name }.sorted {
            $0.startInstant.nanosecondsSinceEpoch < $1.startInstant.nanosecondsSinceEpoch
        }
    }

    @Test func aRetriedCallIsATreeWithAnAttemptPerTry() async throws {
        try await Self.withTraced { gateway, mock, tracer in
            let outcome = await gateway.handle(
                RouterIntegrationTests.chatCall(
                    "o4-mini",
                    "what llm are you\n#mock-fault: 500 then 200",
                    extra: #","num_retries":1"#,
                    headers: Self.master
                )
            )
            guard case .complete(200, _, _) = outcome else { Issue.record("\(outcome)"); return }
            let spans = tracer.finishedSpans
            let root = try #require(Self.named(spans, "Received Proxy Server Request").first)
            #expect(root.kind == .server && root.parentSpanID == nil)
            for name in ["auth", "router", "spend_write"] {
                #expect(Self.named(spans, name).map(\.parentSpanID) == [root.spanID], "\(name)")
            }
            let router = try #require(Self.named(spans, "router").first)
            let attempts = Self.named(spans, "litellm_request")
            #expect(attempts.count == 2)
            #expect(attempts.allSatisfy { $0.kind == .client && $0.parentSpanID == router.spanID })
            #expect(attempts.first?.status?.code == .error)
            #expect(attempts.first?.attributes.get("http.response.status_code") == .int64(500))
            #expect(attempts.map { $0.attributes.get("litellm.retries") } == [.int64(0), .int64(1)])
            let answered = try #require(attempts.last)
            #expect(answered.attributes.get("gen_ai.system") == .string("azure"))
            #expect(answered.attributes.get("gen_ai.response.finish_reasons") == .stringArray(["stop"]))
            guard case .int64(let tokens)? = answered.attributes.get("gen_ai.usage.input_tokens") else {
                Issue.record("no input tokens on the attempt")
                return
            }
            #expect(tokens > 0)
            #expect(root.attributes.get("gen_ai.usage.input_tokens") == .int64(tokens))
            #expect(root.attributes.get("http.response.status_code") == .int64(200))
            // Each attempt's context went upstream: the mock saw the answered attempt's span id.
            let sent = mock.journal.entries.compactMap { entry in
                entry.headers.first { $0.0.lowercased() == InMemoryTracer.spanIDKey }?.1
            }
            #expect(sent == attempts.map(\.spanID))
            Self.expectNoSecret(spans)
        }
    }

    @Test func aStreamEndsItsSpansWithItsLastEventAndARefusalHasOnlyItsServerSpan() async throws {
        try await Self.withTraced { gateway, _, tracer in
            let stream = #","stream":true"#
            let outcome = await gateway.handle(
                RouterIntegrationTests.chatCall("o4-mini", "what llm are you", extra: stream, headers: Self.master)
            )
            #expect(Self.named(tracer.finishedSpans, "Received Proxy Server Request").isEmpty)
            let events = try await GuardrailTests.streamed(outcome)
            #expect(events.last?.data == "[DONE]")
            let spans = tracer.finishedSpans
            let attempt = try #require(Self.named(spans, "litellm_request").first)
            let relay = try #require(Self.named(spans, "stream_relay").first)
            #expect(relay.parentSpanID == attempt.spanID)
            #expect(relay.attributes.get("litellm.stream.outcome") == .string("completed"))
            #expect(attempt.attributes.get("llm.is_streaming") == .bool(true))
            #expect(Self.named(spans, "Received Proxy Server Request").count == 1)

            tracer.clearFinishedSpans()
            let refused = await gateway.handle(
                RouterIntegrationTests.chatCall("o4-mini", "hi", headers: [("authorization", "Bearer sk-wrong-key-1")])
            )
            guard case .complete(401, _, _) = refused else { Issue.record("\(refused)"); return }
            let after = tracer.finishedSpans
            #expect(after.map(\.operationName).sorted() == ["Received Proxy Server Request", "auth"])
            #expect(Self.named(after, "auth").first?.status?.code == .error)
            #expect(
                Self.named(after, "Received Proxy Server Request").first?.attributes.get("http.response.status_code")
                    == .int64(401)
            )
            Self.expectNoSecret(spans + after, also: ["sk-wrong-key-1"])
        }
    }

    static func expectNoSecret(_ spans: [FinishedInMemorySpan], also: [String] = []) {
        for span in spans {
            var values: [String] = []
            span.attributes.forEach { key, value in values.append("\(key)=\(value)") }
            let text = values.joined(separator: " ") + (span.status?.message ?? "")
            for secret in ["sk-trace-master", TestConfigs.azureKey, "what llm are you"] + also {
                #expect(!text.contains(secret), "\(span.operationName): \(secret)")
            }
        }
    }
}
