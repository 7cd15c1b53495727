/// What `/metrics` reads from `litellm_settings`, typed, each default here.
public struct MetricsSettings: Sendable {
    /// `prometheus_metrics_max_series_per_metric`: distinct label sets a metric keeps. Past it a counter or histogram
    /// counts into one series whose every label is `other`, and a gauge is not set (LiteLLM's rule). LiteLLM has no
    /// cap unless it is set; ours defaults to one, so a flood of new keys, users or client addresses cannot grow
    /// memory without bound.
    public var maxSeriesPerMetric = 10_000
    /// `enable_end_user_cost_tracking_prometheus_only`: the `end_user` label carries the request's end user; off, it
    /// is `None` (LiteLLM's default).
    public var endUserLabels = false

    public init() {}
}
