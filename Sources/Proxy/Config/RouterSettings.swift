/// `router_settings` (and the `litellm_settings` keys that mean the same), typed: how a model group picks a
/// deployment, retries, falls back and cools deployments down. A value type with LiteLLM's defaults.
public struct RouterSettings: Sendable, Equatable {
    public var strategy: RoutingStrategy = .simpleShuffle
    /// Retries after the first attempt (`num_retries`; LiteLLM's default 2). A request may lower or raise it with
    /// its own `num_retries`.
    public var numRetries: Int = 2
    /// Failures per minute a deployment may have before it cools down (`allowed_fails`).
    public var allowedFails: Int = 3
    /// How long a deployment cools down (`cooldown_time`, seconds).
    public var cooldownTime: Double = 5
    /// How many fallback groups one request may try (`max_fallbacks`).
    public var maxFallbacks: Int = 5
    /// `fallbacks`: group → groups tried in order when the group fails.
    public var fallbacks: [String: [String]] = [:]
    /// `context_window_fallbacks`: on a context-length error.
    public var contextWindowFallbacks: [String: [String]] = [:]
    /// `content_policy_fallbacks`: on Azure's content-filter 400.
    public var contentPolicyFallbacks: [String: [String]] = [:]
    /// `default_fallbacks`: for a group without its own `fallbacks` entry.
    public var defaultFallbacks: [String] = []
    /// `retry_policy`: retries per error class, overriding `num_retries` for that class.
    public var retryPolicy: [RetryClass: Int] = [:]
    /// `enable_pre_call_checks`: skip deployments whose rpm/tpm this minute is used up.
    public var enablePreCallChecks = false
    /// `routing_strategy_args.ttl` (seconds a latency sample counts) and `lowest_latency_buffer`.
    public var latencyTTL: Double = 3600
    public var lowestLatencyBuffer: Double = 0
    /// `enable_tag_filtering`: a request's tags pick among a group's deployments by their `tags` (a group's
    /// `model_info.enable_tag_filtering` overrides it for that group).
    public var enableTagFiltering = false
    /// `tag_filtering_match_any`: a deployment matches when it has any of the request's tags (false: all of them).
    public var tagFilteringMatchAny = true
    /// `tag_routing_prefix`: when set, only request tags carrying it (stripped) and key/team tags route.
    public var tagRoutingPrefix = ""

    public init() {}

    /// Whether per-deployment rpm/tpm limits are enforced before a call.
    public var checksLimits: Bool { enablePreCallChecks || strategy == .usageBased }

    /// The fallback groups for a failure of `group` with the given class, in order, at most `maxFallbacks`.
    /// `requested`: a request's own `fallbacks`, which replace the generic list (not the context-window or
    /// content-policy ones).
    public func fallbackGroups(for group: String, after failure: RetryClass?, requested: [String]? = nil) -> [String] {
        let chosen: [String]
        switch failure {
        case .contentPolicy?: chosen = contentPolicyFallbacks[group] ?? contentPolicyFallbacks["*"] ?? []
        case .contextWindow?: chosen = contextWindowFallbacks[group] ?? contextWindowFallbacks["*"] ?? []
        case .badRequest?, nil: chosen = []
        default: chosen = requested ?? fallbacks[group] ?? fallbacks["*"] ?? defaultFallbacks
        }
        return Array(chosen.filter { $0 != group }.prefix(max(0, maxFallbacks)))
    }
}
