import Hummingbird
import Wire

/// LiteLLM's health probes: liveness (always up), readiness (the database and the spend writer) and `/health`
/// (a one-token request to every deployment).
struct HealthController {
    let writer: SpendWriter?
    let settings: ProxySettings
    let report: HealthReport

    /// The unauthenticated probes Kubernetes calls.
    func addProbes(to router: Router<ProxyRequestContext>) {
        router.get("/health/liveliness") { _, _ in HTTPAnswer.json(200, "I'm alive!") }
        router.get("/health/liveness") { _, _ in HTTPAnswer.json(200, "I'm alive!") }
        router.get("/health/readiness") { _, _ in
            let (status, body) = await readiness()
            return HTTPAnswer.json(status, body)
        }
    }

    /// `/health`, behind a key.
    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.get("/health") { _, _ in HTTPAnswer.json(200, await report.run()) }
    }

    /// `/health/readiness`: the database state and the spend writer's counters (dropped must stay 0).
    func readiness() async -> (status: Int, body: JSON) {
        guard let writer else {
            return (200, ["status": "healthy", "db": "Not connected", "litellm_version": .string(Gateway.version)])
        }
        let counters = writer.counters
        let connected: Bool
        do {
            // Bounded: a database that stops answering must not hang the readiness probe (Kubernetes would take every
            // replica out of the Service although requests are still served).
            let store = writer.store
            try await Deadline.run(within: .seconds(1)) { try await store.ping() }
            connected = counters.connected
        } catch {
            connected = false
        }
        let requireDB = settings.keys.allowRequestsOnDBUnavailable == false
        let body: JSON = [
            "status": .string(connected || !requireDB ? "healthy" : "unhealthy"),
            "db": .string(connected ? "connected" : "disconnected"),
            "db_kind": .string(writer.store.kind),
            "litellm_version": .string(Gateway.version),
            "spend_writer": [
                "queued": .int(counters.queued), "written": .int(counters.written), "spilled": .int(counters.spilled),
                "replayed": .int(counters.replayed), "dropped": .int(counters.dropped),
            ],
        ]
        return (connected || !requireDB ? 200 : 503, body)
    }
}
