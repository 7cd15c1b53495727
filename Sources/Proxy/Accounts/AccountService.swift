import Foundation
import NIOConcurrencyHelpers
import Wire

/// Teams, users and end users (LiteLLM's governance records): their management operations, and the cached lookups
/// the key check makes on every request (a team's models, budget and block; a user's role and budget).
public final class AccountService: Sendable {
    public let store: any RecordStore
    public let cacheTTL: Duration
    /// A lookup the database has not answered after this long fails (PostgreSQL's pool waits as long as the server
    /// is unreachable; a request must not wait with it).
    public let lookupTimeout: Duration
    /// After a failed lookup with nothing cached, the same record fails at once for this long instead of waiting again.
    public let failureTTL: Duration
    /// Where management changes are recorded.
    public let audit: AuditTrail

    struct Cached: Sendable {
        var record: JSONObject?
        var fetched: ContinuousClock.Instant
        /// The database failed and nothing was known: not a record, not a miss.
        var failed = false
    }

    /// By table name and key; a nil record is a remembered miss.
    let cache = NIOLockedValueBox<[String: Cached]>([:])

    struct LookupFailed: Error {}

    /// Whether any end user has a budget or is blocked, as last read (and when): until one has, the body's `user`
    /// costs no lookup (most clients send one, and few are governed).
    let governedEndUsers = NIOLockedValueBox<(Bool, ContinuousClock.Instant)?>(nil)

    public init(
        store: any RecordStore,
        cacheTTL: Duration = .seconds(60),
        lookupTimeout: Duration = .seconds(5),
        failureTTL: Duration = .seconds(5),
        audit: AuditTrail? = nil
    ) {
        self.audit = audit ?? AuditTrail(store: store, enabled: true)
        self.store = store
        self.cacheTTL = cacheTTL
        self.lookupTimeout = lookupTimeout
        self.failureTTL = failureTTL
    }

    /// A record by key, from the cache while fresh; a cached record also answers while the database is down.
    public func record(_ table: RecordTable, _ key: String) async throws -> JSONObject? {
        let slot = table.name + "\u{0}" + key
        let cached = cache.withLockedValue { $0[slot] }
        if let cached {
            let age = ContinuousClock.now - cached.fetched
            if cached.failed, age < failureTTL { throw LookupFailed() }
            if !cached.failed, age < cacheTTL { return cached.record }
        }
        do {
            let answer = NIOLockedValueBox<JSONObject?>(nil)
            let store = self.store
            try await Deadline.run(within: lookupTimeout) {
                let row = try await store.row(table, key: key)
                answer.withLockedValue { $0 = row.map(table.json) }
            }
            let record = answer.withLockedValue { $0 }
            remember(slot, Cached(record: record, fetched: .now))
            return record
        } catch {
            if var cached, !cached.failed {
                // The stale copy answers; the database is asked again only after `failureTTL`, not on every request.
                cached.fetched = .now - cacheTTL + failureTTL
                remember(slot, cached)
                return cached.record
            }
            remember(slot, Cached(record: nil, fetched: .now, failed: true))
            throw error
        }
    }

    /// Writes a record and keeps it as the cached copy.
    func save(_ table: RecordTable, _ record: JSONObject) async throws(ProxyError) {
        let texts = table.texts(record)
        guard let key = texts.first ?? nil else {
            throw AccountService.badRequest("\(table.key) is required", param: table.key)
        }
        let before = await recordedBefore(table, [key])[key]
        try await storeCall { try await self.store.upsert(table, texts) }
        remember(table.name + "\u{0}" + key, Cached(record: record, fetched: .now))
        guard audit.isRecording else { return }
        // Read back as the database holds it, so before and after compare like for like; without `spend`, which the
        // upsert never writes (spend credited meanwhile is not this change).
        var after = table.json(
            Dictionary(
                uniqueKeysWithValues: zip(table.names, texts).compactMap { name, text in
                    text.map { (name, $0) }
                }
            )
        )
        after.removeValue(forKey: "spend")
        guard let action = AuditTrail.action(before: before, after: after) else { return }
        await audit.record(
            action,
            table: table.name,
            objectID: key,
            before: before.map(JSON.object),
            after: .object(after)
        )
    }

    func remove(_ table: RecordTable, _ keys: [String]) async throws(ProxyError) -> [String] {
        let before = await recordedBefore(table, keys)
        let deleted = try await storeCall { try await self.store.delete(table, keys: keys) }
        cache.withLockedValue { cache in
            for key in keys { cache.removeValue(forKey: table.name + "\u{0}" + key) }
        }
        for key in deleted {
            await audit.record(
                "deleted",
                table: table.name,
                objectID: key,
                before: before[key].map(JSON.object),
                after: nil
            )
        }
        return deleted
    }

    /// The rows as they are before a management change, when the audit log records it. A row that can't be read
    /// is `{}` (unknown, so an update of it is not taken for a creation).
    func recordedBefore(_ table: RecordTable, _ keys: [String]) async -> [String: JSONObject] {
        guard audit.isRecording else { return [:] }
        var rows: [String: JSONObject] = [:]
        for key in keys {
            do {
                if let row = try await store.row(table, key: key) { rows[key] = table.json(row) }
            } catch {
                rows[key] = JSONObject()
            }
        }
        return rows
    }

    /// The most records cached: end users are named by the request body, so anyone can add entries; past this the
    /// cache starts over (teams and users are read again once).
    static let maximumCached = 50_000

    func remember(_ slot: String, _ entry: Cached) {
        cache.withLockedValue { cache in
            if cache.count >= AccountService.maximumCached, cache[slot] == nil {
                cache.removeAll(keepingCapacity: true)
            }
            cache[slot] = entry
        }
    }

    /// Drops every cached record of a table (its rows changed in the database in a way not worth tracking one by one).
    func forgetAll(_ table: RecordTable) {
        cache.withLockedValue { cache in cache = cache.filter { !$0.key.hasPrefix(table.name + "\u{0}") } }
    }

    /// Adds spend the request just made to cached records, so budgets hold before the batched update lands.
    public func addCachedSpend(_ table: RecordTable, _ key: String, _ amount: Double) {
        guard amount > 0 else { return }
        cache.withLockedValue { cache in
            let slot = table.name + "\u{0}" + key
            guard var entry = cache[slot], var record = entry.record else { return }
            record["spend"] = .double((record["spend"]?.doubleValue ?? 0) + amount)
            entry.record = record
            cache[slot] = entry
        }
    }

    func storeCall<T>(_ body: () async throws -> T) async throws(ProxyError) -> T {
        try await ProxyError.storeCall("Database", body)
    }
}
