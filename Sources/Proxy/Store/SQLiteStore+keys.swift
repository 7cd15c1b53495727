import Foundation
import SQLiteNIO

extension SQLiteStore: KeyStore {
    public func prepareKeys() async throws {
        _ = try await open().rows(KeySchema.sqliteTable, [])
    }

    public func insertKey(_ key: VirtualKey) async throws {
        let placeholders = Array(repeating: "?", count: KeySchema.columns.count).joined(separator: ", ")
        _ = try await open().rows(
            "INSERT INTO \"LiteLLM_VerificationToken\" (\(KeySchema.quotedColumns)) VALUES (\(placeholders))",
            SQLiteStore.keyBinds(key)
        )
    }

    public func replaceKey(_ key: VirtualKey) async throws {
        let assignments = KeySchema.columns.dropFirst().map { "\"\($0)\" = ?" }.joined(separator: ", ")
        let binds = Array(SQLiteStore.keyBinds(key).dropFirst()) + [.text(key.token)]
        _ = try await open().rows(
            "UPDATE \"LiteLLM_VerificationToken\" SET \(assignments) WHERE \"token\" = ?",
            binds
        )
    }

    public func key(token: String) async throws -> VirtualKey? {
        let rows = try await open().rows(
            "SELECT \(KeySchema.quotedColumns) FROM \"LiteLLM_VerificationToken\" WHERE \"token\" = ?",
            [.text(token)]
        )
        return rows.first.flatMap(SQLiteStore.key)
    }

    public func deleteKeys(tokens: [String]) async throws -> [String] {
        var deleted: [String] = []
        for token in tokens where try await key(token: token) != nil {
            _ = try await open().rows("DELETE FROM \"LiteLLM_VerificationToken\" WHERE \"token\" = ?", [.text(token)])
            deleted.append(token)
        }
        return deleted
    }

    public func listKeys(owner: KeyOwner?, offset: Int, limit: Int) async throws -> [VirtualKey] {
        let filter = owner.map { "WHERE \"\($0.column)\" = ? " } ?? ""
        let rows = try await open().rows(
            """
            SELECT \(KeySchema.quotedColumns) FROM "LiteLLM_VerificationToken" \
            \(filter)ORDER BY "created_at" DESC, "token" DESC LIMIT ? OFFSET ?
            """,
            (owner.map { [SQLiteData.text($0.id)] } ?? []) + [.integer(limit), .integer(offset)]
        )
        return rows.compactMap(SQLiteStore.key)
    }

    public func countKeys(owner: KeyOwner?) async throws -> Int {
        let filter = owner.map { " WHERE \"\($0.column)\" = ?" } ?? ""
        return try await open().rows(
            "SELECT COUNT(*) AS n FROM \"LiteLLM_VerificationToken\"" + filter,
            owner.map { [SQLiteData.text($0.id)] } ?? []
        ).first?.column("n")?.integer ?? 0
    }

    public func addKeySpend(_ increments: [String: Double]) async throws {
        let connection = try await open()
        for (token, amount) in increments {
            _ = try await connection.rows(
                "UPDATE \"LiteLLM_VerificationToken\" SET \"spend\" = \"spend\" + ? WHERE \"token\" = ?",
                [.float(amount), .text(token)]
            )
        }
    }

    static func keyBinds(_ key: VirtualKey) -> [SQLiteData] {
        KeySchema.texts(key).map { $0.map(SQLiteData.text) ?? .null }
    }

    static func key(_ row: SQLiteRow) -> VirtualKey? {
        KeySchema.key(from: texts(row, columns: KeySchema.columns))
    }
}
