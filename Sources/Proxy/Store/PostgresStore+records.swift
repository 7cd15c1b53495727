import PostgresNIO

extension PostgresStore: RecordStore {
    public func prepare(_ tables: [RecordTable]) async throws {
        try await createLocked(tables.flatMap(\.postgresSchema))
    }

    public func upsert(_ table: RecordTable, _ values: [String?]) async throws {
        var bindings = PostgresBindings()
        for value in values {
            if let value { bindings.append(value) } else { bindings.appendNull() }
        }
        let placeholders = table.columns.enumerated().map { $1.kind.postgresValue($0 + 1) }.joined(separator: ", ")
        let assignments = table.updatedOnConflict.map { "\"\($0)\" = EXCLUDED.\"\($0)\"" }.joined(separator: ", ")
        _ = try await pool.client().query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO \(table.quotedName) (\(table.quotedColumns)) VALUES (\(placeholders)) \
                    ON CONFLICT ("\(table.key)") DO UPDATE SET \(assignments)
                    """,
                binds: bindings
            ),
            logger: logger
        )
    }

    public func rows(_ table: RecordTable, _ filter: RowFilter, limit: Int) async throws -> [[String: String]] {
        guard let (conditions, values) = filter.conditions(table, placeholder: { "$\($0 + 1)" }) else { return [] }
        let select = table.columns.map {
            $0.kind == .textArray ? "array_to_json(\"\($0.name)\")::text" : "\"\($0.name)\"::text"
        }.joined(separator: ", ")
        var bindings = PostgresBindings()
        bindings.append(limit)
        for value in values { bindings.append(value) }
        let order = filter.order(table)
        return try await textRows(
            "SELECT \(select) FROM \(table.quotedName) \(conditions)\(order) LIMIT $1 OFFSET \(filter.offset)",
            bindings,
            columns: table.names
        )
    }

    public func count(_ table: RecordTable, _ filter: RowFilter) async throws -> Int {
        guard let (conditions, values) = filter.conditions(table, placeholder: { "$\($0)" }) else { return 0 }
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        let sql = "SELECT COUNT(*)::bigint FROM \(table.quotedName) \(conditions)"
        for try await count in try await pool.client().query(
            PostgresQuery(unsafeSQL: sql, binds: bindings),
            logger: logger
        )
        .decode(Int.self) {
            return count
        }
        return 0
    }

    public func delete(_ table: RecordTable, keys: [String]) async throws -> [String] {
        var deleted: [String] = []
        for key in keys {
            var bindings = PostgresBindings()
            bindings.append(key)
            let sql = "DELETE FROM \(table.quotedName) WHERE \"\(table.key)\" = $1 RETURNING \"\(table.key)\""
            for try await gone in try await pool.client().query(
                PostgresQuery(unsafeSQL: sql, binds: bindings),
                logger: logger
            )
            .decode(String.self) {
                deleted.append(gone)
            }
        }
        return deleted
    }

    public func renewBudget(_ table: RecordTable, key: String, next: String, now: String) async throws -> Bool {
        var bindings = PostgresBindings()
        bindings.append(next)
        bindings.append(key)
        bindings.append(now)
        let spend = table.names.contains("spend") ? ", \"spend\" = 0" : ""
        let sql = """
            UPDATE \(table.quotedName) SET "budget_reset_at" = $1::timestamp(3)\(spend) \
            WHERE "\(table.key)"::text = $2 AND "budget_reset_at" <= $3::timestamp(3) RETURNING 1
            """
        for try await _ in try await pool.client().query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        {
            return true
        }
        return false
    }

    public func zeroSpend(_ table: RecordTable, where column: String, equals value: String) async throws {
        var bindings = PostgresBindings()
        bindings.append(value)
        let sql = "UPDATE \(table.quotedName) SET \"spend\" = 0 WHERE \"\(column)\" = $1"
        _ = try await pool.client().query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }

    public func anyRow(_ table: RecordTable, notNull columns: [String], orTrue flag: String) async throws -> Bool {
        let notNull = columns.map { "\"\($0)\" IS NOT NULL" }.joined(separator: " OR ")
        let sql = "SELECT 1 FROM \(table.quotedName) WHERE \(notNull) OR \"\(flag)\" IS TRUE LIMIT 1"
        for try await _ in try await pool.client().query(PostgresQuery(unsafeSQL: sql), logger: logger) { return true }
        return false
    }

    public func addSpend(_ table: RecordTable, _ increments: [String: Double]) async throws {
        for (key, amount) in increments {
            var bindings = PostgresBindings()
            bindings.append(amount)
            bindings.append(key)
            let sql =
                "UPDATE \(table.quotedName) SET \"spend\" = COALESCE(\"spend\", 0) + $1 WHERE \"\(table.key)\" = $2"
            _ = try await pool.client().query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        }
    }
}
