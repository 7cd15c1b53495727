import Foundation
import NIOConcurrencyHelpers
import Wire

/// Teams, users and end users (LiteLLM's governance records): their management operations, and the cached lookups
/// the key check makes on every request (a team's models, budget and block; a user's role and budget).
public final class AccountService: Sendable {
    public let store: any RecordStore
    public let cacheTTL: Duration

    struct Cached: Sendable {
        var record: JSONObject?
        var fetched: ContinuousClock.Instant
    }

    /// By table name and key; a nil record is a remembered miss.
    let cache = NIOLockedValueBox<[String: Cached]>([:])

    public init(store: any RecordStore, cacheTTL: Duration = .seconds(60)) {
        self.store = store
        self.cacheTTL = cacheTTL
    }

    /// A record by key, from the cache while fresh; a cached record also answers while the database is down.
    public func record(_ table: RecordTable, _ key: String) async throws -> JSONObject? {
        let slot = table.name + "\u{0}" + key
        let cached = cache.withLockedValue { $0[slot] }
        if let cached, ContinuousClock.now - cached.fetched < cacheTTL { return cached.record }
        do {
            let record = try await store.row(table, key: key).map(table.json)
            cache.withLockedValue { $0[slot] = Cached(record: record, fetched: .now) }
            return record
        } catch {
            if let cached { return cached.record }
            throw error
        }
    }

    /// Writes a record and keeps it as the cached copy.
    func save(_ table: RecordTable, _ record: JSONObject) async throws(ProxyError) {
        guard let key = record[table.key]?.stringValue else { return }
        try await storeCall { try await self.store.upsert(table, table.texts(record)) }
        cache.withLockedValue { $0[table.name + "\u{0}" + key] = Cached(record: record, fetched: .now) }
    }

    func remove(_ table: RecordTable, _ keys: [String]) async throws(ProxyError) -> [String] {
        let deleted = try await storeCall { try await self.store.delete(table, keys: keys) }
        cache.withLockedValue { cache in
            for key in keys { cache.removeValue(forKey: table.name + "\u{0}" + key) }
        }
        return deleted
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
