import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLiteNIO
import Wire

/// The embedded default: one SQLite file (no database server). Statements run on threads of the store's own, never on
/// an event loop; an actor serialises them. Spend rows are inserted on a connection of their own, one transaction per
/// `insert` call, so a transaction holds nothing but its rows (the actor is re-entered at each await: on a shared
/// connection, another caller's statement would join it).
public actor SQLiteStore: SpendStore {
    public nonisolated let kind = "sqlite"
    public nonisolated let path: String
    /// A thread per connection. A statement waiting (busy_timeout) for the inserts' write lock holds its thread; on a
    /// shared pool such waits took every thread, the insert holding the lock could not run its next statement, and all
    /// waited out the timeout ("database is locked"). SQLite runs one statement per connection at a time anyway.
    private nonisolated let thread: NIOThreadPool
    private nonisolated let inserterThread: NIOThreadPool
    private var connection: SQLiteConnection?
    /// The connection being opened: calls that arrive meanwhile (the actor is re-entered at each await) wait for it
    /// instead of opening a second one.
    private var opening: Task<SQLiteConnection, any Error>?
    /// The spend rows' connection, and whether an `insert` holds it
    /// (an insert abandoned after a timeout may still run).
    private var inserter: SQLiteConnection?
    private var openingInserter: Task<SQLiteConnection, any Error>?
    private var inserting = false
    private let logger: Logger

    struct InsertInProgress: Error {}

    public init(path: String, logger: Logger = Logger(label: "proxy.store")) {
        self.path = path
        self.logger = logger
        thread = NIOThreadPool(numberOfThreads: 1)
        inserterThread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        inserterThread.start()
    }

    deinit {
        thread.shutdownGracefully { _ in }
        inserterThread.shutdownGracefully { _ in }
    }

    func open() async throws -> SQLiteConnection {
        if let connection { return connection }
        if let opening { return try await opening.value }
        let task = Task { [path, thread] in try await SQLiteStore.connect(path, on: thread) }
        opening = task
        defer { opening = nil }
        let opened = try await task.value
        connection = opened
        return opened
    }

    func openInserter() async throws -> SQLiteConnection {
        if let inserter { return inserter }
        if let openingInserter { return try await openingInserter.value }
        let task = Task { [path, inserterThread] in
            let opened = try await SQLiteStore.connect(path, on: inserterThread)
            // The inserts' working set is the random request_id index: a larger page cache keeps it from being read
            // back page by page; statement journals stay in memory; checkpoints (a copy and an fsync) come 4× rarer.
            _ = try await opened.rows("PRAGMA cache_size=-16384", [])
            _ = try await opened.rows("PRAGMA temp_store=MEMORY", [])
            _ = try await opened.rows("PRAGMA wal_autocheckpoint=4000", [])
            return opened
        }
        openingInserter = task
        defer { openingInserter = nil }
        let opened = try await task.value
        inserter = opened
        return opened
    }

    static func connect(_ path: String, on thread: NIOThreadPool) async throws -> SQLiteConnection {
        // Prompts and answers live in this file: readable by the proxy's user only. SQLite gives its -wal and -shm
        // files the same mode.
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let opened = try await SQLiteConnection.open(
            storage: .file(path: path),
            threadPool: thread,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
        try await handOff(from: thread)
        // A new file gets 16 KiB pages (an existing one keeps its own): a row with its bodies (~2.5 KB with the seed's
        // answer) left most of a 4 KiB page empty, and the random request_id index dirties fewer, fuller pages per
        // flush. Together about a third less SQLite time per row.
        _ = try await opened.rows("PRAGMA page_size=16384", [])
        _ = try await opened.rows("PRAGMA journal_mode=WAL", [])
        _ = try await opened.rows("PRAGMA synchronous=NORMAL", [])
        _ = try await opened.rows("PRAGMA busy_timeout=5000", [])
        return opened
    }

    /// The connection object is written on the pool's thread and handed here through a continuation that the Swift
    /// runtime may complete without suspending (an atomic ThreadSanitizer does not see): TSan then reported its first
    /// read as a race. A lock taken on that one thread after the open, then here, is an edge TSan sees. (Queries need
    /// none: sqlite-nio hands their rows over under a lock.)
    static func handOff(from thread: NIOThreadPool) async throws {
        let fence = NIOLockedValueBox(())
        try await thread.runIfActive { fence.withLockedValue { _ in } }
        fence.withLockedValue { _ in }
    }

    public func prepare() async throws {
        let connection = try await open()
        _ = try await connection.rows(SpendSchema.sqliteTable, [])
        for index in SpendSchema.sqliteIndexes { _ = try await connection.rows(index, []) }
        // Inserting rows adds their spend to their keys, teams, users and end users: their tables exist with it.
        _ = try await connection.rows(KeySchema.sqliteTable, [])
        for table in AccountSchema.all { try await SQLiteStore.create(table, on: connection) }
        for table in DailySpend.tables {
            let statements = DailySpend.create(table, postgres: false)
            _ = try await connection.rows(statements[0], [])
            try await SQLiteStore.addMissing(table.name, DailySpend.definitions(table, postgres: false), on: connection)
            for statement in statements.dropFirst() { _ = try await connection.rows(statement, []) }
        }
    }

    /// One transaction (≤ 100 rows per INSERT): the random `request_id` index's pages are written to the WAL once per
    /// call, not once per statement.
    public func insert(_ rows: [EncodedSpendRow]) async throws {
        guard !rows.isEmpty else { return }
        guard !inserting else { throw InsertInProgress() }
        inserting = true
        defer { inserting = false }
        let connection = try await openInserter()
        _ = try await connection.rows("BEGIN IMMEDIATE", [])
        do {
            try await insert(rows, on: connection)
            _ = try await connection.rows("COMMIT", [])
        } catch {
            _ = try? await connection.rows("ROLLBACK", [])
            throw error
        }
    }

    /// The rows in INSERTs of ≤ 100 rows, then one UPDATE adds the spend of the rows that were new to their keys (a
    /// replayed row adds nothing again). The new rows are those past the table's last rowid before the first INSERT:
    /// the transaction holds the file's write lock, so no other writer's rows are among them. (RETURNING would name
    /// them too, with a result row to decode per inserted row and an UPDATE per key per INSERT.)
    private func insert(_ rows: [EncodedSpendRow], on connection: SQLiteConnection) async throws {
        let last =
            try await connection.rows(#"SELECT coalesce(max(rowid), 0) AS "last" FROM "LiteLLM_SpendLogs""#, []).first?
            .column("last")?.integer ?? 0
        for start in stride(from: 0, to: rows.count, by: 100) {
            let batch = rows[start ..< min(start + 100, rows.count)]
            var binds: [SQLiteData] = []
            binds.reserveCapacity(batch.count * SpendSchema.columns.count)
            for row in batch {
                for value in row.values { binds.append(SQLiteStore.bind(value)) }
            }
            _ = try await connection.rows(SQLiteStore.insertStatement(rows: batch.count), binds)
            let inserted =
                try await connection.rows("SELECT changes() AS \"n\"", []).first?.column("n")?.integer ?? batch.count
            // Rarely: a replay, or an upstream that repeated an id. Only the second needs a row of its own.
            if inserted < batch.count { try await relocateTaken(Array(batch), on: connection) }
        }
        _ = try await connection.rows(SQLiteStore.addNewRowsSpend, [.integer(last)])
        for statement in SpendCredit.sqlite + DailySpend.sqlite {
            _ = try await connection.rows(statement, [.integer(last)])
        }
    }

    /// Inserts, under its own `litellm_call_id`, each row whose request_id another call's row holds (an upstream that
    /// repeated an id). A replayed row finds its own call's row and is skipped; a replayed relocated row conflicts.
    private func relocateTaken(_ rows: [EncodedSpendRow], on connection: SQLiteConnection) async throws {
        for row in rows {
            guard case .text(let requestID) = row.values[SpendSchema.requestIDIndex],
                case .text(let callID) = row.values[SpendSchema.callIDIndex], callID != requestID
            else { continue }
            let holder = try await connection.rows(SQLiteStore.requestIDHolder, [.text(requestID)]).first?.column("c")?
                .string
            guard let holder, holder != callID else { continue }
            var binds = row.values.map(SQLiteStore.bind)
            binds[SpendSchema.requestIDIndex] = .text(callID)
            _ = try await connection.rows(SQLiteStore.insertStatement(rows: 1), binds)
        }
    }

    static let requestIDHolder = #"SELECT "litellm_call_id" AS "c" FROM "LiteLLM_SpendLogs" WHERE "request_id" = ?1"#

    /// Adds the spend of the rows past rowid `?1` to their keys. `NOT INDEXED` keeps SQLite on the rowid range: left to
    /// itself it reads the rows through the api_key index, the whole history of every key, at every flush.
    static let addNewRowsSpend = """
        UPDATE "LiteLLM_VerificationToken" AS "key" SET "spend" = "key"."spend" + "totals"."spend" \
        FROM (SELECT "api_key", SUM("spend") AS "spend" FROM "LiteLLM_SpendLogs" NOT INDEXED \
        WHERE rowid > ?1 AND "spend" > 0 GROUP BY "api_key") AS "totals" \
        WHERE "key"."token" = "totals"."api_key"
        """

    /// The INSERT of `rows` rows (the full batch's text is built once).
    static func insertStatement(rows: Int) -> String {
        rows == 100 ? fullBatchInsert : makeInsertStatement(rows: rows)
    }

    static let fullBatchInsert = makeInsertStatement(rows: 100)

    static func makeInsertStatement(rows: Int) -> String {
        let placeholders = "(" + Array(repeating: "?", count: SpendSchema.columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \"LiteLLM_SpendLogs\" (\(SpendSchema.quotedColumns)) VALUES "
            + Array(repeating: placeholders, count: rows).joined(separator: ", ")
            + " ON CONFLICT(\"request_id\") DO NOTHING"
    }

    static func bind(_ value: SpendSchema.Value) -> SQLiteData {
        switch value {
        case .text(let text), .json(let text): .text(text)
        case .integer(let number): .integer(number)
        case .double(let number): .float(number)
        case .null: .null
        }
    }

    func whereClause(_ query: SpendLogQuery) -> (String, [SQLiteData]) {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let key = query.apiKey { conditions.append("\"api_key\" = ?"); binds.append(.text(key)) }
        if let id = query.requestID { conditions.append("\"request_id\" = ?"); binds.append(.text(id)) }
        if let user = query.user { conditions.append("\"user\" = ?"); binds.append(.text(user)) }
        if let endUser = query.endUser { conditions.append("\"end_user\" = ?"); binds.append(.text(endUser)) }
        if let start = query.start {
            conditions.append("\"startTime\" >= ?"); binds.append(.text(TimestampText.format(start)))
        }
        if let end = query.end {
            conditions.append("\"startTime\" <= ?"); binds.append(.text(TimestampText.format(end)))
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), binds)
    }

    public func spendLogs(_ query: SpendLogQuery) async throws -> [SpendRow] {
        let connection = try await open()
        let (clause, binds) = whereClause(query)
        let sql = """
            SELECT \(SpendSchema.quotedColumns) FROM "LiteLLM_SpendLogs"\(clause) \
            ORDER BY "startTime" DESC, "request_id" DESC LIMIT ? OFFSET ?
            """
        let rows = try await connection.rows(sql, binds + [.integer(query.limit), .integer(query.offset)])
        return rows.compactMap(SQLiteStore.row)
    }

    public func countSpendLogs(_ query: SpendLogQuery) async throws -> Int {
        let connection = try await open()
        let (clause, binds) = whereClause(query)
        let rows = try await connection.rows("SELECT COUNT(*) AS n FROM \"LiteLLM_SpendLogs\"\(clause)", binds)
        return rows.first?.column("n")?.integer ?? 0
    }

    public func deleteSpendLogs(before date: Date) async throws -> Int {
        let connection = try await open()
        let before = try await countSpendLogs(SpendLogQuery(end: date))
        _ = try await connection.rows(
            "DELETE FROM \"LiteLLM_SpendLogs\" WHERE \"startTime\" < ?",
            [.text(TimestampText.format(date))]
        )
        return before
    }

    public func ping() async throws {
        _ = try await open().rows("SELECT 1", [])
    }

    public func close() async throws {
        try await connection?.close()
        connection = nil
        try await inserter?.close()
        inserter = nil
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
