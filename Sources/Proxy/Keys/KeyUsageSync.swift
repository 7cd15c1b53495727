import Foundation
import Logging
import ServiceLifecycle

/// Keeps virtual-key rpm / tpm / parallel limits across replicas without Redis: every `interval` each replica
/// publishes its own last-minute counts through PostgreSQL and reads the others' sums, which `KeyService.admit` adds
/// to its local counts. N replicas together stay within a limit plus at most one interval's traffic.
public final class KeyUsageSync: Service, Sendable {
    let keys: KeyService
    let store: any KeyUsageStore
    let interval: Duration
    public let replica: String
    let logger: Logger

    public init(
        keys: KeyService,
        store: any KeyUsageStore,
        interval: Duration = .seconds(1),
        replica: String = UUID().uuidString.lowercased(),
        logger: Logger
    ) {
        self.keys = keys
        self.store = store
        self.interval = interval
        self.replica = replica
        self.logger = logger
    }

    public func run() async throws {
        var prepared = false
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Bounded: PostgreSQL's pool waits for a connection as long as the server is unreachable, and this loop
                // must keep its pace and stop on SIGTERM meanwhile.
                if !prepared {
                    let store = self.store
                    try await Deadline.run(within: .seconds(5)) { try await store.prepareKeyUsage() }
                    prepared = true
                }
                try await Deadline.run(within: .seconds(5)) { try await self.sync() }
                if failing { logger.info("key usage sync working again") }
                failing = false
            } catch {
                if !failing {
                    logger.warning(
                        "key usage sync failed; limits hold per replica until it works",
                        metadata: ["error": "\(String(describing: error).prefix(200))"]
                    )
                }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
        // Leaving: publish nothing in flight, so the others stop counting this replica's parallel requests.
        let (store, replica, leaving) = (
            self.store, self.replica,
            keys.localUsage().mapValues { KeyUsage(requests: $0.requests, tokens: $0.tokens, inFlight: 0) }
        )
        try? await Deadline.run(within: .seconds(2)) {
            try await store.publishKeyUsage(replica: replica, usage: leaving)
        }
    }

    /// One round: publish ours, read theirs.
    public func sync() async throws {
        try await store.publishKeyUsage(replica: replica, usage: keys.localUsage())
        keys.setRemoteUsage(try await store.otherReplicasKeyUsage(excluding: replica))
    }
}
