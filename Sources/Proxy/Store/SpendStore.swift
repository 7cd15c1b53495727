import Foundation

/// Which spend rows to read.
public struct SpendLogQuery: Sendable {
    /// Whether a row passes the query's filters (as the stores' WHERE clauses do).
    public func matches(_ row: SpendRow) -> Bool {
        (apiKey.map { row.apiKey == $0 } ?? true) && (requestID.map { row.requestID == $0 } ?? true)
            && (user.map { row.user == $0 } ?? true) && (endUser.map { row.endUser == $0 } ?? true)
            && (start.map { row.startTime >= $0 } ?? true) && (end.map { row.startTime <= $0 } ?? true)
    }

    public var apiKey: String?
    public var requestID: String?
    public var user: String?
    /// The request body's `user` (the `end_user` column).
    public var endUser: String?
    public var start: Date?
    public var end: Date?
    public var limit: Int
    public var offset: Int

    public init(
        apiKey: String? = nil,
        requestID: String? = nil,
        user: String? = nil,
        endUser: String? = nil,
        start: Date? = nil,
        end: Date? = nil,
        limit: Int = 100,
        offset: Int = 0
    ) {
        self.apiKey = apiKey
        self.requestID = requestID
        self.user = user
        self.endUser = endUser
        self.start = start
        self.end = end
        self.limit = limit
        self.offset = offset
    }
}

/// The database behind the proxy, with LiteLLM's table and column names so either gateway can use it.
/// Tables are created when missing and used as they are when LiteLLM created them; never dropped or rewritten.
public protocol SpendStore: Sendable {
    /// A short name for logs and `/health/readiness` ("sqlite", "postgres").
    var kind: String { get }
    /// Creates missing tables and indexes.
    func prepare() async throws
    /// Inserts rows; a row whose request_id is already there is left as it is (replays never duplicate). The spend of
    /// the rows that were new is added to their keys in the same statement.
    func insert(_ rows: [EncodedSpendRow]) async throws
    /// Rows matching the query, newest first.
    func spendLogs(_ query: SpendLogQuery) async throws -> [SpendRow]
    /// How many rows match (for paging).
    func countSpendLogs(_ query: SpendLogQuery) async throws -> Int
    /// Deletes rows older than `date`; returns how many.
    func deleteSpendLogs(before date: Date) async throws -> Int
    /// Answers when the database is reachable.
    func ping() async throws
    func close() async throws
}

extension SpendStore {
    /// Inserts rows given as `SpendRow`s.
    public func insert(_ rows: [SpendRow]) async throws {
        try await insert(rows.map(EncodedSpendRow.init))
    }
}
