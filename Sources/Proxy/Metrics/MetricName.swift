import Prometheus

/// Every metric the proxy exports, each name declared once: LiteLLM's names where its `prometheus` callback has one
/// (its dashboards read them; they carry their unit already), `llm_gateway_*` for the gateway's own.
enum MetricName {
    static var requests: MetricNameDescriptor {
        .named("litellm_proxy_total_requests_metric_total", "Requests to the proxy, by outcome")
    }
    static var failedRequests: MetricNameDescriptor {
        .named("litellm_proxy_failed_requests_metric_total", "Failed requests to the proxy")
    }
    static var requestLatency: MetricNameDescriptor {
        .named("litellm_request_total_latency_metric", "Whole request latency (s)")
    }
    static var upstreamLatency: MetricNameDescriptor {
        .named("litellm_llm_api_latency_metric", "Upstream call latency (s)")
    }
    static var timeToFirstToken: MetricNameDescriptor {
        .named("litellm_llm_api_time_to_first_token_metric", "Time to first token of streams (s)")
    }
    static var inputTokens: MetricNameDescriptor { .named("litellm_input_tokens_metric_total", "Tokens") }
    static var outputTokens: MetricNameDescriptor { .named("litellm_output_tokens_metric_total", "Tokens") }
    static var totalTokens: MetricNameDescriptor { .named("litellm_total_tokens_metric_total", "Tokens") }
    static var reasoningTokens: MetricNameDescriptor {
        .named("litellm_output_reasoning_tokens_metric_total", "Tokens")
    }
    static var spend: MetricNameDescriptor { .named("litellm_spend_metric_total", "Spend (USD)") }
    static var cacheHits: MetricNameDescriptor {
        .named("litellm_cache_hits_metric_total", "Requests answered from the response cache")
    }
    static var cacheMisses: MetricNameDescriptor {
        .named("litellm_cache_misses_metric_total", "Cacheable requests the response cache could not answer")
    }
    static var cachedTokens: MetricNameDescriptor {
        .named("litellm_cached_tokens_metric_total", "Total tokens of the answers served from the response cache")
    }
    static var cacheFailures: MetricNameDescriptor {
        .named("llm_gateway_cache_failures_total", "Response cache lookups and writes that failed or timed out")
    }
    static var deploymentAttempts: MetricNameDescriptor {
        .named("litellm_deployment_total_requests_total", "Upstream attempts per deployment")
    }
    static var deploymentSuccesses: MetricNameDescriptor {
        .named("litellm_deployment_success_responses_total", "Successful upstream attempts")
    }
    static var deploymentFailures: MetricNameDescriptor {
        .named("litellm_deployment_failure_responses_total", "Failed upstream attempts, by error class")
    }
    static var deploymentCooldowns: MetricNameDescriptor {
        .named("litellm_deployment_cooled_down_total", "Deployment cooldowns")
    }
    static var inFlightRequests: MetricNameDescriptor {
        .named("llm_gateway_in_flight_requests", "Requests being answered (streams included)")
    }
    static var inFlightStreams: MetricNameDescriptor {
        .named("llm_gateway_in_flight_streams", "Streams being relayed to clients")
    }
    static var spendQueueDepth: MetricNameDescriptor {
        .named("llm_gateway_spend_log_queue_depth", "Spend rows waiting to be written")
    }
    static var spendLogRows: MetricNameDescriptor {
        .named("llm_gateway_spend_log_rows_total", "Spend rows by outcome (dropped must stay 0)")
    }
    static var tokenFetches: MetricNameDescriptor {
        .named("llm_gateway_entra_token_fetches_total", "Entra ID token fetches, by flow and outcome")
    }
}
