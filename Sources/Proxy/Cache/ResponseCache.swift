import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// LiteLLM's response cache in front of the router: a request's plan (`CachePlan`), the lookup, and the write of an
/// answer once it is complete. The store failing or slow is a miss, never a failed request: a lookup is bounded by
/// `lookup_timeout_ms`, writes happen after the answer has gone, each failure is counted and logged (at most once a
/// minute), and after one the shared store is left alone for `pause` (a database that is down or slow costs a few
/// requests their lookup time, not every request, and is not sent a query per request while it recovers).
public final class ResponseCache: Sendable {
    public let settings: CacheSettings
    public let store: any ResponseCacheStore
    let logger: Logger
    let failed: @Sendable (String) -> Void
    private let lastWarning = NIOLockedValueBox(ContinuousClock.Instant.now - .seconds(120))
    /// Until when the shared store is skipped after a failure.
    private let pausedUntil = NIOLockedValueBox(ContinuousClock.Instant.now)
    static let pause = Duration.seconds(5)

    public init(
        settings: CacheSettings,
        store: any ResponseCacheStore,
        logger: Logger,
        failed: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.failed = failed
    }

    /// The in-memory store, or the shared table when the settings ask for it and PostgreSQL is the database.
    public convenience init(
        settings: CacheSettings,
        postgres: PostgresStore?,
        logger: Logger,
        failed: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let store: any ResponseCacheStore =
            settings.backend == .postgres
            ? postgres.map(PostgresCacheStore.init) ?? LocalCacheStore(settings)
            : LocalCacheStore(settings)
        self.init(settings: settings, store: store, logger: logger, failed: failed)
    }

    /// The entry the plan may serve, or nil (a miss, or the store failed or took longer than the lookup may).
    func lookup(_ plan: CachePlan, now: Date = Date()) async -> CachedAnswer? {
        guard plan.lookup, !paused else { return nil }
        let found: CachedAnswer?
        do {
            if let local = store as? LocalCacheStore {
                found = local.cached(scope: plan.scope, key: plan.key, now: now)
            } else {
                let result = NIOLockedValueBox<CachedAnswer?>(nil)
                let store = self.store
                try await Deadline.run(within: settings.lookupTimeout) {
                    let entry = try await store.entry(scope: plan.scope, key: plan.key, now: now)
                    result.withLockedValue { $0 = entry }
                }
                found = result.withLockedValue { $0 }
            }
        } catch {
            trouble("lookup", error)
            return nil
        }
        guard let found, plan.accepts(storedAt: found.storedAt, now: now) else { return nil }
        return found
    }

    /// Stores a complete answer: in memory at once, in the shared store in the background (the request has been
    /// answered; nothing waits on it).
    func save(_ plan: CachePlan, body: ByteBuffer, modelID: String, now: Date = Date()) {
        guard plan.store, plan.ttl > 0, body.readableBytes > 0, body.readableBytes <= settings.maximumEntryBytes
        else { return }
        let answer = CachedAnswer(body: Array(body.readableBytesView), storedAt: now, modelID: modelID)
        let expires = now.addingTimeInterval(plan.ttl)
        if let local = store as? LocalCacheStore {
            local.insert(scope: plan.scope, key: plan.key, answer, expires: expires)
            return
        }
        guard !paused else { return }
        Task {
            do {
                try await store.store(scope: plan.scope, key: plan.key, answer, expires: expires)
            } catch {
                trouble("store", error)
            }
        }
    }

    var paused: Bool { ContinuousClock.now < pausedUntil.withLockedValue { $0 } }

    /// Counts a failed store operation, pauses the store and logs it, once a minute at most (an outage would log
    /// every request).
    func trouble(_ operation: String, _ error: any Error) {
        failed(operation)
        let now = ContinuousClock.now
        pausedUntil.withLockedValue { $0 = now + Self.pause }
        let due = lastWarning.withLockedValue { last in
            guard now - last >= .seconds(60) else { return false }
            last = now
            return true
        }
        guard due else { return }
        let reason =
            error is Deadline.Expired ? "took longer than the lookup timeout" : String(describing: type(of: error))
        logger.warning(
            "response cache unavailable; requests go upstream",
            metadata: ["operation": "\(operation)", "store": "\(store.kind)", "reason": "\(reason)"]
        )
    }
}
