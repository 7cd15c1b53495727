import Foundation
import Logging
import SQLiteNIO
import Wire

/// The embedded default: one SQLite file (no database server). Statements run on NIO's thread pool, never on an
/// event loop; an actor serialises them on the single connection.
public actor SQLiteStore: SpendStore {
    public nonisolated let kind = "sqlite"
    public nonisolated let path: String
    private var connection: SQLiteConnection?
    /// The connection being opened: calls that arrive meanwhile (the actor is re-entered at each await) wait for it
    /// instead of opening a second one.
    private var opening: Task<SQLiteConnection, any Error>?
    private let logger: Logger

    public init(path: String, logger: Logger = Logger(label: "proxy.store")) {
        self.path = path
        self.logger = logger
    }

    func open() async throws -> SQLiteConnection {
        if let connection { return connection }
        if let opening { return try await opening.value }
        let path = self.path
        let task = Task {
            let opened = try await SQLiteConnection.open(storage: .file(path: path))
            _ = try await opened.query("PRAGMA journal_mode=WAL", [])
            _ = try await opened.query("PRAGMA synchronous=NORMAL", [])
            _ = try await opened.query("PRAGMA busy_timeout=5000", [])
            return opened
        }
        opening = task
        defer { opening = nil }
        let opened = try await task.value
        connection = opened
        return opened
    }

    public func prepare() async throws {
        let connection = try await open()
        _ = try await connection.query(SpendSchema.sqliteTable, [])
        for index in SpendSchema.sqliteIndexes { _ = try await connection.query(index, []) }
        // Inserting rows adds their spend to their keys, so the key table exists with the spend table.
        _ = try await connection.query(KeySchema.sqliteTable, [])
    }

    public func insert(_ rows: [SpendRow]) async throws {
        guard !rows.isEmpty else { return }
        let connection = try await open()
        let placeholders = "(" + Array(repeating: "?", count: SpendSchema.columns.count).joined(separator: ", ") + ")"
        for batch in stride(from: 0, to: rows.count, by: 100).map({ Array(rows[$0..<min($0 + 100, rows.count)]) }) {
            let sql = "INSERT INTO \"LiteLLM_SpendLogs\" (\(SpendSchema.quotedColumns)) VALUES " + Array(repeating: placeholders, count: batch.count).joined(separator: ", ")
                + " ON CONFLICT(\"request_id\") DO NOTHING RETURNING \"api_key\", \"spend\""
            // The spend of the rows that were new goes to their keys (a replayed row adds nothing again).
            var totals: [String: Double] = [:]
            for row in try await connection.query(sql, batch.flatMap(SQLiteStore.binds)) {
                if let key = row.column("api_key")?.string, let spend = row.column("spend")?.double, spend > 0 { totals[key, default: 0] += spend }
            }
            for (token, spend) in totals {
                _ = try await connection.query("UPDATE \"LiteLLM_VerificationToken\" SET \"spend\" = \"spend\" + ? WHERE \"token\" = ?", [.float(spend), .text(token)])
            }
        }
    }

    static func binds(_ row: SpendRow) -> [SQLiteData] {
        SpendSchema.values(row).map { value in
            switch value {
            case .text(let text): .text(text)
            case .integer(let number): .integer(number)
            case .double(let number): .float(number)
            case .null: .null
            }
        }
    }

    func whereClause(_ query: SpendLogQuery) -> (String, [SQLiteData]) {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let key = query.apiKey { conditions.append("\"api_key\" = ?"); binds.append(.text(key)) }
        if let id = query.requestID { conditions.append("\"request_id\" = ?"); binds.append(.text(id)) }
        if let user = query.user { conditions.append("\"user\" = ?"); binds.append(.text(user)) }
        if let start = query.start { conditions.append("\"startTime\" >= ?"); binds.append(.text(SpendRow.format(start))) }
        if let end = query.end { conditions.append("\"startTime\" <= ?"); binds.append(.text(SpendRow.format(end))) }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), binds)
    }

    public func spendLogs(_ query: SpendLogQuery) async throws -> [SpendRow] {
        let connection = try await open()
        let (clause, binds) = whereClause(query)
        let sql = "SELECT \(SpendSchema.quotedColumns) FROM \"LiteLLM_SpendLogs\"\(clause) ORDER BY \"startTime\" DESC LIMIT ? OFFSET ?"
        let rows = try await connection.query(sql, binds + [.integer(query.limit), .integer(query.offset)])
        return rows.compactMap(SQLiteStore.row)
    }

    public func countSpendLogs(_ query: SpendLogQuery) async throws -> Int {
        let connection = try await open()
        let (clause, binds) = whereClause(query)
        let rows = try await connection.query("SELECT COUNT(*) AS n FROM \"LiteLLM_SpendLogs\"\(clause)", binds)
        return rows.first?.column("n")?.integer ?? 0
    }

    public func deleteSpendLogs(before date: Date) async throws -> Int {
        let connection = try await open()
        let before = try await countSpendLogs(SpendLogQuery(end: date))
        _ = try await connection.query("DELETE FROM \"LiteLLM_SpendLogs\" WHERE \"startTime\" < ?", [.text(SpendRow.format(date))])
        return before
    }

    public func ping() async throws {
        _ = try await open().query("SELECT 1", [])
    }

    public func close() async throws {
        try await connection?.close()
        connection = nil
    }

    static func row(_ row: SQLiteRow) -> SpendRow? {
        SpendRow(columns: texts(row, columns: SpendSchema.columns))
    }

    /// A row's columns as text (numbers written out, nulls and blobs left out): the form both backends decode from.
    static func texts(_ row: SQLiteRow, columns: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for column in columns {
            switch row.column(column) {
            case .text(let text)?: values[column] = text
            case .integer(let number)?: values[column] = String(number)
            case .float(let number)?: values[column] = String(number)
            default: continue
            }
        }
        return values
    }
}
