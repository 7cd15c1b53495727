import Wire

/// `/health`'s answer (and the UI's models page): which deployments answered a one-token request, with what the
/// router knows of each.
public struct HealthReport: Sendable {
    let catalog: ModelCatalog
    let probe: HealthProbe

    public init(catalog: ModelCatalog, probe: HealthProbe) {
        self.catalog = catalog
        self.probe = probe
    }

    public func run() async -> JSON {
        let failures = await probe.probe(catalog.deployments)
        var healthy: [JSON] = []
        var unhealthy: [JSON] = []
        for (deployment, failure) in zip(catalog.deployments, failures) {
            var entry = deployment.publicParams
            entry["model_id"] = .string(deployment.id)
            entry["model_group"] = .string(deployment.modelName)
            entry["deployment_state"] = catalog.state(of: deployment)
            if let failure {
                entry["error"] = .string(failure)
                unhealthy.append(.object(entry))
            } else {
                healthy.append(.object(entry))
            }
        }
        return [
            "healthy_endpoints": .array(healthy), "unhealthy_endpoints": .array(unhealthy),
            "healthy_count": .int(healthy.count), "unhealthy_count": .int(unhealthy.count),
        ]
    }
}
