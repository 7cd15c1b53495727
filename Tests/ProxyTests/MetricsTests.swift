import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// `GET /metrics` with `litellm_settings.callbacks: ["prometheus"]`: LiteLLM's metric names, bounded labels, no
/// secrets.
@Suite struct MetricsTests {
    static func withPrometheus(_ body: @escaping @Sendable (ProxyTestContext) async throws -> Void) async throws {
        try await withProxy(
            config: { TestConfigs.standard(mockBase: $0) + "\nlitellm_settings:\n  callbacks: [\"prometheus\"]\n" },
            body
        )
    }

    /// LiteLLM 1.110.2's `litellm_proxy_total_requests_metric` labels (types/integrations/prometheus.py).
    static let liteLLMRequestLabels: Set<String> = [
        "end_user", "hashed_api_key", "api_key_alias", "requested_model", "team", "team_alias", "user", "status_code",
        "user_email", "route", "client_ip", "user_agent", "model_id", "api_provider", "org_id", "org_alias",
    ]

    @Test func requestsTokensSpendAndLatencyAreExported() async throws {
        try await Self.withPrometheus { proxy in
            let seed = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: ProxyHTTPTests.seedBody
            )
            #expect(seed.status == 200)
            let unknown = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: #"{"model":"nope","messages":[]}"#
            )
            #expect(unknown.status == 400)
            let refused = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: [("authorization", "Bearer sk-wrong-key-9999")],
                body: ProxyHTTPTests.seedBody
            )
            #expect(refused.status == 401)
            let metrics = try await TestHTTP.request(.GET, "\(proxy.base)/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            let samples = PrometheusSamples(text)
            let master = [
                "hashed_api_key": "litellm_proxy_master_key", "user": "default_user_id", "api_key_alias": "None",
                "team": "None", "end_user": "None",
            ]
            let success = samples.named(
                "litellm_proxy_total_requests_metric_total",
                master.merging(["requested_model": "o4-mini", "route": "/chat/completions", "status_code": "200"]) {
                    $1
                }
            )
            #expect(success.map(\.value) == [1], "\(success)")
            #expect(
                Set(success.first?.labels.keys.map { $0 } ?? []) == Self.liteLLMRequestLabels,
                "LiteLLM's label set"
            )
            let unknownModel = samples.named(
                "litellm_proxy_failed_requests_metric_total",
                ["exception_status": "400", "exception_class": "ProxyException", "requested_model": "other"]
            )
            #expect(
                unknownModel.map(\.value) == [1],
                "\(samples.named("litellm_proxy_failed_requests_metric_total"))"
            )
            let unauthorised = samples.named(
                "litellm_proxy_failed_requests_metric_total",
                ["exception_status": "401", "hashed_api_key": "None"]
            )
            #expect(unauthorised.map(\.value) == [1])
            let byModel = master.merging(["model": "o4-mini", "api_provider": "azure"]) { $1 }
            #expect(samples.named("litellm_input_tokens_metric_total", byModel).map(\.value) == [11])
            #expect(samples.named("litellm_output_tokens_metric_total", byModel).map(\.value) == [172])
            #expect(samples.named("litellm_output_reasoning_tokens_metric_total", byModel).map(\.value) == [128])
            let spend = samples.named("litellm_spend_metric_total", byModel).map(\.value)
            #expect(spend.count == 1 && abs(spend[0] - 0.0007689) < 1e-12, "\(spend)")
            #expect(samples.named("litellm_requests_metric_total", byModel).map(\.value) == [1])
            #expect(
                samples.named("litellm_request_total_latency_metric_count", ["model_group": "o4-mini"]).map(\.value)
                    == [1]
            )
            #expect(
                samples.named(
                    "litellm_deployment_success_responses_total",
                    ["model_group": "o4-mini", "litellm_model_name": "o4-mini", "requested_model": "o4-mini"]
                ).map(\.value) == [1]
            )
            #expect(samples.named("litellm_deployment_state", ["litellm_model_name": "o4-mini"]).map(\.value) == [0])
            let remaining = samples.named("litellm_remaining_requests_metric", ["model_group": "o4-mini"])
            #expect(remaining.count == 1 && remaining[0].value > 0, "Azure's x-ratelimit-remaining-requests")
            #expect(samples.named("litellm_remaining_tokens", ["model_group": "o4-mini"]).count == 1)
            #expect(text.contains("llm_gateway_in_flight_requests 0"))
            #expect(text.contains("litellm_in_flight_requests 0"))
            #expect(text.contains("llm_gateway_spend_log_queue_depth"))
            #expect(text.contains(#"llm_gateway_spend_log_rows_total{outcome="dropped"} 0"#))
            for secret in [TestConfigs.masterKey, TestConfigs.azureKey, "sk-wrong-key-9999"] {
                #expect(!text.contains(secret))
            }
        }
    }

    @Test func streamsCountTimeToFirstTokenAndInFlight() async throws {
        try await Self.withPrometheus { proxy in
            let body = #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            let stream = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: body
            )
            #expect(stream.status == 200)
            let text = try await TestHTTP.request(.GET, "\(proxy.base)/metrics").text
            let firstToken = PrometheusSamples(text).named(
                "litellm_llm_api_time_to_first_token_metric_count",
                ["model_group": "gpt-4o"]
            )
            #expect(firstToken.map(\.value) == [1])
            #expect(text.contains("llm_gateway_in_flight_streams 0"))
        }
    }
}
