import Foundation
import Prometheus
import Synchronization

/// The proxy's Prometheus metrics, named as LiteLLM's `prometheus` callback names them where one exists
/// (`litellm_…`), `llm_gateway_…` otherwise. Labels are bounded (model groups, deployments, statuses, routes): no
/// keys, users or IPs. Rendered in the Prometheus text format by `render(writer:)`.
public final class ProxyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// LiteLLM's latency buckets (seconds).
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 420, 600]
    let inFlightRequests: Gauge
    let inFlightStreams: Gauge
    let queueDepth: Gauge
    /// The spend writer's counters as last exported, so each scrape adds only what is new.
    let exportedWriterCounts = Mutex<[String: Int]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlightRequests = registry.makeGauge(name: "llm_gateway_in_flight_requests", labels: [], help: "Requests being answered (streams included)")
        inFlightStreams = registry.makeGauge(name: "llm_gateway_in_flight_streams", labels: [], help: "Streams being relayed to clients")
        queueDepth = registry.makeGauge(name: "llm_gateway_spend_log_queue_depth", labels: [], help: "Spend rows waiting to be written")
    }

    /// What one finished request contributes.
    public struct Observation: Sendable {
        public var route: String
        public var requestedModel: String
        public var deployment: ModelDeployment?
        public var status: Int
        public var errorClass: String?
        public var totalSeconds: Double
        public var upstreamSeconds: Double?
        public var firstTokenSeconds: Double?
        public var promptTokens = 0
        public var completionTokens = 0
        public var reasoningTokens = 0
        public var spend: Double = 0
    }

    public func requestStarted() { inFlightRequests.increment() }
    public func requestEnded() { inFlightRequests.decrement() }
    public func streamStarted() { inFlightStreams.increment() }
    public func streamEnded() { inFlightStreams.decrement() }

    public func observe(_ observation: Observation) {
        let group = observation.deployment?.modelName ?? ""
        let status = String(observation.status)
        registry.makeCounter(
            name: "litellm_proxy_total_requests_metric_total",
            labels: [("requested_model", observation.requestedModel), ("model_group", group), ("route", observation.route), ("status_code", status)],
            help: "Requests to the proxy, by outcome"
        ).increment()
        if observation.status >= 400 {
            registry.makeCounter(
                name: "litellm_proxy_failed_requests_metric_total",
                labels: [("requested_model", observation.requestedModel), ("model_group", group), ("route", observation.route), ("exception_status", status), ("exception_class", observation.errorClass ?? "")],
                help: "Failed requests to the proxy"
            ).increment()
        }
        guard let deployment = observation.deployment else { return }
        let byDeployment = [("model_group", group), ("model_id", deployment.id)]
        registry.makeValueHistogram(name: "litellm_request_total_latency_metric", labels: byDeployment, buckets: Self.latencyBuckets, help: "Whole request latency (s)")
            .record(observation.totalSeconds)
        if let upstream = observation.upstreamSeconds {
            registry.makeValueHistogram(name: "litellm_llm_api_latency_metric", labels: byDeployment, buckets: Self.latencyBuckets, help: "Upstream call latency (s)").record(upstream)
        }
        if let first = observation.firstTokenSeconds {
            registry.makeValueHistogram(name: "litellm_llm_api_time_to_first_token_metric", labels: byDeployment, buckets: Self.latencyBuckets, help: "Time to first token of streams (s)")
                .record(first)
        }
        let byModel = [("model_group", group), ("model", deployment.model)]
        for (name, value) in [
            ("litellm_input_tokens_metric_total", observation.promptTokens), ("litellm_output_tokens_metric_total", observation.completionTokens),
            ("litellm_total_tokens_metric_total", observation.promptTokens + observation.completionTokens),
            ("litellm_output_reasoning_tokens_metric_total", observation.reasoningTokens),
        ] where value > 0 {
            registry.makeCounter(name: name, labels: byModel, help: "Tokens").increment(by: Int64(value))
        }
        if observation.spend > 0 {
            registry.makeCounter(name: "litellm_spend_metric_total", labels: byModel, help: "Spend (USD)").increment(by: observation.spend)
        }
    }

    /// One upstream attempt on a deployment (retries and fallbacks included).
    public func attempt(_ deployment: ModelDeployment, failedWith status: Int?, errorClass: String?, cooled: Bool) {
        let labels = [("model_group", deployment.modelName), ("litellm_model_name", deployment.model), ("model_id", deployment.id), ("api_provider", deployment.provider.rawValue)]
        registry.makeCounter(name: "litellm_deployment_total_requests_total", labels: labels, help: "Upstream attempts per deployment").increment()
        guard let status else {
            registry.makeCounter(name: "litellm_deployment_success_responses_total", labels: labels, help: "Successful upstream attempts").increment()
            return
        }
        registry.makeCounter(
            name: "litellm_deployment_failure_responses_total", labels: labels + [("exception_status", String(status)), ("exception_class", errorClass ?? "")],
            help: "Failed upstream attempts, by error class"
        ).increment()
        if cooled {
            registry.makeCounter(name: "litellm_deployment_cooled_down_total", labels: labels + [("exception_status", String(status))], help: "Deployment cooldowns").increment()
        }
    }

    /// The Prometheus text, with the spend writer's counters brought up to date first.
    public func render(writer: SpendWriter.Counters?) -> [UInt8] {
        if let writer {
            queueDepth.set(Double(writer.queued))
            let current = ["written": writer.written, "spilled": writer.spilled, "replayed": writer.replayed, "dropped": writer.dropped]
            let deltas = exportedWriterCounts.withLock { exported in
                defer { exported = current }
                return current.map { ($0.key, $0.value - (exported[$0.key] ?? 0)) }
            }
            for (outcome, delta) in deltas {
                let counter = registry.makeCounter(name: "llm_gateway_spend_log_rows_total", labels: [("outcome", outcome)], help: "Spend rows by outcome (dropped must stay 0)")
                if delta > 0 { counter.increment(by: Int64(delta)) }
            }
        }
        return registry.emitToBuffer()
    }
}
