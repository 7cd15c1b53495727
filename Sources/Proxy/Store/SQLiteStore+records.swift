import SQLiteNIO

extension SQLiteStore: RecordStore {
    public func prepare(_ tables: [RecordTable]) async throws {
        let connection = try await open()
        for table in tables { try await SQLiteStore.create(table, on: connection) }
    }

    /// The table, then each column it lacks (SQLite has no `ADD COLUMN IF NOT EXISTS`).
    static func create(_ table: RecordTable, on connection: SQLiteConnection) async throws {
        _ = try await connection.rows(table.create(postgres: false), [])
        let present = Set(
            try await connection.rows("PRAGMA table_info(\(table.quotedName))", []).compactMap {
                $0.column("name")?.string
            }
        )
        for column in table.columns where !present.contains(column.name) {
            _ = try await connection.rows(
                "ALTER TABLE \(table.quotedName) ADD COLUMN \"\(column.name)\" \(column.kind.sqliteType)",
                []
            )
        }
    }

    public func upsert(_ table: RecordTable, _ values: [String?]) async throws {
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        _ = try await open().rows(
            "INSERT OR REPLACE INTO \(table.quotedName) (\(table.quotedColumns)) VALUES (\(placeholders))",
            values.map { $0.map(SQLiteData.text) ?? .null }
        )
    }

    public func rows(_ table: RecordTable, where column: String?, equals value: String?, limit: Int) async throws
        -> [[String: String]]
    {
        var binds: [SQLiteData] = []
        var filter = ""
        if let column, table.names.contains(column) {
            filter = "WHERE \"\(column)\" = ? "
            binds.append(.text(value ?? ""))
        }
        binds.append(.integer(limit))
        let rows = try await open().rows(
            "SELECT \(table.quotedColumns) FROM \(table.quotedName) \(filter)ORDER BY \"\(table.key)\" LIMIT ?",
            binds
        )
        return rows.map { SQLiteStore.texts($0, columns: table.names) }
    }

    public func delete(_ table: RecordTable, keys: [String]) async throws -> [String] {
        var deleted: [String] = []
        for key in keys where try await row(table, key: key) != nil {
            _ = try await open().rows("DELETE FROM \(table.quotedName) WHERE \"\(table.key)\" = ?", [.text(key)])
            deleted.append(key)
        }
        return deleted
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
