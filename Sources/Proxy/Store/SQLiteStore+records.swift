import SQLiteNIO

extension SQLiteStore: RecordStore {
    public func prepare(_ tables: [RecordTable]) async throws {
        let connection = try await open()
        for table in tables { try await SQLiteStore.create(table, on: connection) }
    }

    /// The table, then each column it lacks (SQLite has no `ADD COLUMN IF NOT EXISTS`).
    static func create(_ table: RecordTable, on connection: SQLiteConnection) async throws {
        _ = try await connection.rows(table.create(postgres: false), [])
        try await addMissing(table.name, table.columns.map { ($0.name, $0.kind.sqliteType) }, on: connection)
    }

    /// Adds the columns a table lacks (SQLite has no `ADD COLUMN IF NOT EXISTS`).
    static func addMissing(_ table: String, _ columns: [(name: String, type: String)], on connection: SQLiteConnection)
        async throws
    {
        let present = Set(
            try await connection.rows("PRAGMA table_info(\"\(table)\")", []).compactMap { $0.column("name")?.string }
        )
        for column in columns where !present.contains(column.name) {
            _ = try await connection.rows("ALTER TABLE \"\(table)\" ADD COLUMN \"\(column.name)\" \(column.type)", [])
        }
    }

    public func upsert(_ table: RecordTable, _ values: [String?]) async throws {
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let assignments = table.updatedOnConflict.map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
        _ = try await open().rows(
            """
            INSERT INTO \(table.quotedName) (\(table.quotedColumns)) VALUES (\(placeholders)) \
            ON CONFLICT ("\(table.key)") DO UPDATE SET \(assignments)
            """,
            values.map { $0.map(SQLiteData.text) ?? .null }
        )
    }

    public func rows(_ table: RecordTable, _ filter: RowFilter, limit: Int) async throws -> [[String: String]] {
        // SQLite reads `::text` as a type name; its columns compare as stored.
        guard let (found, values) = filter.conditions(table, placeholder: { _ in "?" }) else { return [] }
        let conditions = found.replacingOccurrences(of: "::text", with: "")
        let rows = try await open().rows(
            "SELECT \(table.quotedColumns) FROM \(table.quotedName) \(conditions)\(filter.order(table)) LIMIT ? "
                + "OFFSET \(filter.offset)",
            values.map(SQLiteData.text) + [.integer(limit)]
        )
        return rows.map { SQLiteStore.texts($0, columns: table.names) }
    }

    public func count(_ table: RecordTable, _ filter: RowFilter) async throws -> Int {
        guard let (found, values) = filter.conditions(table, placeholder: { _ in "?" }) else { return 0 }
        let conditions = found.replacingOccurrences(of: "::text", with: "")
        let sql = "SELECT COUNT(*) AS \"n\" FROM \(table.quotedName) \(conditions)"
        return try await open().rows(sql, values.map(SQLiteData.text)).first?.column("n")?.integer ?? 0
    }

    public func delete(_ table: RecordTable, keys: [String]) async throws -> [String] {
        var deleted: [String] = []
        for key in keys where try await row(table, key: key) != nil {
            _ = try await open().rows("DELETE FROM \(table.quotedName) WHERE \"\(table.key)\" = ?", [.text(key)])
            deleted.append(key)
        }
        return deleted
    }

    public func renewBudget(_ table: RecordTable, key: String, next: String, now: String) async throws -> Bool {
        let connection = try await open()
        let spend = table.names.contains("spend") ? ", \"spend\" = 0" : ""
        _ = try await connection.rows(
            """
            UPDATE \(table.quotedName) SET "budget_reset_at" = ?\(spend) \
            WHERE "\(table.key)" = ? AND "budget_reset_at" <= ?
            """,
            [.text(next), .text(key), .text(now)]
        )
        return try await connection.rows("SELECT changes() AS \"n\"", []).first?.column("n")?.integer ?? 0 > 0
    }

    public func zeroSpend(_ table: RecordTable, where column: String, equals value: String) async throws {
        _ = try await open().rows(
            "UPDATE \(table.quotedName) SET \"spend\" = 0 WHERE \"\(column)\" = ?",
            [.text(value)]
        )
    }

    public func anyRow(_ table: RecordTable, notNull columns: [String], orTrue flag: String) async throws -> Bool {
        let notNull = columns.map { "\"\($0)\" IS NOT NULL" }.joined(separator: " OR ")
        let sql = """
            SELECT 1 AS "x" FROM \(table.quotedName) WHERE \(notNull) OR "\(flag)" IN ('true', '1') LIMIT 1
            """
        return try await !open().rows(sql, []).isEmpty
    }

    public func addSpend(_ table: RecordTable, _ increments: [String: Double]) async throws {
        let connection = try await open()
        for (key, amount) in increments {
            _ = try await connection.rows(
                "UPDATE \(table.quotedName) SET \"spend\" = COALESCE(\"spend\", 0) + ? WHERE \"\(table.key)\" = ?",
                [.float(amount), .text(key)]
            )
        }
    }
}
