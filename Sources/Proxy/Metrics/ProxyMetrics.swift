import Foundation
import NIOConcurrencyHelpers
import Prometheus

extension MetricNameDescriptor {
    /// A metric named in full (LiteLLM's names carry their unit already).
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// The proxy's Prometheus metrics, named as LiteLLM's `prometheus` callback names them where one exists
/// (`litellm_…`), `llm_gateway_…` otherwise. Labels are bounded (model groups, deployments, statuses, routes): no
/// keys, users or IPs. Rendered in the Prometheus text format by `render(writer:)`.
public final class ProxyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// LiteLLM's latency buckets (seconds).
    static let latencyBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 420, 600,
    ]
    let inFlightRequests: Gauge
    let inFlightStreams: Gauge
    let queueDepth: Gauge
    /// The spend writer's counters as last exported, so each scrape adds only what is new.
    let exportedWriterCounts = NIOLockedValueBox<[String: Int]>([:])
    /// The series a successful request touches, looked up once per (route, requested model, deployment) instead of
    /// once per metric (each registry lookup validates names and labels under its lock).
    let successSeries = NIOLockedValueBox<[SeriesKey: SuccessSeries]>([:])
    /// Per deployment: its attempts and successes counters.
    let attemptSeries = NIOLockedValueBox<[String: (total: Counter, success: Counter)]>([:])

    struct SeriesKey: Hashable {
        var route: String
        var requestedModel: String
        var deploymentID: String
    }

    final class SuccessSeries: Sendable {
        let requests: Counter
        let totalLatency: ValueHistogram
        let apiLatency: ValueHistogram
        let firstToken: ValueHistogram
        let inputTokens: Counter
        let outputTokens: Counter
        let totalTokens: Counter
        let reasoningTokens: Counter
        let spend: Counter

        init(registry: PrometheusCollectorRegistry, route: String, requestedModel: String, deployment: ModelDeployment)
        {
            let group = deployment.modelName
            requests = registry.makeCounter(
                descriptor: MetricName.requests,
                labels: [
                    ("requested_model", requestedModel), ("model_group", group), ("route", route),
                    ("status_code", "200"),
                ]
            )
            let byDeployment = [("model_group", group), ("model_id", deployment.id)]
            totalLatency = registry.makeValueHistogram(
                descriptor: MetricName.requestLatency,
                labels: byDeployment,
                buckets: ProxyMetrics.latencyBuckets
            )
            apiLatency = registry.makeValueHistogram(
                descriptor: MetricName.upstreamLatency,
                labels: byDeployment,
                buckets: ProxyMetrics.latencyBuckets
            )
            firstToken = registry.makeValueHistogram(
                descriptor: MetricName.timeToFirstToken,
                labels: byDeployment,
                buckets: ProxyMetrics.latencyBuckets
            )
            let byModel = [("model_group", group), ("model", deployment.model)]
            inputTokens = registry.makeCounter(
                descriptor: MetricName.inputTokens,
                labels: byModel
            )
            outputTokens = registry.makeCounter(
                descriptor: MetricName.outputTokens,
                labels: byModel
            )
            totalTokens = registry.makeCounter(
                descriptor: MetricName.totalTokens,
                labels: byModel
            )
            reasoningTokens = registry.makeCounter(
                descriptor: MetricName.reasoningTokens,
                labels: byModel
            )
            spend = registry.makeCounter(
                descriptor: MetricName.spend,
                labels: byModel
            )
        }
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlightRequests = registry.makeGauge(
            descriptor: MetricName.inFlightRequests,
            labels: []
        )
        inFlightStreams = registry.makeGauge(
            descriptor: MetricName.inFlightStreams,
            labels: []
        )
        queueDepth = registry.makeGauge(
            descriptor: MetricName.spendQueueDepth,
            labels: []
        )
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
    /// One Entra ID token fetch: its flow and `success`, `rejected` or `unavailable`.
    public func tokenFetched(source: String, outcome: String) {
        registry.makeCounter(descriptor: MetricName.tokenFetches, labels: [("source", source), ("outcome", outcome)])
            .increment()
    }

    public func observe(_ observation: Observation) {
        if observation.status < 400, let deployment = observation.deployment {
            observeSuccess(observation, deployment: deployment)
            return
        }
        let group = observation.deployment?.modelName ?? ""
        let status = String(observation.status)
        registry.makeCounter(
            descriptor: MetricName.requests,
            labels: [
                ("requested_model", observation.requestedModel), ("model_group", group), ("route", observation.route),
                ("status_code", status),
            ]
        ).increment()
        if observation.status >= 400 {
            registry.makeCounter(
                descriptor: MetricName.failedRequests,
                labels: [
                    ("requested_model", observation.requestedModel), ("model_group", group),
                    ("route", observation.route), ("exception_status", status),
                    ("exception_class", observation.errorClass ?? ""),
                ]
            ).increment()
        }
        guard let deployment = observation.deployment else { return }
        let byDeployment = [("model_group", group), ("model_id", deployment.id)]
        registry.makeValueHistogram(
            descriptor: MetricName.requestLatency,
            labels: byDeployment,
            buckets: Self.latencyBuckets
        )
        .record(observation.totalSeconds)
        if let upstream = observation.upstreamSeconds {
            registry.makeValueHistogram(
                descriptor: MetricName.upstreamLatency,
                labels: byDeployment,
                buckets: Self.latencyBuckets
            ).record(upstream)
        }
        if let first = observation.firstTokenSeconds {
            registry.makeValueHistogram(
                descriptor: MetricName.timeToFirstToken,
                labels: byDeployment,
                buckets: Self.latencyBuckets
            )
            .record(first)
        }
        let byModel = [("model_group", group), ("model", deployment.model)]
        for (name, value) in [
            (MetricName.inputTokens, observation.promptTokens),
            (MetricName.outputTokens, observation.completionTokens),
            (MetricName.totalTokens, observation.promptTokens + observation.completionTokens),
            (MetricName.reasoningTokens, observation.reasoningTokens),
        ] where value > 0 {
            registry.makeCounter(descriptor: name, labels: byModel).increment(by: Int64(value))
        }
        if observation.spend > 0 {
            registry.makeCounter(descriptor: MetricName.spend, labels: byModel)
                .increment(by: observation.spend)
        }
    }

    func observeSuccess(_ observation: Observation, deployment: ModelDeployment) {
        let key = SeriesKey(
            route: observation.route,
            requestedModel: observation.requestedModel,
            deploymentID: deployment.id
        )
        let series = successSeries.withLockedValue { cache in
            if let found = cache[key] { return found }
            let made = SuccessSeries(
                registry: registry,
                route: observation.route,
                requestedModel: observation.requestedModel,
                deployment: deployment
            )
            cache[key] = made
            return made
        }
        series.requests.increment()
        series.totalLatency.record(observation.totalSeconds)
        if let upstream = observation.upstreamSeconds { series.apiLatency.record(upstream) }
        if let first = observation.firstTokenSeconds { series.firstToken.record(first) }
        if observation.promptTokens > 0 { series.inputTokens.increment(by: Int64(observation.promptTokens)) }
        if observation.completionTokens > 0 { series.outputTokens.increment(by: Int64(observation.completionTokens)) }
        if observation.promptTokens + observation.completionTokens > 0 {
            series.totalTokens.increment(by: Int64(observation.promptTokens + observation.completionTokens))
        }
        if observation.reasoningTokens > 0 { series.reasoningTokens.increment(by: Int64(observation.reasoningTokens)) }
        if observation.spend > 0 { series.spend.increment(by: observation.spend) }
    }

    /// One upstream attempt on a deployment (retries and fallbacks included).
    public func attempt(_ deployment: ModelDeployment, failedWith status: Int?, errorClass: String?, cooled: Bool) {
        let labels = [
            ("model_group", deployment.modelName), ("litellm_model_name", deployment.model),
            ("model_id", deployment.id), ("api_provider", deployment.provider.rawValue),
        ]
        let series = attemptSeries.withLockedValue { cache in
            if let found = cache[deployment.id] { return found }
            let made = (
                total: registry.makeCounter(
                    descriptor: MetricName.deploymentAttempts,
                    labels: labels
                ),
                success: registry.makeCounter(
                    descriptor: MetricName.deploymentSuccesses,
                    labels: labels
                )
            )
            cache[deployment.id] = made
            return made
        }
        series.total.increment()
        guard let status else {
            series.success.increment()
            return
        }
        registry.makeCounter(
            descriptor: MetricName.deploymentFailures,
            labels: labels + [("exception_status", String(status)), ("exception_class", errorClass ?? "")]
        ).increment()
        if cooled {
            registry.makeCounter(
                descriptor: MetricName.deploymentCooldowns,
                labels: labels + [("exception_status", String(status))]
            ).increment()
        }
    }

    /// The Prometheus text, with the spend writer's counters brought up to date first.
    public func render(writer: SpendWriter.Counters?) -> [UInt8] {
        if let writer {
            queueDepth.set(Double(writer.queued))
            let current = [
                "written": writer.written, "spilled": writer.spilled, "replayed": writer.replayed,
                "dropped": writer.dropped,
            ]
            let deltas = exportedWriterCounts.withLockedValue { exported in
                defer { exported = current }
                return current.map { ($0.key, $0.value - (exported[$0.key] ?? 0)) }
            }
            for (outcome, delta) in deltas {
                let counter = registry.makeCounter(
                    descriptor: MetricName.spendLogRows,
                    labels: [("outcome", outcome)]
                )
                if delta > 0 { counter.increment(by: Int64(delta)) }
            }
        }
        return registry.emitToBuffer()
    }
}
