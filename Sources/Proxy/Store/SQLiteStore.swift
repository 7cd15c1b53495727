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
    }

    public func insert(_ rows: [SpendRow]) async throws {
        guard !rows.isEmpty else { return }
        let connection = try await open()
        let placeholders = "(" + Array(repeating: "?", count: SpendSchema.columns.count).joined(separator: ", ") + ")"
        for batch in stride(from: 0, to: rows.count, by: 100).map({ Array(rows[$0..<min($0 + 100, rows.count)]) }) {
            let sql = "INSERT INTO \"LiteLLM_SpendLogs\" (\(SpendSchema.quotedColumns)) VALUES " + Array(repeating: placeholders, count: batch.count).joined(separator: ", ") + " ON CONFLICT(\"request_id\") DO NOTHING"
            _ = try await connection.query(sql, batch.flatMap(SQLiteStore.binds))
        }
    }

    static func binds(_ row: SpendRow) -> [SQLiteData] {
        func text(_ value: String?) -> SQLiteData { value.map(SQLiteData.text) ?? .null }
        return [
            .text(row.requestID), .text(row.callType), .text(row.apiKey), .float(row.spend), .integer(row.totalTokens), .integer(row.promptTokens),
            .integer(row.completionTokens), .text(SpendRow.format(row.startTime)), .text(SpendRow.format(row.endTime)), .integer(row.requestDurationMs),
            text(row.completionStartTime.map(SpendRow.format)), .text(row.model), .text(row.modelID), .text(row.modelGroup), .text(row.customLLMProvider),
            .text(row.apiBase), .text(row.user), .text(row.metadata.serialized()), text(row.endUser), text(row.requesterIPAddress),
            .text(row.messages.serialized()), .text(row.response.serialized()), text(row.sessionID), .text(row.status),
            .text(row.proxyServerRequest.serialized()), .text(row.litellmCallID),
        ]
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
        func text(_ name: String) -> String? { row.column(name)?.string }
        func json(_ name: String) -> JSON { text(name).flatMap { try? JSON.parse($0) } ?? [:] }
        guard let id = text("request_id"), let start = text("startTime").flatMap(SpendRow.parse), let end = text("endTime").flatMap(SpendRow.parse) else { return nil }
        return SpendRow(
            requestID: id, callType: text("call_type") ?? "", apiKey: text("api_key") ?? "", spend: row.column("spend")?.double ?? 0,
            totalTokens: row.column("total_tokens")?.integer ?? 0, promptTokens: row.column("prompt_tokens")?.integer ?? 0,
            completionTokens: row.column("completion_tokens")?.integer ?? 0, startTime: start, endTime: end,
            completionStartTime: text("completionStartTime").flatMap(SpendRow.parse), requestDurationMs: row.column("request_duration_ms")?.integer ?? 0,
            model: text("model") ?? "", modelID: text("model_id") ?? "", modelGroup: text("model_group") ?? "", customLLMProvider: text("custom_llm_provider") ?? "",
            apiBase: text("api_base") ?? "", user: text("user") ?? "", metadata: json("metadata"), endUser: text("end_user"),
            requesterIPAddress: text("requester_ip_address"), messages: json("messages"), response: json("response"), sessionID: text("session_id"),
            status: text("status") ?? "", proxyServerRequest: json("proxy_server_request"), litellmCallID: text("litellm_call_id") ?? ""
        )
    }
}
