/// The proxy's database as LiteLLM lays it out: the spend log, the virtual keys, and (PostgreSQL only) the replicas'
/// shared key usage. Each part is named here once, so nothing has to find a capability by downcasting a store.
public struct Database: Sendable {
    public let spend: any SpendStore
    /// nil for a store without LiteLLM's key table.
    public let keys: (any KeyStore)?
    /// Where replicas share their last-minute key usage: PostgreSQL only (the embedded file serves one process).
    public let keyUsage: (any KeyUsageStore)?
    /// Teams, users, end users and budgets (`AccountSchema`); nil for a store without them.
    public let records: (any RecordStore)?

    public init(
        spend: any SpendStore,
        keys: (any KeyStore)? = nil,
        keyUsage: (any KeyUsageStore)? = nil,
        records: (any RecordStore)? = nil
    ) {
        self.spend = spend
        self.keys = keys
        self.keyUsage = keyUsage
        self.records = records
    }

    /// The embedded SQLite file: spend log, keys and accounts.
    public static func embedded(_ store: SQLiteStore) -> Database {
        Database(spend: store, keys: store, records: store)
    }

    /// PostgreSQL: spend log, keys, accounts and shared key usage.
    public static func postgres(_ store: PostgresStore) -> Database {
        Database(spend: store, keys: store, keyUsage: store, records: store)
    }

    /// Creates the tables that are missing (the spend store's include the accounts': its inserts credit them).
    public func prepare() async throws {
        try await spend.prepare()
        try await keys?.prepareKeys()
    }
}
