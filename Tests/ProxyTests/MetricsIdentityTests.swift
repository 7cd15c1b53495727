import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The key, team and user labels LiteLLM's dashboards group by, its budget gauges, and the bound on series.
@Suite struct MetricsIdentityTests {
    static func config(_ extra: String) -> @Sendable (String) -> String {
        { TestConfigs.standard(mockBase: $0) + "\nlitellm_settings:\n  callbacks: [\"prometheus\"]\n" + extra }
    }

    @Test func keysTeamsAndBudgetsAreLabelledAsLiteLLMLabelsThem() async throws {
        try await withProxy(config: Self.config("  enable_end_user_cost_tracking_prometheus_only: true\n")) { proxy in
            func post(_ path: String, _ body: String, key: String? = nil) async throws -> TestResponse {
                let auth = [
                    ("authorization", "Bearer \(key ?? TestConfigs.masterKey)"), ("user-agent", "ci-agent/1.0"),
                ]
                return try await TestHTTP.request(.POST, proxy.base + path, headers: auth, body: body)
            }
            let team = try await post("/team/new", #"{"team_alias": "ml-team", "max_budget": 10}"#)
            let teamID = try #require(team.json?["team_id"]?.stringValue, "\(team.text)")
            let made = try await post(
                "/key/generate",
                #"{"key_alias": "ci-key", "team_id": "\#(teamID)", "max_budget": 5, "budget_duration": "30d"}"#
            )
            let key = try #require(made.json?["key"]?.stringValue, "\(made.text)")
            let hash = SecretHash.sha256Hex(key)
            let chat = #"{"model": "gpt-4o", "user": "end-user-7", "messages": [{"role": "user", "content": "hi"}]}"#
            let answered = try await post("/chat/completions", chat, key: key)
            #expect(answered.status == 200, "\(answered.text)")
            let text = try await TestHTTP.request(.GET, "\(proxy.base)/metrics").text
            let samples = PrometheusSamples(text)
            let identity = [
                "hashed_api_key": hash, "api_key_alias": "ci-key", "team": teamID, "team_alias": "ml-team",
                "end_user": "end-user-7", "user_agent": "ci-agent/1.0", "requested_model": "gpt-4o",
            ]
            #expect(
                samples.named("litellm_proxy_total_requests_metric_total", identity).map(\.value) == [1],
                "\(samples.named("litellm_proxy_total_requests_metric_total"))"
            )
            #expect(samples.named("litellm_spend_metric_total", identity).count == 1)
            let keyLabels = ["hashed_api_key": hash, "api_key_alias": "ci-key"]
            let remaining = try #require(samples.named("litellm_remaining_api_key_budget_metric", keyLabels).first)
            #expect(remaining.value < 5 && remaining.value > 4.9, "5 less this request's cost")
            #expect(samples.named("litellm_api_key_max_budget_metric", keyLabels).map(\.value) == [5])
            let hours = try #require(samples.named("litellm_api_key_budget_remaining_hours_metric", keyLabels).first)
            #expect(hours.value > 24 * 29 && hours.value <= 24 * 30)
            let teamLabels = ["team": teamID, "team_alias": "ml-team"]
            let teamRemaining = try #require(samples.named("litellm_remaining_team_budget_metric", teamLabels).first)
            #expect(teamRemaining.value < 10 && teamRemaining.value > 9.9)
            #expect(samples.named("litellm_team_max_budget_metric", teamLabels).map(\.value) == [10])
            #expect(!text.contains(key), "never the key itself")
        }
    }

    /// LiteLLM's rate-limit gauges of a key and its team (the limit and this minute's use, this request counted),
    /// the deployment's configured rpm/tpm, and the proxy's overhead histogram.
    @Test func rateLimitsDeploymentLimitsAndOverheadAreExported() async throws {
        let config: @Sendable (String) -> String = { base in
            """
            model_list:
              - {model_name: gpt-4o, litellm_params: {model: azure/gpt-4o, api_base: \(base), \
            api_version: '2025-01-01-preview', api_key: \(TestConfigs.azureKey), rpm: 600, tpm: 90000}}
            general_settings: {master_key: \(TestConfigs.masterKey)}
            litellm_settings: {callbacks: ["prometheus"]}
            """
        }
        try await withProxy(config: config) { proxy in
            func post(_ path: String, _ body: String, key: String = TestConfigs.masterKey) async throws -> TestResponse
            {
                try await TestHTTP.request(
                    .POST,
                    proxy.base + path,
                    headers: [("authorization", "Bearer \(key)")],
                    body: body
                )
            }
            let team = try await post("/team/new", #"{"team_alias": "capped", "rpm_limit": 100}"#)
            let teamID = try #require(team.json?["team_id"]?.stringValue, "\(team.text)")
            let made = try await post(
                "/key/generate",
                #"{"key_alias": "limited", "team_id": "\#(teamID)", "rpm_limit": 10, "tpm_limit": 5000}"#
            )
            let key = try #require(made.json?["key"]?.stringValue, "\(made.text)")
            var tokens = 0
            for _ in 0 ..< 2 {
                let chat = #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}"#
                let answered = try await post("/chat/completions", chat, key: key)
                #expect(answered.status == 200, "\(answered.text)")
                tokens += answered.json?["usage"]?["total_tokens"]?.intValue ?? 0
            }
            let samples = PrometheusSamples(try await TestHTTP.request(.GET, "\(proxy.base)/metrics").text)
            let keyLabels = ["hashed_api_key": SecretHash.sha256Hex(key), "api_key_alias": "limited"]
            func value(_ name: String, _ labels: [String: String], _ type: String) -> [Double] {
                samples.named(name, labels.merging(["rate_limit_type": type]) { $1 }).map(\.value)
            }
            #expect(value("litellm_api_key_rate_limit_allowed_metric", keyLabels, "requests") == [10])
            #expect(value("litellm_api_key_rate_limit_used_metric", keyLabels, "requests") == [2])
            #expect(value("litellm_api_key_rate_limit_allowed_metric", keyLabels, "tokens") == [5000])
            #expect(
                tokens > 0 && value("litellm_api_key_rate_limit_used_metric", keyLabels, "tokens") == [Double(tokens)]
            )
            let teamLabels = ["team": teamID, "team_alias": "capped"]
            #expect(value("litellm_team_rate_limit_allowed_metric", teamLabels, "requests") == [100])
            #expect(value("litellm_team_rate_limit_used_metric", teamLabels, "requests") == [2])
            #expect(value("litellm_team_rate_limit_allowed_metric", teamLabels, "tokens").isEmpty, "no team tpm limit")
            let deployment = ["model_group": "gpt-4o", "litellm_model_name": "gpt-4o", "api_provider": "azure"]
            #expect(samples.named("litellm_deployment_rpm_limit", deployment).map(\.value) == [600])
            #expect(samples.named("litellm_deployment_tpm_limit", deployment).map(\.value) == [90000])
            #expect(samples.named("litellm_overhead_latency_metric_count", keyLabels).map(\.value) == [2])
        }
    }

    /// `prometheus_metrics_max_series_per_metric`: past the cap a counter counts into its `other` series and a gauge
    /// is not set; nothing is lost from the totals.
    @Test func aFloodOfClientsCannotGrowTheSeriesPastTheCap() async throws {
        try await withProxy(config: Self.config("  prometheus_metrics_max_series_per_metric: 3\n")) { proxy in
            for client in 0 ..< 6 {
                let answered = try await TestHTTP.request(
                    .POST,
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth + [("user-agent", "agent-\(client)")],
                    body: #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}"#
                )
                #expect(answered.status == 200)
            }
            let samples = PrometheusSamples(try await TestHTTP.request(.GET, "\(proxy.base)/metrics").text)
            let requests = samples.named("litellm_proxy_total_requests_metric_total")
            #expect(requests.count == 4, "3 series and `other`: \(requests.map(\.labels))")
            #expect(requests.reduce(0) { $0 + $1.value } == 6)
            let other = requests.filter { $0.labels.values.allSatisfy { $0 == "other" } }
            #expect(other.map(\.value) == [3])
            #expect(samples.named("llm_gateway_metric_series_capped_total").first?.value ?? 0 >= 3)
        }
    }

    /// A pass-through call whose upstream is unreachable is counted once, as a failure, and leaves nothing in flight.
    @Test func aFailedPassThroughIsCountedOnce() async throws {
        let config: @Sendable (String) -> String = {
            ForwardTests.config($0) + "\nlitellm_settings:\n  callbacks: [\"prometheus\"]\n"
        }
        try await withProxy(
            mock: ForwardTests.mock,
            config: config,
            mockEnvironment: { _ in
                ["AZURE_API_BASE": "http://127.0.0.1:1", "AZURE_API_KEY": "k", "AZURE_API_VERSION": "2024-10-21"]
            }
        ) { proxy in
            let listed = try await TestHTTP.request(.GET, proxy.base + "/v1/files", headers: proxy.auth)
            #expect(listed.status >= 500, "\(listed.text)")
            let text = try await TestHTTP.request(.GET, "\(proxy.base)/metrics").text
            let samples = PrometheusSamples(text)
            #expect(samples.named("litellm_proxy_total_requests_metric_total").map(\.value) == [1], "\(text)")
            #expect(samples.named("litellm_proxy_failed_requests_metric_total").map(\.value) == [1])
            #expect(samples.named("litellm_in_flight_requests").map(\.value) == [0])
        }
    }

    @Test func theCapIsRead() throws {
        let yaml = "model_list: []\nlitellm_settings:\n  prometheus_metrics_max_series_per_metric: 7\n"
        #expect(try ConfigLoader.parse(yaml).settings.metrics.maxSeriesPerMetric == 7)
        #expect(try ConfigLoader.parse("model_list: []\n").settings.metrics.maxSeriesPerMetric == 10_000)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("model_list: []\nlitellm_settings:\n  prometheus_metrics_max_series_per_metric: 0\n")
        }
    }
}
