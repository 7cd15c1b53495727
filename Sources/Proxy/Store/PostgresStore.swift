import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Wire

/// PostgreSQL (Azure Database for PostgreSQL in the seed) through postgres-nio's pooled client, which runs as a
/// Service in the proxy's ServiceGroup. Same tables and columns as LiteLLM's Prisma schema; schema creation
/// holds an advisory lock so replicas starting together do not race.
public struct PostgresStore: SpendStore {
    public let kind = "postgres"
    public let pool: PostgresPool
    let logger: Logger

    public init(client: PostgresClient, logger: Logger = Logger(label: "proxy.store")) {
        self.pool = PostgresPool(client: client, logger: logger)
        self.logger = logger
    }

    public init(pool: PostgresPool, logger: Logger = Logger(label: "proxy.store")) {
        self.pool = pool
        self.logger = logger
    }

    /// Reads `postgresql://user:password@host:port/database?sslmode=…`. sslmode `require` encrypts without
    /// verifying the certificate (libpq's meaning, what Azure's connection strings use); `verify-ca` and
    /// `verify-full` verify; `disable` turns TLS off; otherwise TLS is preferred.
    public static func configuration(url: String) throws(LocatedError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""), let host = components.host, !host.isEmpty
        else {
            throw LocatedError(file: "DATABASE_URL", reason: "not a postgresql:// URL")
        }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        var tls = TLSConfiguration.makeClientConfiguration()
        let tlsMode: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tlsMode = .disable
        case "verify-ca", "verify-full": tlsMode = .require(tls)
        case "require":
            tls.certificateVerification = .none
            tlsMode = .require(tls)
        default:
            tls.certificateVerification = .none
            tlsMode = .prefer(tls)
        }
        let database = components.path.split(separator: "/").first.map(String.init)
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database,
            tls: tlsMode
        )
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    public func prepare() async throws {
        // Inserting rows adds their spend to their keys, teams, users and end users: their tables exist with it.
        try await createLocked(
            PostgresStore.schema + [KeySchema.postgresTable] + AccountSchema.all.flatMap(\.postgresSchema)
                + DailySpend.tables.flatMap { DailySpend.create($0, postgres: true) }
        )
    }

    /// Runs schema statements under an advisory lock, so replicas starting together do not race on `CREATE`. The lock
    /// is the transaction's (`pg_advisory_xact_lock`): it is released by the COMMIT that makes the tables visible, so
    /// the next replica finds them there, and by the ROLLBACK of a failed attempt. (A session lock released before the
    /// COMMIT let the next replica's `CREATE TABLE IF NOT EXISTS` miss the uncommitted table and fail on a duplicate
    /// type; its unlock then failed in the aborted transaction and the pooled connection kept the lock, so every later
    /// `prepare` on any replica waited on it for good — seen once in CI with two replicas started together.)
    func createLocked(_ statements: [String]) async throws {
        try await pool.client().withTransaction(logger: logger) { connection in
            // One replica creates the schema; the others wait on the lock, then find it there.
            _ = try await connection.query("SELECT pg_advisory_xact_lock(7468313130)", logger: logger)
            for statement in statements {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_SpendLogs" (
            "request_id" TEXT NOT NULL PRIMARY KEY,
            "call_type" TEXT NOT NULL,
            "api_key" TEXT NOT NULL DEFAULT '',
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "total_tokens" INTEGER NOT NULL DEFAULT 0,
            "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
            "completion_tokens" INTEGER NOT NULL DEFAULT 0,
            "startTime" TIMESTAMP(3) NOT NULL,
            "endTime" TIMESTAMP(3) NOT NULL,
            "request_duration_ms" INTEGER,
            "completionStartTime" TIMESTAMP(3),
            "model" TEXT NOT NULL DEFAULT '',
            "model_id" TEXT DEFAULT '',
            "model_group" TEXT DEFAULT '',
            "custom_llm_provider" TEXT DEFAULT '',
            "api_base" TEXT DEFAULT '',
            "user" TEXT DEFAULT '',
            "metadata" JSONB DEFAULT '{}',
            "cache_hit" TEXT DEFAULT '',
            "cache_key" TEXT DEFAULT '',
            "request_tags" JSONB DEFAULT '[]',
            "team_id" TEXT,
            "organization_id" TEXT,
            "end_user" TEXT,
            "requester_ip_address" TEXT,
            "messages" JSONB DEFAULT '{}',
            "response" JSONB DEFAULT '{}',
            "session_id" TEXT,
            "status" TEXT,
            "mcp_namespaced_tool_name" TEXT,
            "billing_agent_id" TEXT,
            "agent_id" TEXT,
            "proxy_server_request" JSONB DEFAULT '{}',
            "litellm_call_id" TEXT,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
        )
        """,
        #"CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime")"#,
        """
        CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_api_key_startTime_idx" \
        ON "LiteLLM_SpendLogs" ("api_key", "startTime")
        """,
        #"CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_session_id_idx" ON "LiteLLM_SpendLogs" ("session_id")"#,
    ]

    /// One transaction per call (one commit, so one WAL flush, for up to `SpendWriter.rowsPerInsert` rows), in
    /// statements of ≤ 100 rows. Each statement binds its rows column by column, one array per column
    /// (`SpendColumnArray`), and inserts them with `unnest`: prepared once per connection (`SpendBatchInsert`), it is
    /// the same statement for any number of rows, and PostgreSQL neither parses a VALUES list of 2,600 parameters nor
    /// initialises an expression for each. Each statement inserts its rows and adds the spend of the rows that were new
    /// to their keys: a replayed row adds nothing again, and no key spend exists apart from its rows, so a kill loses
    /// or doubles none of it. Where the server has LZ4, the transaction's large values are compressed with it
    /// (`SET LOCAL`: only how new values are stored changes; every reader decompresses either kind).
    public func insert(_ rows: [EncodedSpendRow]) async throws {
        guard !rows.isEmpty else { return }
        try await pool.client().withTransaction(logger: logger) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: PostgresStore.preferLZ4), logger: logger)
            for start in stride(from: 0, to: rows.count, by: 100) {
                let batch = rows[start ..< min(start + 100, rows.count)]
                var bindings = PostgresBindings(capacity: SpendSchema.columns.count)
                for (index, column) in SpendSchema.columns.enumerated() {
                    bindings.append(SpendColumnArray(kind: .of(column: column), values: batch.map { $0.values[index] }))
                }
                var inserted = batch.count
                for try await count in try await connection.execute(
                    SpendBatchInsert(bindings: bindings),
                    logger: logger
                ) {
                    inserted = count
                }
                // Rarely: a replay, or an upstream that repeated an id. Only the second needs a row of its own.
                if inserted < batch.count {
                    _ = try await connection.execute(SpendBatchRelocate(bindings: bindings), logger: logger)
                }
            }
        }
    }

    /// The batch INSERT, prepared on each connection the first time it runs there; answers how many rows were new.
    struct SpendBatchInsert: PostgresPreparedStatement {
        typealias Row = Int
        static let name = "llm_gateway_spend_insert_unnest_v2"
        static let sql = PostgresStore.insertStatement
        let bindings: PostgresBindings
        func makeBindings() throws -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// The same rows again, for those whose request_id another call's row holds: inserted under their own call id.
    struct SpendBatchRelocate: PostgresPreparedStatement {
        typealias Row = ()
        static let name = "llm_gateway_spend_relocate_unnest_v1"
        static let sql = PostgresStore.relocateStatement
        let bindings: PostgresBindings
        func makeBindings() throws -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Column casts for writing: timestamps and JSON travel as text.
    static let casts: [String: String] = [
        "startTime": "::timestamp(3)", "endTime": "::timestamp(3)", "completionStartTime": "::timestamp(3)",
        "metadata": "::jsonb", "messages": "::jsonb", "response": "::jsonb", "proxy_server_request": "::jsonb",
        "request_tags": "::jsonb",
    ]

    /// Inserts the rows of one array per column (`$1` the request ids, …), skipping those already there, adds the
    /// spend of the new ones to their keys, and answers how many were new.
    static let insertStatement = spendInsert(requestID: "\"row\".\"request_id\"", condition: nil)

    /// Inserts, under its own `litellm_call_id`, each row whose request_id is held by another call's row (an upstream
    /// that repeated an id), and adds their spend to their keys. A replayed row finds its own call's row and adds
    /// nothing; a replayed relocated row conflicts on its call id.
    static let relocateStatement = spendInsert(
        requestID: "\"row\".\"litellm_call_id\"",
        condition: """
            "row"."litellm_call_id" IS NOT NULL AND EXISTS (SELECT 1 FROM "LiteLLM_SpendLogs" AS "taken" \
            WHERE "taken"."request_id" = "row"."request_id" \
            AND "taken"."litellm_call_id" IS DISTINCT FROM "row"."litellm_call_id")
            """
    )

    static func spendInsert(requestID: String, condition: String?) -> String {
        let arrays = SpendSchema.columns.enumerated().map { index, column in
            "$\(index + 1)::\(SpendColumnArray.Kind.of(column: column).sqlArray)"
        }
        let values = SpendSchema.columns.map {
            $0 == "request_id" ? requestID : "\"row\".\"\($0)\"" + (casts[$0] ?? "")
        }
        return """
            WITH "inserted" AS (INSERT INTO "LiteLLM_SpendLogs" (\(SpendSchema.quotedColumns)) \
            SELECT \(values.joined(separator: ", ")) \
            FROM unnest(\(arrays.joined(separator: ", "))) AS "row"(\(SpendSchema.quotedColumns)) \
            \(condition.map { "WHERE " + $0 + " " } ?? "")ON CONFLICT ("request_id") DO NOTHING \
            RETURNING \(DailySpend.returned)), \
            "totals" AS (SELECT "api_key", SUM("spend") AS "spend" FROM "inserted" \
            WHERE "spend" > 0 GROUP BY "api_key"), \
            "credited" AS (UPDATE "LiteLLM_VerificationToken" AS "key" SET "spend" = "key"."spend" + "totals"."spend" \
            FROM "totals" WHERE "key"."token" = "totals"."api_key" RETURNING 1), \
            \(SpendCredit.postgres), \(DailySpend.postgres) \
            SELECT count(*)::int8 FROM "inserted"
            """
    }

    /// LZ4 for this transaction's values when the server offers it (PostgreSQL 14+ built with LZ4); nothing otherwise.
    static let preferLZ4 = """
        SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings \
        WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)
        """

    func whereClause(_ query: SpendLogQuery, _ bindings: inout PostgresBindings) -> String {
        var conditions: [String] = []
        if let key = query.apiKey { bindings.append(key); conditions.append("\"api_key\" = $\(bindings.count)") }
        if let id = query.requestID { bindings.append(id); conditions.append("\"request_id\" = $\(bindings.count)") }
        if let user = query.user { bindings.append(user); conditions.append("\"user\" = $\(bindings.count)") }
        if let endUser = query.endUser {
            bindings.append(endUser); conditions.append("\"end_user\" = $\(bindings.count)")
        }
        if let start = query.start {
            bindings.append(TimestampText.format(start));
            conditions.append("\"startTime\" >= $\(bindings.count)::timestamp(3)")
        }
        if let end = query.end {
            bindings.append(TimestampText.format(end));
            conditions.append("\"startTime\" <= $\(bindings.count)::timestamp(3)")
        }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    public func spendLogs(_ query: SpendLogQuery) async throws -> [SpendRow] {
        var bindings = PostgresBindings()
        let clause = whereClause(query, &bindings)
        bindings.append(query.limit)
        bindings.append(query.offset)
        let columns = SpendSchema.columns.map { "\"\($0)\"::text" }.joined(separator: ", ")
        let sql = """
            SELECT \(columns) FROM "LiteLLM_SpendLogs"\(clause) ORDER BY "startTime" DESC, "request_id" DESC \
            LIMIT $\(bindings.count - 1) OFFSET $\(bindings.count)
            """
        return try await textRows(sql, bindings, columns: SpendSchema.columns).compactMap(SpendRow.init(columns:))
    }

    /// Runs a SELECT whose columns are all cast to text and returns each row as column name → text (nulls left out).
    func textRows(_ sql: String, _ bindings: PostgresBindings, columns: [String]) async throws -> [[String: String]] {
        var rows: [[String: String]] = []
        for try await row in try await pool.client().query(
            PostgresQuery(unsafeSQL: sql, binds: bindings),
            logger: logger
        ) {
            let cells = row.makeRandomAccess()
            var values: [String: String] = [:]
            for (index, column) in columns.enumerated() {
                if let text = try cells[index].decode(String?.self) { values[column] = text }
            }
            rows.append(values)
        }
        return rows
    }

    public func countSpendLogs(_ query: SpendLogQuery) async throws -> Int {
        var bindings = PostgresBindings()
        let clause = whereClause(query, &bindings)
        for try await count in try await pool.client().query(
            PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \"LiteLLM_SpendLogs\"\(clause)", binds: bindings),
            logger: logger
        ).decode(Int.self) {
            return count
        }
        return 0
    }

    public func deleteSpendLogs(before date: Date) async throws -> Int {
        var bindings = PostgresBindings()
        bindings.append(TimestampText.format(date))
        var deleted = 0
        let sql = """
            WITH gone AS (DELETE FROM "LiteLLM_SpendLogs" WHERE "startTime" < $1::timestamp(3) RETURNING 1) \
            SELECT COUNT(*) FROM gone
            """
        for try await count in try await pool.client().query(
            PostgresQuery(unsafeSQL: sql, binds: bindings),
            logger: logger
        )
        .decode(Int.self) { deleted = count }
        return deleted
    }

    public func ping() async throws {
        _ = try await pool.client().query("SELECT 1", logger: logger)
    }

    public func close() async throws {}
}
