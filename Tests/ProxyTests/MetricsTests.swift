import Foundation
import Proxy
import TestSupport
import Testing
import Wire

/// `GET /metrics` with `litellm_settings.callbacks: ["prometheus"]`: LiteLLM's metric names, bounded labels, no
/// secrets.
@Suite struct MetricsTests {
    static func withPrometheus(_ body: @escaping @Sendable (ProxyTestContext) async throws -> Void) async throws {
        try await withProxy(
            config: { TestConfigs.standard(mockBase: $0) + "\nlitellm_settings:\n  callbacks: [\"prometheus\"]\n" },
            body
        )
    }

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
            #expect(
                text.contains(
                    #"""
                    litellm_proxy_total_requests_metric_total{requested_model="o4-mini",model_group="o4-mini",\#
                    route="/chat/completions",status_code="200"} 1
                    """#
                )
            )
            #expect(
                text.contains(
                    #"""
                    litellm_proxy_failed_requests_metric_total{requested_model="",model_group="",\#
                    route="/chat/completions",exception_status="400"
                    """#
                )
            )
            #expect(text.contains(#"exception_status="401""#))
            #expect(
                text.contains(#"litellm_input_tokens_metric_total{model_group="o4-mini",model="azure/o4-mini"} 11"#)
            )
            #expect(
                text.contains(#"litellm_output_tokens_metric_total{model_group="o4-mini",model="azure/o4-mini"} 172"#)
            )
            #expect(
                text.contains(
                    #"litellm_output_reasoning_tokens_metric_total{model_group="o4-mini",model="azure/o4-mini"} 128"#
                )
            )
            #expect(
                text.contains(#"litellm_spend_metric_total{model_group="o4-mini",model="azure/o4-mini"} 0.0007689"#)
            )
            #expect(text.contains("litellm_request_total_latency_metric_bucket{model_group=\"o4-mini\""))
            #expect(text.contains("litellm_deployment_success_responses_total{model_group=\"o4-mini\""))
            #expect(text.contains("llm_gateway_in_flight_requests 0"))
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
            #expect(text.contains("litellm_llm_api_time_to_first_token_metric_count{model_group=\"gpt-4o\""))
            #expect(text.contains("llm_gateway_in_flight_streams 0"))
        }
    }
}
