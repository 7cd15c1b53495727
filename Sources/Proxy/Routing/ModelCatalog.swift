import Wire

/// The configured models as LiteLLM lists them (`/v1/models`, `/model/info`), with what the router knows of each
/// deployment now.
public struct ModelCatalog: Sendable {
    public let router: ModelRouter
    public let deployments: [ModelDeployment]

    public init(router: ModelRouter, deployments: [ModelDeployment]) {
        self.router = router
        self.deployments = deployments
    }

    /// `/v1/models`: one entry per model group (and alias), as LiteLLM lists them.
    public func list(visibleTo visible: (String) -> Bool = { _ in true }) -> JSON {
        let names = router.groupOrder + router.aliases.keys.sorted().filter { router.groups[$0] == nil }
        let shown = names.filter { visible($0) || visible(router.groupName(for: $0) ?? $0) }
        return ["data": .array(shown.map(Self.entry)), "object": "list"]
    }

    static func entry(_ name: String) -> JSON {
        ["id": .string(name), "object": "model", "created": 1_677_610_602, "owned_by": "openai"]
    }

    public func model(named name: String) -> JSON? {
        guard router.groupName(for: name) != nil else { return nil }
        return Self.entry(name)
    }

    /// `/model/info`: every deployment with its params minus credentials.
    public func info(visibleTo visible: (String) -> Bool = { _ in true }) -> JSON {
        .object([
            "data": .array(
                deployments.filter { visible($0.modelName) }.map { deployment in
                    var info = deployment.modelInfo
                    info["id"] = .string(deployment.id)
                    if info["db_model"] == nil { info["db_model"] = false }
                    return [
                        "model_name": .string(deployment.modelName),
                        "litellm_params": .object(deployment.publicParams),
                        "model_info": .object(info),
                        "deployment_state": state(of: deployment),
                    ]
                }
            )
        ])
    }

    /// `/model_group/info`: one entry per model group (LiteLLM's `ModelGroupInfo` fields this gateway knows): its
    /// providers, mode, summed rpm/tpm and the token limits its deployments' `model_info` declares.
    public func groupInfo(visibleTo visible: (String) -> Bool = { _ in true }, only: String? = nil) -> JSON {
        let names = router.groupOrder.filter { visible($0) && (only == nil || $0 == only) }
        return [
            "data": .array(
                names.map { name in
                    let members = deployments.filter { $0.modelName == name }
                    var providers: [String] = []
                    for provider in members.map(\.provider.rawValue) where !providers.contains(provider) {
                        providers.append(provider)
                    }
                    func sum(_ values: [Int?]) -> JSON {
                        let known = values.compactMap { $0 }
                        return known.isEmpty ? .null : .int(known.reduce(0, +))
                    }
                    func first(_ key: String) -> JSON { members.lazy.compactMap { $0.modelInfo[key] }.first ?? .null }
                    return [
                        "model_group": .string(name), "providers": .array(providers.map(JSON.string)),
                        "mode": members.first?.modelInfo["mode"] ?? "chat", "tpm": sum(members.map(\.tpm)),
                        "rpm": sum(members.map(\.rpm)), "max_input_tokens": first("max_input_tokens"),
                        "max_output_tokens": first("max_output_tokens"),
                    ]
                }
            )
        ]
    }

    /// What the router knows of a deployment now: cooling (and for how long), in flight, this minute's use.
    public func state(of deployment: ModelDeployment) -> JSON {
        let stats = router.state.snapshot(deployment.id)
        var state: JSONObject = [
            "status": "healthy", "in_flight": .int(stats.inFlight), "requests_this_minute": .int(stats.minuteRequests),
            "tokens_this_minute": .int(stats.minuteTokens), "failures_this_minute": .int(stats.minuteFailures),
        ]
        if let until = router.state.coolingUntil(deployment.id) {
            state["status"] = "cooling"
            state["cooldown_remaining_s"] = .double(
                (NumberText.seconds(until - router.state.now()) * 1000).rounded() / 1000
            )
        }
        if let last = stats.lastFailure { state["last_failure_status"] = .int(last) }
        return .object(state)
    }
}
