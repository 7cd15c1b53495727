import NIOConcurrencyHelpers
import Prometheus

/// One metric with LiteLLM's label names, its series found by their values. It keeps at most `cap` series: past
/// that a counter or histogram counts into one series whose every label is `other` and a gauge is left unset
/// (LiteLLM's `prometheus_metrics_max_series_per_metric` rule), and `capped` counts what was folded or dropped.
final class MetricFamily<Metric: AnyObject & Sendable>: Sendable {
    /// Sorted by name: the order prometheus_client writes them in.
    let labels: [MetricLabel]
    let cap: Int
    let capped: Counter
    let make: @Sendable ([(String, String)]) -> Metric
    let series = NIOLockedValueBox<[[String]: Metric]>([:])

    init(_ labels: [MetricLabel], cap: Int, capped: Counter, make: @escaping @Sendable ([(String, String)]) -> Metric) {
        self.labels = labels.sorted { $0.rawValue < $1.rawValue }
        self.cap = cap
        self.capped = capped
        self.make = make
    }

    /// The series for these values; nil when the family is full and `overflow` is false (gauges).
    func callAsFunction(_ values: RequestLabels, overflow: Bool = true) -> Metric? {
        let key = labels.map { values[$0] }
        let (metric, folded) = series.withLockedValue { series -> (Metric?, Bool) in
            if let found = series[key] { return (found, false) }
            guard series.count >= cap else {
                let made = make(zip(labels, key).map { ($0.rawValue, $1) })
                series[key] = made
                return (made, false)
            }
            guard overflow else { return (nil, true) }
            let other = Array(repeating: "other", count: labels.count)
            if let found = series[other] { return (found, true) }
            let made = make(labels.map { ($0.rawValue, "other") })
            series[other] = made
            return (made, true)
        }
        if folded { capped.increment() }
        return metric
    }
}
