/// Maps a requested model name to its group's deployments and picks one. Pure: the random draw is injected.
/// (Strategies, retries, fallbacks and cooldowns extend this without changing the request path.)
public struct ModelRouter: Sendable {
    public let groups: [String: [ModelDeployment]]
    public let aliases: [String: String]
    public let groupOrder: [String]

    public init(config: ProxyConfig) {
        var groups: [String: [ModelDeployment]] = [:]
        for deployment in config.deployments { groups[deployment.modelName, default: []].append(deployment) }
        self.groups = groups
        self.aliases = config.settings.modelGroupAlias
        self.groupOrder = config.modelGroups
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
