import Foundation
import PostgresNIO

extension PostgresStore: KeyStore {
    /// How each written column is cast from its text form.
    static let keyCasts: [String: String] = [
        "spend": "::double precision", "expires": "::timestamp(3)", "max_budget": "::double precision",
        "budget_reset_at": "::timestamp(3)",
        "tpm_limit": "::bigint", "rpm_limit": "::bigint", "max_parallel_requests": "::integer", "metadata": "::jsonb",
        "blocked": "::boolean",
        "created_at": "::timestamp(3)", "updated_at": "::timestamp(3)",
    ]

    static func keyValue(_ column: String, _ index: Int) -> String {
        column == "models"
            ? "ARRAY(SELECT jsonb_array_elements_text($\(index)::jsonb))" : "$\(index)" + (keyCasts[column] ?? "")
    }

    static var keySelect: String {
        KeySchema.columns.map { $0 == "models" ? "array_to_json(\"models\")::text" : "\"\($0)\"::text" }.joined(
            separator: ", "
        )
    }

    public func prepareKeys() async throws {
        try await createLocked([KeySchema.postgresTable])
    }

    func keyBindings(_ key: VirtualKey) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in KeySchema.texts(key) {
            if let value { bindings.append(value) } else { bindings.appendNull() }
        }
        return bindings
    }

    public func insertKey(_ key: VirtualKey) async throws {
        let values = KeySchema.columns.enumerated().map { PostgresStore.keyValue($1, $0 + 1) }.joined(separator: ", ")
        _ = try await pool.client().query(
            PostgresQuery(
                unsafeSQL: "INSERT INTO \"LiteLLM_VerificationToken\" (\(KeySchema.quotedColumns)) VALUES (\(values))",
                binds: keyBindings(key)
            ),
            logger: logger
        )
    }

    public func replaceKey(_ key: VirtualKey) async throws {
        let assignments = KeySchema.columns.enumerated().dropFirst().map {
            "\"\($1)\" = " + PostgresStore.keyValue($1, $0 + 1)
        }.joined(separator: ", ")
        _ = try await pool.client().query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE "LiteLLM_VerificationToken" SET \(assignments) WHERE "token" = $1
                    """,
                binds: keyBindings(key)
            ),
            logger: logger
        )
    }

    func selectKeys(_ sql: String, _ bindings: PostgresBindings) async throws -> [VirtualKey] {
        try await textRows(sql, bindings, columns: KeySchema.columns).compactMap(KeySchema.key(from:))
    }

    public func key(token: String) async throws -> VirtualKey? {
        var bindings = PostgresBindings()
        bindings.append(token)
        return try await selectKeys(
            "SELECT \(PostgresStore.keySelect) FROM \"LiteLLM_VerificationToken\" WHERE \"token\" = $1",
            bindings
        ).first
    }

    public func deleteKeys(tokens: [String]) async throws -> [String] {
        var deleted: [String] = []
        for token in tokens {
            var bindings = PostgresBindings()
            bindings.append(token)
            for try await gone in try await pool.client().query(
                PostgresQuery(
                    unsafeSQL: "DELETE FROM \"LiteLLM_VerificationToken\" WHERE \"token\" = $1 RETURNING \"token\"",
                    binds: bindings
                ),
                logger: logger
            ).decode(String.self) {
                deleted.append(gone)
            }
        }
        return deleted
    }

    public func listKeys(owner: KeyOwner?, offset: Int, limit: Int) async throws -> [VirtualKey] {
        var bindings = PostgresBindings()
        bindings.append(limit)
        bindings.append(offset)
        if let owner { bindings.append(owner.id) }
        let filter = owner.map { "WHERE \"\($0.column)\" = $3 " } ?? ""
        return try await selectKeys(
            """
            SELECT \(PostgresStore.keySelect) FROM "LiteLLM_VerificationToken" \
            \(filter)ORDER BY "created_at" DESC, "token" DESC LIMIT $1 OFFSET $2
            """,
            bindings
        )
    }

    public func countKeys(owner: KeyOwner?) async throws -> Int {
        var bindings = PostgresBindings()
        if let owner { bindings.append(owner.id) }
        let filter = owner.map { " WHERE \"\($0.column)\" = $1" } ?? ""
        for try await count in try await pool.client().query(
            PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \"LiteLLM_VerificationToken\"" + filter, binds: bindings),
            logger: logger
        ).decode(Int.self) { return count }
        return 0
    }

    public func addKeySpend(_ increments: [String: Double]) async throws {
        for (token, amount) in increments {
            var bindings = PostgresBindings()
            bindings.append(amount)
            bindings.append(token)
            _ = try await pool.client().query(
                PostgresQuery(
                    unsafeSQL:
                        "UPDATE \"LiteLLM_VerificationToken\" SET \"spend\" = \"spend\" + $1 WHERE \"token\" = $2",
                    binds: bindings
                ),
                logger: logger
            )
        }
    }
}
