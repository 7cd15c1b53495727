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
    public func list() -> JSON {
        let names = router.groupOrder + router.aliases.keys.sorted().filter { router.groups[$0] == nil }
        return ["data": .array(names.map(Self.entry)), "object": "list"]
    }

    static func entry(_ name: String) -> JSON {
        ["id": .string(name), "object": "model", "created": 1_677_610_602, "owned_by": "openai"]
    }

    public func model(named name: String) -> JSON? {
        guard router.groupName(for: name) != nil else { return nil }
        return Self.entry(name)
    }

    /// `/model/info`: every deployment with its params minus credentials.
    public func info() -> JSON {
        .object([
            "data": .array(
                deployments.map { deployment in
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
