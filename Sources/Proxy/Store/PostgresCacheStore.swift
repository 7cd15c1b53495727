import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The response cache in a PostgreSQL table every replica shares (what LiteLLM's Redis cache gives a deployment of
/// several pods). The table is the gateway's own, made on first use and again if it goes (LiteLLM's schema tooling may
/// drop it, which only empties the cache). Expired entries are not served and are swept at most once a minute, by a
/// write, through an index on their expiry.
public final class PostgresCacheStore: ResponseCacheStore {
    public let kind = "postgres"
    let store: PostgresStore
    private let state = NIOLockedValueBox((prepared: false, lastSweep: Date.distantPast))

    static let table = "\"LiteLLM_GatewayResponseCache\""
    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS \(table) (
            "scope" TEXT NOT NULL,
            "cache_key" TEXT NOT NULL,
            "response" TEXT NOT NULL,
            "model_id" TEXT NOT NULL DEFAULT '',
            "stored_at" DOUBLE PRECISION NOT NULL,
            "expires_at" DOUBLE PRECISION NOT NULL,
            PRIMARY KEY ("scope", "cache_key")
        )
        """,
        // The sweep finds expired entries without reading the whole table.
        """
        CREATE INDEX IF NOT EXISTS "LiteLLM_GatewayResponseCache_expires_at_idx" ON \(table) ("expires_at")
        """,
    ]

    public init(store: PostgresStore) {
        self.store = store
    }

    public func entry(scope: String, key: String, now: Date) async throws -> CachedAnswer? {
        let sql = """
            SELECT "response", "model_id", "stored_at" FROM \(Self.table) \
            WHERE "scope" = $1 AND "cache_key" = $2 AND "expires_at" > $3
            """
        var bindings = PostgresBindings()
        bindings.append(scope)
        bindings.append(key)
        bindings.append(now.timeIntervalSince1970)
        let result = try await rows(sql, bindings)
        for try await (body, modelID, storedAt) in result.decode((String, String, Double).self) {
            return CachedAnswer(
                body: Array(body.utf8),
                storedAt: Date(timeIntervalSince1970: storedAt),
                modelID: modelID
            )
        }
        return nil
    }

    public func store(scope: String, key: String, _ answer: CachedAnswer, expires: Date) async throws {
        let sql = """
            INSERT INTO \(Self.table) ("scope", "cache_key", "response", "model_id", "stored_at", "expires_at") \
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("scope", "cache_key") DO UPDATE SET \
            "response" = EXCLUDED."response", "model_id" = EXCLUDED."model_id", \
            "stored_at" = EXCLUDED."stored_at", "expires_at" = EXCLUDED."expires_at"
            """
        var bindings = PostgresBindings()
        bindings.append(scope)
        bindings.append(key)
        bindings.append(String(decoding: answer.body, as: UTF8.self))
        bindings.append(answer.modelID)
        bindings.append(answer.storedAt.timeIntervalSince1970)
        bindings.append(expires.timeIntervalSince1970)
        try await execute(sql, bindings)
        let sweep = state.withLockedValue { state in
            guard answer.storedAt.timeIntervalSince(state.lastSweep) >= 60 else { return false }
            state.lastSweep = answer.storedAt
            return true
        }
        if sweep {
            var expired = PostgresBindings()
            expired.append(answer.storedAt.timeIntervalSince1970)
            try await execute("DELETE FROM \(Self.table) WHERE \"expires_at\" <= $1", expired)
        }
    }

    public func delete(keys: [String]) async throws -> Int {
        var bindings = PostgresBindings()
        bindings.append(keys)
        let sql = """
            WITH gone AS (DELETE FROM \(Self.table) WHERE "cache_key" = ANY($1) RETURNING 1) SELECT COUNT(*) FROM gone
            """
        let result = try await rows(sql, bindings)
        for try await count in result.decode(Int.self) { return count }
        return 0
    }

    public func flush() async throws {
        try await execute("DELETE FROM \(Self.table)", PostgresBindings())
    }

    func execute(_ sql: String, _ bindings: PostgresBindings) async throws {
        _ = try await rows(sql, bindings)
    }

    func rows(_ sql: String, _ bindings: PostgresBindings) async throws -> PostgresRowSequence {
        try await withTable {
            try await store.pool.client().query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: store.logger)
        }
    }

    /// The table, once per process (under the schema's advisory lock, as replicas may start together), and again
    /// when it has gone (dropped by other schema tooling): `undefinedTable` makes the next call create it.
    func prepare() async throws {
        guard !state.withLockedValue({ $0.prepared }) else { return }
        try await store.createLocked(Self.schema)
        state.withLockedValue { $0.prepared = true }
    }

    /// Runs `operation`; when the table is missing, makes it and runs the operation once more.
    func withTable<T>(_ operation: () async throws -> T) async throws -> T {
        try await prepare()
        do {
            return try await operation()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {
            state.withLockedValue { $0.prepared = false }
            try await prepare()
            return try await operation()
        }
    }
}
