import AsyncHTTPClient
import Foundation
import NIOCore
import Wire

extension ProxyEngine {
    /// `/v1/models`: one entry per model group (and alias), as LiteLLM lists them.
    public func modelList() -> JSON {
        let names = router.groupOrder + router.aliases.keys.sorted().filter { router.groups[$0] == nil }
        return ["data": .array(names.map(ProxyEngine.modelEntry)), "object": "list"]
    }

    static func modelEntry(_ name: String) -> JSON {
        ["id": .string(name), "object": "model", "created": 1_677_610_602, "owned_by": "openai"]
    }

    public func model(named name: String) -> JSON? {
        guard router.groupName(for: name) != nil else { return nil }
        return ProxyEngine.modelEntry(name)
    }

    /// `/model/info`: every deployment with its params minus credentials.
    public func modelInfo() -> JSON {
        .object([
            "data": .array(
                config.deployments.map { deployment in
                    var info = deployment.modelInfo
                    info["id"] = .string(deployment.id)
                    if info["db_model"] == nil { info["db_model"] = false }
                    return [
                        "model_name": .string(deployment.modelName),
                        "litellm_params": .object(deployment.publicParams),
                        "model_info": .object(info),
                        "deployment_state": routerState(of: deployment),
                    ]
                }
            )
        ])
    }

    /// What the router knows of a deployment now: cooling (and for how long), in flight, this minute's use.
    func routerState(of deployment: ModelDeployment) -> JSON {
        let stats = router.state.snapshot(deployment.id)
        var state: JSONObject = [
            "status": "healthy", "in_flight": .int(stats.inFlight), "requests_this_minute": .int(stats.minuteRequests),
            "tokens_this_minute": .int(stats.minuteTokens), "failures_this_minute": .int(stats.minuteFailures),
        ]
        if let until = router.state.coolingUntil(deployment.id) {
            state["status"] = "cooling"
            state["cooldown_remaining_s"] = .double(
                (ProxyEngine.seconds(until - router.state.now()) * 1000).rounded() / 1000
            )
        }
        if let last = stats.lastFailure { state["last_failure_status"] = .int(last) }
        return .object(state)
    }

    /// `/health`: probes each deployment with a tiny request and reports which answered.
    public func health() async -> JSON {
        let results = await withTaskGroup(of: (Int, Bool, String?).self) { group in
            for (index, deployment) in config.deployments.enumerated() {
                group.addTask {
                    let error = await self.probe(deployment)
                    return (index, error == nil, error)
                }
            }
            var results: [(Int, Bool, String?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var healthy: [JSON] = []
        var unhealthy: [JSON] = []
        for (index, ok, error) in results {
            let deployment = config.deployments[index]
            var entry = deployment.publicParams
            entry["model_id"] = .string(deployment.id)
            entry["model_group"] = .string(deployment.modelName)
            entry["deployment_state"] = routerState(of: deployment)
            if ok {
                healthy.append(.object(entry))
            } else {
                entry["error"] = .string(error ?? "unhealthy")
                unhealthy.append(.object(entry))
            }
        }
        return [
            "healthy_endpoints": .array(healthy), "unhealthy_endpoints": .array(unhealthy),
            "healthy_count": .int(healthy.count), "unhealthy_count": .int(unhealthy.count),
        ]
    }

    /// nil when the deployment answered 200 to a one-token request; else why not.
    func probe(_ deployment: ModelDeployment) async -> String? {
        let kind = deployment.modelInfo["mode"]?.stringValue
        let operation: ProxyOperation =
            kind == "embedding" ? .embeddings : kind == "completion" ? .completions : .chatCompletions
        var body: JSONObject
        switch operation {
        case .embeddings: body = ["input": "ping"]
        case .completions: body = ["prompt": "ping", "max_tokens": 1]
        case .chatCompletions: body = ["messages": [["role": "user", "content": "ping"]], "max_tokens": 1]
        }
        let upstream = builder.build(deployment, operation: operation, body: body)
        var request = HTTPClientRequest(url: upstream.url)
        request.method = .POST
        for (name, value) in upstream.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: upstream.body))
        do {
            let timeout = min(deployment.timeout ?? 30, 30)
            let response = try await client.execute(
                request,
                timeout: .milliseconds(Int64(timeout * 1000)),
                logger: logger
            )
            _ = try? await response.body.collect(upTo: 1024 * 1024)
            return response.status == .ok ? nil : "upstream answered \(response.status.code)"
        } catch {
            return mapTransportError(
                error,
                timeout: min(deployment.timeout ?? 30, 30),
                deployment: deployment,
                logger: logger
            ).error.message
        }
    }
}
