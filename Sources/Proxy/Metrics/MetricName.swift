import Prometheus

/// Every metric the proxy exports, each name declared once: LiteLLM's names where its `prometheus` callback has one
/// (its dashboards read them; they carry their unit already), `llm_gateway_*` for the gateway's own.
enum MetricName {
    static var requests: MetricNameDescriptor {
        named("litellm_proxy_total_requests_metric_total", "Total number of requests made to the proxy")
    }
    static var failedRequests: MetricNameDescriptor {
        named(
            "litellm_proxy_failed_requests_metric_total",
            "Total number of failed responses from proxy - the client did not get a success response"
        )
    }
    static var llmRequests: MetricNameDescriptor {
        named("litellm_requests_metric_total", "deprecated - use litellm_proxy_total_requests")
    }
    static var llmFailedRequests: MetricNameDescriptor {
        named(
            "litellm_llm_api_failed_requests_metric_total",
            "deprecated - use litellm_proxy_failed_requests_metric"
        )
    }
    static var requestLatency: MetricNameDescriptor {
        named("litellm_request_total_latency_metric", "Whole request latency (s)")
    }
    static var upstreamLatency: MetricNameDescriptor {
        named("litellm_llm_api_latency_metric", "Upstream call latency (s)")
    }
    static var timeToFirstToken: MetricNameDescriptor {
        named("litellm_llm_api_time_to_first_token_metric", "Time to first token (s)")
    }
    static var inputTokens: MetricNameDescriptor { named("litellm_input_tokens_metric_total", "Input tokens") }
    static var outputTokens: MetricNameDescriptor { named("litellm_output_tokens_metric_total", "Output tokens") }
    static var totalTokens: MetricNameDescriptor { named("litellm_total_tokens_metric_total", "Input + output tokens") }
    static var reasoningTokens: MetricNameDescriptor {
        named("litellm_output_reasoning_tokens_metric_total", "Reasoning tokens")
    }
    static var cachedInputTokens: MetricNameDescriptor {
        named("litellm_input_cached_tokens_metric_total", "Provider-side cached input tokens")
    }
    static var spend: MetricNameDescriptor { named("litellm_spend_metric_total", "Total spend on LLM requests (USD)") }
    static var cacheHits: MetricNameDescriptor {
        named("litellm_cache_hits_metric_total", "Requests answered from the response cache")
    }
    static var cacheMisses: MetricNameDescriptor {
        named("litellm_cache_misses_metric_total", "Cacheable requests the cache did not answer")
    }
    static var cachedTokens: MetricNameDescriptor {
        named("litellm_cached_tokens_metric_total", "Total tokens served from the response cache")
    }
    static var cacheFailures: MetricNameDescriptor {
        named(
            "llm_gateway_cache_failures_total",
            "Response cache lookups and writes that failed or timed out"
        )
    }
    static var deploymentAttempts: MetricNameDescriptor {
        named("litellm_deployment_total_requests_total", "Upstream attempts per deployment")
    }
    static var deploymentSuccesses: MetricNameDescriptor {
        named("litellm_deployment_success_responses_total", "Successful upstream attempts")
    }
    static var deploymentFailures: MetricNameDescriptor {
        named("litellm_deployment_failure_responses_total", "Failed upstream attempts")
    }
    static var deploymentCooldowns: MetricNameDescriptor {
        named("litellm_deployment_cooled_down_total", "Deployment cooldowns")
    }
    static var deploymentState: MetricNameDescriptor {
        named(
            "litellm_deployment_state",
            "The state of the deployment: 0 = healthy, 1 = partial outage, 2 = complete outage"
        )
    }
    static var remainingRequests: MetricNameDescriptor {
        named("litellm_remaining_requests_metric", "Remaining requests (from Azure)")
    }
    static var remainingTokens: MetricNameDescriptor {
        named("litellm_remaining_tokens_metric", "Remaining tokens (from Azure)")
    }
    /// The names LiteLLM's "Prod v2" Grafana dashboard reads (older LiteLLM releases exported these).
    static var remainingRequestsV2: MetricNameDescriptor {
        named("litellm_remaining_requests", "Remaining requests (from Azure)")
    }
    static var remainingTokensV2: MetricNameDescriptor {
        named("litellm_remaining_tokens", "Remaining tokens (from Azure)")
    }
    static var keyRemainingBudget: MetricNameDescriptor {
        named("litellm_remaining_api_key_budget_metric", "Remaining budget for api key")
    }
    static var keyMaxBudget: MetricNameDescriptor {
        named("litellm_api_key_max_budget_metric", "Maximum budget set for api key")
    }
    static var keyBudgetHours: MetricNameDescriptor {
        named(
            "litellm_api_key_budget_remaining_hours_metric",
            "Remaining hours for api key budget to be reset"
        )
    }
    static var teamRemainingBudget: MetricNameDescriptor {
        named("litellm_remaining_team_budget_metric", "Remaining budget for team")
    }
    static var teamMaxBudget: MetricNameDescriptor {
        named("litellm_team_max_budget_metric", "Maximum budget set for team")
    }
    static var teamBudgetHours: MetricNameDescriptor {
        named(
            "litellm_team_budget_remaining_hours_metric",
            "Remaining hours for team budget to be reset"
        )
    }
    static var userRemainingBudget: MetricNameDescriptor {
        named("litellm_remaining_user_budget_metric", "Remaining budget for user")
    }
    static var userMaxBudget: MetricNameDescriptor {
        named("litellm_user_max_budget_metric", "Maximum budget set for user")
    }
    static var userBudgetHours: MetricNameDescriptor {
        named(
            "litellm_user_budget_remaining_hours_metric",
            "Remaining hours for user budget to be reset"
        )
    }
    static var litellmInFlight: MetricNameDescriptor { named("litellm_in_flight_requests", "Requests being answered") }
    static var inFlightRequests: MetricNameDescriptor {
        named("llm_gateway_in_flight_requests", "Requests being answered (streams included)")
    }
    static var inFlightStreams: MetricNameDescriptor {
        named("llm_gateway_in_flight_streams", "Streams being relayed to clients")
    }
    static var spendQueueDepth: MetricNameDescriptor {
        named("llm_gateway_spend_log_queue_depth", "Spend rows waiting to be written")
    }
    static var spendLogRows: MetricNameDescriptor {
        named("llm_gateway_spend_log_rows_total", "Spend rows by outcome (dropped must stay 0)")
    }
    static var tokenFetches: MetricNameDescriptor {
        named("llm_gateway_entra_token_fetches_total", "Entra ID token fetches, by outcome")
    }
    static var overheadLatency: MetricNameDescriptor {
        named("litellm_overhead_latency_metric", "Latency overhead (seconds) added by the proxy: total minus upstream")
    }
    static var queueTime: MetricNameDescriptor {
        named("litellm_request_queue_time_seconds", "Time (seconds) from request arrival to its authentication done")
    }
    static var deploymentRPMLimit: MetricNameDescriptor {
        named("litellm_deployment_rpm_limit", "Deployment RPM limit found in config")
    }
    static var deploymentTPMLimit: MetricNameDescriptor {
        named("litellm_deployment_tpm_limit", "Deployment TPM limit found in config")
    }
    static var keyRateLimitAllowed: MetricNameDescriptor {
        named("litellm_api_key_rate_limit_allowed_metric", "A key's rpm or tpm limit")
    }
    static var keyRateLimitUsed: MetricNameDescriptor {
        named("litellm_api_key_rate_limit_used_metric", "What a key used of its rpm or tpm limit this minute")
    }
    static var teamRateLimitAllowed: MetricNameDescriptor {
        named("litellm_team_rate_limit_allowed_metric", "A team's rpm or tpm limit")
    }
    static var teamRateLimitUsed: MetricNameDescriptor {
        named("litellm_team_rate_limit_used_metric", "What a team used of its rpm or tpm limit this minute")
    }
    static var spansLost: MetricNameDescriptor {
        named("llm_gateway_otel_spans_lost_total", "Spans not exported: queue_full (dropped) or export_failed")
    }
    static var cappedSeries: MetricNameDescriptor {
        named(
            "llm_gateway_metric_series_capped_total",
            "Observations folded into the `other` series or dropped: a metric held its maximum series"
        )
    }

    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
