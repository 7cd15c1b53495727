/// Maps a requested model name to its group's deployments and picks one with the configured strategy, skipping
/// deployments that are cooling down (and, with pre-call checks, those whose rpm/tpm this minute is used up).
/// Deterministic for a given state and `draw` (the random number is injected).
public struct ModelRouter: Sendable {
    public let groups: [String: [ModelDeployment]]
    public let aliases: [String: String]
    public let groupOrder: [String]
    public let settings: RouterSettings
    public let state: RouterState
    let prices: PriceTable
    /// The groups tag filtering applies to: their deployments' `model_info.enable_tag_filtering` (the first one
    /// set), else the router's. Decided once here, not on every pick.
    let tagFilteredGroups: Set<String>

    public init(config: ProxyConfig, state: RouterState = RouterState(), prices: PriceTable = .shipped) {
        var groups: [String: [ModelDeployment]] = [:]
        for deployment in config.deployments { groups[deployment.modelName, default: []].append(deployment) }
        self.groups = groups
        self.aliases = config.settings.modelGroupAlias
        self.groupOrder = config.modelGroups
        self.settings = config.settings.router
        self.state = state
        self.prices = prices
        let routerDefault = config.settings.router.enableTagFiltering
        self.tagFilteredGroups = Set(
            groups.filter { $0.value.lazy.compactMap(\.tagFiltering).first ?? routerDefault }.keys
        )
    }

    /// The group name a requested model resolves to (through `model_group_alias`), if any.
    public func groupName(for model: String) -> String? {
        if groups[model] != nil { return model }
        if let target = aliases[model], groups[target] != nil { return target }
        return nil
    }

    public func deployments(for model: String) -> [ModelDeployment]? {
        groupName(for: model).flatMap { groups[$0] }
    }

    public func deployment(id: String) -> ModelDeployment? {
        groups.values.lazy.flatMap { $0 }.first { $0.id == id }
    }

    public enum Selection: Sendable {
        case deployment(ModelDeployment)
        /// Every deployment is cooling down (or over its limits): try again after `retryAfter` seconds.
        case noneAvailable(retryAfter: Double, cooling: [String])
        /// Tag-based routing leaves no deployment for the request's tags.
        case refused(ProxyError)
    }

    /// Picks a deployment of `group`, preferring ones not `tried` yet by this request: among those in the end
    /// user's `region`, not cooling down, matching the request's `tags` (when tag filtering is on) and, with
    /// pre-call checks, with rpm/tpm left this minute.
    public func select(
        group: String,
        tried: Set<String> = [],
        estimatedTokens: Int = 0,
        region: String? = nil,
        tags: RoutingTags? = nil,
        draw: Double
    ) -> Selection {
        let all = (groups[group] ?? []).filter { region == nil || $0.region == region }
        guard !all.isEmpty else {
            return .noneAvailable(retryAfter: settings.cooldownTime, cooling: [])
        }
        let instant = state.now()
        var healthy: [ModelDeployment] = []
        var cooling: [String] = []
        var earliest: Double?
        for deployment in all {
            guard let until = state.coolingUntil(deployment.id) else {
                healthy.append(deployment)
                continue
            }
            cooling.append(deployment.id)
            let seconds =
                Double((until - instant).components.seconds) + Double((until - instant).components.attoseconds) / 1e18
            earliest = min(earliest ?? seconds, seconds)
        }
        if let tags, tagFilteredGroups.contains(group) {
            let filter = TagFilter(matchAny: settings.tagFilteringMatchAny, prefix: settings.tagRoutingPrefix)
            guard let kept = filter.filter(healthy, group: groups[group] ?? [], request: tags) else {
                return .refused(.tagRouting(model: group, tags: tags.tags))
            }
            healthy = kept
        }
        var available: [ModelDeployment] = []
        for deployment in healthy {
            if settings.checksLimits, !hasCapacity(deployment, tokens: estimatedTokens) {
                earliest = min(earliest ?? 60, 60 - Double((instant - state.origin).components.seconds % 60))
                continue
            }
            available.append(deployment)
        }
        guard !available.isEmpty else {
            return .noneAvailable(
                retryAfter: max(1, (earliest ?? settings.cooldownTime).rounded(.up)),
                cooling: cooling
            )
        }
        let fresh = available.filter { !tried.contains($0.id) }
        let candidates = fresh.isEmpty ? available : fresh
        guard candidates.count > 1 else { return .deployment(candidates[0]) }
        switch settings.strategy {
        case .simpleShuffle:
            return .deployment(ModelRouter.pick(from: candidates, draw: draw))
        case .leastBusy:
            return .deployment(lowest(candidates, draw: draw, buffer: 0) { Double(state.snapshot($0.id).inFlight) })
        case .usageBased:
            return .deployment(lowest(candidates, draw: draw, buffer: 0) { Double(state.snapshot($0.id).minuteTokens) })
        case .latencyBased:
            let ttl = Duration.milliseconds(Int64(settings.latencyTTL * 1000))
            return .deployment(
                lowest(candidates, draw: draw, buffer: settings.lowestLatencyBuffer) { deployment in
                    let samples = state.snapshot(deployment.id).latencies.filter { instant - $0.at <= ttl }
                    return samples.isEmpty ? 0 : samples.reduce(0) { $0 + $1.seconds } / Double(samples.count)
                }
            )
        case .costBased:
            return .deployment(
                lowest(candidates, draw: draw, buffer: 0) { deployment in
                    prices.price(for: deployment, upstreamModel: nil).map { $0.input + $0.output }
                        ?? .greatestFiniteMagnitude
                }
            )
        }
    }

    /// Whether the deployment's `rpm` / `tpm` leave room this minute for one more request of `tokens` tokens.
    func hasCapacity(_ deployment: ModelDeployment, tokens: Int) -> Bool {
        guard deployment.rpm != nil || deployment.tpm != nil else { return true }
        let stats = state.snapshot(deployment.id)
        if let rpm = deployment.rpm, stats.minuteRequests >= rpm { return false }
        if let tpm = deployment.tpm, stats.minuteTokens + tokens > tpm { return false }
        return true
    }

    /// The deployment with the lowest score; among those within `buffer` (a fraction) of it, one chosen by `draw`.
    func lowest(_ candidates: [ModelDeployment], draw: Double, buffer: Double, score: (ModelDeployment) -> Double)
        -> ModelDeployment
    {
        let scored = candidates.map { ($0, score($0)) }
        let best = scored.map(\.1).min() ?? 0
        let near = scored.filter { $0.1 <= best * (1 + max(0, buffer)) }.map(\.0)
        return near[min(near.count - 1, Int(draw * Double(near.count)))]
    }

    /// LiteLLM's default `simple-shuffle`: weighted by `weight`, else `rpm`, else `tpm`, else uniform.
    /// `draw` is a number in [0, 1).
    public static func pick(from deployments: [ModelDeployment], draw: Double) -> ModelDeployment {
        precondition(!deployments.isEmpty)
        guard deployments.count > 1 else { return deployments[0] }
        let weights: [Double]
        if deployments.contains(where: { $0.weight != nil }) {
            weights = deployments.map { $0.weight ?? 0 }
        } else if deployments.contains(where: { $0.rpm != nil }) {
            weights = deployments.map { Double($0.rpm ?? 0) }
        } else if deployments.contains(where: { $0.tpm != nil }) {
            weights = deployments.map { Double($0.tpm ?? 0) }
        } else {
            weights = Array(repeating: 1, count: deployments.count)
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { return deployments[min(deployments.count - 1, Int(draw * Double(deployments.count)))] }
        var threshold = draw * total
        for (index, weight) in weights.enumerated() {
            if threshold < weight { return deployments[index] }
            threshold -= weight
        }
        return deployments[deployments.count - 1]
    }
}
