import Foundation
import Testing

@testable import Proxy

/// `callbacks: ["otel"]` and `["langfuse_otel"]` read with LiteLLM's variables and rules (its
/// OpenTelemetryConfig.from_env, _normalize_otel_endpoint and langfuse_otel.py), and the callbacks it cannot serve
/// reported.
@Suite struct TracingSettingsTests {
    static let model =
        "model_list: [{model_name: m, litellm_params: {model: azure/m, api_base: 'http://a', api_key: k}}]\n"

    static func parse(_ litellm: String, _ environment: [String: String], strict: Bool = false) throws -> ProxyConfig {
        try ConfigLoader.parse(model + "litellm_settings: \(litellm)", environment: environment, strict: strict)
    }

    @Test func litellmSpellingsGiveTheTracesURLHeadersAndName() throws {
        let config = try Self.parse(
            #"{callbacks: ["prometheus", "otel"]}"#,
            [
                "OTEL_EXPORTER": "otlp_http", "OTEL_ENDPOINT": "http://collector:4318/",
                "OTEL_HEADERS": "x-token=abc%20def, api-key=k=v", "OTEL_SERVICE_NAME": "gw",
                "OTEL_BSP_MAX_QUEUE_SIZE": "100",
            ]
        )
        let tracing = try #require(config.settings.tracing)
        #expect(tracing.endpoint == "http://collector:4318/v1/traces")
        #expect(tracing.headers.map { "\($0.0)=\($0.1)" } == ["x-token=abc def", "api-key=k=v"])
        #expect(tracing.serviceName == "gw" && !tracing.json && !tracing.captureMessageContent)
        #expect(tracing.passedEnvironment == ["OTEL_BSP_MAX_QUEUE_SIZE": "100"])
        #expect(config.settings.prometheusCallback)
        #expect(config.warnings.isEmpty)
    }

    @Test func anEndpointAloneMeansOTLPOverHTTPAndPathsAreNormalised() throws {
        for (endpoint, url) in [
            ("http://c:4318", "http://c:4318/v1/traces"), ("http://c:4318/v1", "http://c:4318/v1/traces"),
            ("http://c/v1/metrics", "http://c/v1/traces"), ("http://c/v1/traces", "http://c/v1/traces"),
        ] {
            let config = try Self.parse(#"{callbacks: ["otel"]}"#, ["OTEL_EXPORTER_OTLP_ENDPOINT": endpoint])
            #expect(config.settings.tracing?.endpoint == url)
        }
        let json = try Self.parse(
            #"{callbacks: otel}"#,
            ["OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]
        )
        #expect(json.settings.tracing?.json == true)
    }

    @Test func whatCannotExportIsAFindingAndStrictRefusesIt() throws {
        let cases: [(String, [String: String], String)] = [
            (#"{callbacks: ["otel"]}"#, [:], "no console span exporter"),
            (#"{callbacks: ["otel"]}"#, ["OTEL_EXPORTER": "otlp_grpc", "OTEL_ENDPOINT": "http://c:4317"], "gRPC"),
            (#"{success_callback: ["datadog"]}"#, [:], "Datadog"),
            (#"{callbacks: ["langfuse"]}"#, [:], "langfuse_otel"),
        ]
        for (litellm, environment, said) in cases {
            let config = try Self.parse(litellm, environment)
            #expect(config.settings.tracing == nil)
            #expect(config.warnings.contains { $0.contains(said) }, "\(config.warnings)")
            #expect(throws: ConfigError.self) { try Self.parse(litellm, environment, strict: true) }
        }
    }

    @Test func aNameInTwoListsIsOneCallbackAndAFailedFirstLeavesTheNext() throws {
        let langfuse = ["LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-2"]
        let twice = try Self.parse(
            #"{success_callback: ["langfuse_otel"], failure_callback: ["langfuse_otel"]}"#,
            langfuse
        )
        #expect(twice.settings.tracing != nil)
        #expect(twice.warnings.isEmpty, "\(twice.warnings)")
        // `otel` without an endpoint exports nothing (a finding); the `langfuse_otel` after it is the callback.
        let next = try Self.parse(#"{callbacks: ["otel", "langfuse_otel"]}"#, langfuse)
        #expect(next.settings.tracing?.endpoint == "https://us.cloud.langfuse.com/api/public/otel/v1/traces")
        #expect(next.warnings.count == 1 && next.warnings[0].contains("callbacks[0]"), "\(next.warnings)")
        let both = try Self.parse(
            #"{callbacks: ["langfuse_otel", "otel"]}"#,
            langfuse.merging(["OTEL_ENDPOINT": "http://c"]) { $1 }
        )
        #expect(both.settings.tracing?.endpoint.contains("langfuse") == true)
        #expect(both.warnings.contains { $0.contains("callbacks[1]") && $0.contains("only the first (langfuse_otel)") })
    }

    @Test func langfuseGetsItsOTLPEndpointAndBasicAuthentication() throws {
        let config = try Self.parse(
            #"{callbacks: ["langfuse_otel"], turn_off_message_logging: true}"#,
            [
                "LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-2",
                "LANGFUSE_HOST": "cloud.langfuse.com",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY",
            ]
        )
        let tracing = try #require(config.settings.tracing)
        #expect(tracing.endpoint == "https://cloud.langfuse.com/api/public/otel/v1/traces")
        let basic = Data("pk-lf-1:sk-lf-2".utf8).base64EncodedString()
        #expect(
            tracing.headers.map { "\($0.0): \($0.1)" } == [
                "Authorization: Basic \(basic)", "x-langfuse-ingestion-version: 4",
            ]
        )
        #expect(!tracing.captureMessageContent)
        let capturing = try Self.parse(
            #"{callbacks: ["otel"]}"#,
            ["OTEL_ENDPOINT": "http://c", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only"]
        )
        #expect(capturing.settings.tracing?.captureMessageContent == true)
    }
}
