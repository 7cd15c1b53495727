import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// The proxy's Prometheus metrics, named and labelled as LiteLLM's `prometheus` callback names and labels them
/// (`litellm_…`; its dashboards read them), `llm_gateway_…` for the gateway's own. Every labelled metric holds a
/// bounded number of series (`MetricFamily`); a label never carries a key, only its sha256.
public final class ProxyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let settings: MetricsSettings
    /// LiteLLM's latency buckets (seconds).
    static let latencyBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 420, 600,
    ]
    let inFlightRequests: Gauge
    let litellmInFlight: Gauge
    let inFlightStreams: Gauge
    let queueDepth: Gauge
    /// The spend writer's counters as last exported, so each scrape adds only what is new.
    let exportedWriterCounts = NIOLockedValueBox<[String: Int]>([:])

    let requests: MetricFamily<Counter>
    let failedRequests: MetricFamily<Counter>
    let llmRequests: MetricFamily<Counter>
    let llmFailedRequests: MetricFamily<Counter>
    let spend: MetricFamily<Counter>
    let inputTokens: MetricFamily<Counter>
    let outputTokens: MetricFamily<Counter>
    let totalTokens: MetricFamily<Counter>
    let reasoningTokens: MetricFamily<Counter>
    let cachedInputTokens: MetricFamily<Counter>
    let requestLatency: MetricFamily<ValueHistogram>
    let upstreamLatency: MetricFamily<ValueHistogram>
    let timeToFirstToken: MetricFamily<ValueHistogram>
    let deploymentAttempts: MetricFamily<Counter>
    let deploymentSuccesses: MetricFamily<Counter>
    let deploymentFailures: MetricFamily<Counter>
    let deploymentCooldowns: MetricFamily<Counter>
    let deploymentState: MetricFamily<Gauge>
    let remaining: [(requests: Bool, family: MetricFamily<Gauge>)]
    let keyBudget: BudgetGauges
    let teamBudget: BudgetGauges
    let userBudget: BudgetGauges
    let cacheHits: MetricFamily<Counter>
    let cacheMisses: MetricFamily<Counter>
    let cachedTokens: MetricFamily<Counter>
    let overheadLatency: MetricFamily<ValueHistogram>
    let queueTime: MetricFamily<ValueHistogram>
    let deploymentLimits: (rpm: MetricFamily<Gauge>, tpm: MetricFamily<Gauge>)
    /// By the limit's scope name (`key`, `team`): its allowed and used gauges.
    let rateLimits: [String: (allowed: MetricFamily<Gauge>, used: MetricFamily<Gauge>)]

    /// A budget's three gauges: remaining, maximum and hours to its reset.
    struct BudgetGauges: Sendable {
        let remaining: MetricFamily<Gauge>
        let max: MetricFamily<Gauge>
        let hours: MetricFamily<Gauge>
    }

    public init(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        settings: MetricsSettings = .init()
    ) {
        self.registry = registry
        self.settings = settings
        inFlightRequests = registry.makeGauge(descriptor: MetricName.inFlightRequests, labels: [])
        litellmInFlight = registry.makeGauge(descriptor: MetricName.litellmInFlight, labels: [])
        inFlightStreams = registry.makeGauge(descriptor: MetricName.inFlightStreams, labels: [])
        queueDepth = registry.makeGauge(descriptor: MetricName.spendQueueDepth, labels: [])
        let capped = registry.makeCounter(descriptor: MetricName.cappedSeries, labels: [])
        func counter(_ name: MetricNameDescriptor, _ labels: [MetricLabel]) -> MetricFamily<Counter> {
            let (name, help) = (name.name, name.helpText ?? "")
            return MetricFamily(labels, cap: settings.maxSeriesPerMetric, capped: capped) {
                registry.makeCounter(descriptor: MetricName.named(name, help), labels: $0)
            }
        }
        func gauge(_ name: MetricNameDescriptor, _ labels: [MetricLabel]) -> MetricFamily<Gauge> {
            let (name, help) = (name.name, name.helpText ?? "")
            return MetricFamily(labels, cap: settings.maxSeriesPerMetric, capped: capped) {
                registry.makeGauge(descriptor: MetricName.named(name, help), labels: $0)
            }
        }
        func histogram(_ name: MetricNameDescriptor, _ labels: [MetricLabel]) -> MetricFamily<ValueHistogram> {
            let (name, help) = (name.name, name.helpText ?? "")
            return MetricFamily(labels, cap: settings.maxSeriesPerMetric, capped: capped) {
                registry.makeValueHistogram(
                    descriptor: MetricName.named(name, help),
                    labels: $0,
                    buckets: ProxyMetrics.latencyBuckets
                )
            }
        }
        typealias L = MetricLabels
        requests = counter(MetricName.requests, L.requests)
        failedRequests = counter(MetricName.failedRequests, L.failedRequests)
        llmRequests = counter(MetricName.llmRequests, L.llmRequests)
        llmFailedRequests = counter(MetricName.llmFailedRequests, L.llmFailedRequests)
        spend = counter(MetricName.spend, L.spend)
        inputTokens = counter(MetricName.inputTokens, L.tokens)
        outputTokens = counter(MetricName.outputTokens, L.tokens)
        totalTokens = counter(MetricName.totalTokens, L.tokens)
        reasoningTokens = counter(MetricName.reasoningTokens, L.tokenDetails)
        cachedInputTokens = counter(MetricName.cachedInputTokens, L.tokenDetails)
        requestLatency = histogram(MetricName.requestLatency, L.requestLatency)
        upstreamLatency = histogram(MetricName.upstreamLatency, L.upstreamLatency)
        timeToFirstToken = histogram(MetricName.timeToFirstToken, L.upstreamLatency)
        deploymentAttempts = counter(MetricName.deploymentAttempts, L.deployment)
        deploymentSuccesses = counter(MetricName.deploymentSuccesses, L.deployment)
        deploymentFailures = counter(MetricName.deploymentFailures, L.deployment + [.exceptionStatus, .exceptionClass])
        deploymentCooldowns = counter(MetricName.deploymentCooldowns, L.deploymentState + [.exceptionStatus])
        deploymentState = gauge(MetricName.deploymentState, L.deploymentState)
        remaining = [
            (true, gauge(MetricName.remainingRequests, L.remaining)),
            (false, gauge(MetricName.remainingTokens, L.remaining)),
            (true, gauge(MetricName.remainingRequestsV2, L.remaining)),
            (false, gauge(MetricName.remainingTokensV2, L.remaining)),
        ]
        overheadLatency = histogram(MetricName.overheadLatency, L.overheadLatency)
        queueTime = histogram(MetricName.queueTime, L.queueTime)
        deploymentLimits = (
            gauge(MetricName.deploymentRPMLimit, L.deploymentLimit),
            gauge(MetricName.deploymentTPMLimit, L.deploymentLimit)
        )
        rateLimits = [
            "key": (
                gauge(MetricName.keyRateLimitAllowed, L.keyRateLimit),
                gauge(MetricName.keyRateLimitUsed, L.keyRateLimit)
            ),
            "team": (
                gauge(MetricName.teamRateLimitAllowed, L.teamRateLimit),
                gauge(MetricName.teamRateLimitUsed, L.teamRateLimit)
            ),
        ]
        keyBudget = BudgetGauges(
            remaining: gauge(MetricName.keyRemainingBudget, [.hashedAPIKey, .apiKeyAlias]),
            max: gauge(MetricName.keyMaxBudget, [.hashedAPIKey, .apiKeyAlias]),
            hours: gauge(MetricName.keyBudgetHours, [.hashedAPIKey, .apiKeyAlias])
        )
        teamBudget = BudgetGauges(
            remaining: gauge(MetricName.teamRemainingBudget, [.team, .teamAlias]),
            max: gauge(MetricName.teamMaxBudget, [.team, .teamAlias]),
            hours: gauge(MetricName.teamBudgetHours, [.team, .teamAlias])
        )
        userBudget = BudgetGauges(
            remaining: gauge(MetricName.userRemainingBudget, [.user]),
            max: gauge(MetricName.userMaxBudget, [.user]),
            hours: gauge(MetricName.userBudgetHours, [.user])
        )
        cacheHits = counter(MetricName.cacheHits, L.cache)
        cacheMisses = counter(MetricName.cacheMisses, L.cache)
        cachedTokens = counter(MetricName.cachedTokens, L.cache)
    }

    public func requestStarted() {
        inFlightRequests.increment()
        litellmInFlight.increment()
    }

    public func requestEnded() {
        inFlightRequests.decrement()
        litellmInFlight.decrement()
    }

    public func streamStarted() { inFlightStreams.increment() }
    public func streamEnded() { inFlightStreams.decrement() }
    /// One Entra ID token fetch: its flow and `success`, `rejected` or `unavailable`.
    public func tokenFetched(source: String, outcome: String) {
        registry.makeCounter(descriptor: MetricName.tokenFetches, labels: [("source", source), ("outcome", outcome)])
            .increment()
    }

    /// A cache store operation (`lookup` or `store`) failed or timed out.
    public func cacheFailed(_ operation: String) {
        registry.makeCounter(descriptor: MetricName.cacheFailures, labels: [("operation", operation)]).increment()
    }

    /// Spans the exporter lost: `queue_full` (dropped as they ended) or `export_failed` (a batch the collector did
    /// not take in time).
    public func spansLost(_ count: Int, reason: String) {
        registry.makeCounter(descriptor: MetricName.spansLost, labels: [("reason", reason)]).increment(by: Int64(count))
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
                let counter = registry.makeCounter(descriptor: MetricName.spendLogRows, labels: [("outcome", outcome)])
                if delta > 0 { counter.increment(by: Int64(delta)) }
            }
        }
        return registry.emitToBuffer()
    }
}
