/// LiteLLM's daily rollups (`"LiteLLM_DailyUserSpend"`, `…TeamSpend`, `…TagSpend`), the tables its UI's Usage pages
/// and `/…/daily/activity` read. Written in the statement that inserts the spend rows (so each row counts exactly
/// once), one upsert per (entity, date, api_key, model, provider, MCP tool, endpoint), the key columns never NULL
/// (NULLs never match in a unique index), as LiteLLM's own bulk upsert writes them.
enum DailySpend {
    struct Table {
        let name: String
        /// The entity's column, and the spend row's expression naming it (one row per tag for the tag table).
        let entity: String
        let postgresEntity: String
        let sqliteEntity: String
        var carriesRequestID: Bool { entity == "tag" }
    }

    static let tables = [
        Table(
            name: "LiteLLM_DailyUserSpend",
            entity: "user_id",
            postgresEntity: #"COALESCE("user", '')"#,
            sqliteEntity: #"COALESCE("user", '')"#
        ),
        Table(
            name: "LiteLLM_DailyTeamSpend",
            entity: "team_id",
            postgresEntity: #"COALESCE("team_id", '')"#,
            sqliteEntity: #"COALESCE("team_id", '')"#
        ),
        Table(
            name: "LiteLLM_DailyTagSpend",
            entity: "tag",
            postgresEntity: #"""
                jsonb_array_elements_text(CASE WHEN jsonb_typeof("request_tags") = 'array' \#
                THEN "request_tags" ELSE '[]'::jsonb END)
                """#,
            sqliteEntity: #""tags"."value""#
        ),
    ]

    /// A rollup table for reading, by the record store.
    static func record(_ table: Table) -> RecordTable {
        RecordTable(
            table.name,
            [("id", .text), (table.entity, .text)] + keyColumns.map { ($0, RecordTable.Kind.text) }
                + [("model_group", .text)] + counters.map { ($0, RecordTable.Kind.bigint) } + [("spend", .double)]
        )
    }

    static let keyColumns = ["date", "api_key", "model", "custom_llm_provider", "mcp_namespaced_tool_name", "endpoint"]
    static let counters = [
        "prompt_tokens", "completion_tokens", "api_requests", "successful_requests", "failed_requests",
        "total_response_time_ms", "timed_requests",
    ]

    /// The columns written: id, entity, the key, model_group, the counters, spend (request_id for tags).
    static func columns(_ table: Table) -> [String] {
        ["id", table.entity] + keyColumns + ["model_group"] + counters + ["spend"]
            + (table.carriesRequestID ? ["request_id"] : []) + ["created_at", "updated_at"]
    }

    /// Each column after the id with its type for a backend (counters and spend `NOT NULL DEFAULT 0`, as LiteLLM's).
    static func definitions(_ table: Table, postgres: Bool) -> [(name: String, type: String)] {
        let integer = postgres ? "BIGINT" : "INTEGER", real = postgres ? "DOUBLE PRECISION" : "REAL"
        let time = postgres ? "TIMESTAMP(3)" : "TEXT"
        let texts = [table.entity] + keyColumns + ["model_group"] + (table.carriesRequestID ? ["request_id"] : [])
        return texts.map { ($0, "TEXT") } + counters.map { ($0, "\(integer) NOT NULL DEFAULT 0") }
            + [("spend", "\(real) NOT NULL DEFAULT 0"), ("created_at", time), ("updated_at", time)]
    }

    /// The table (a LiteLLM-made one keeps its own), then each column it may lack (PostgreSQL; SQLite adds them by
    /// `PRAGMA table_info`), then the unique key the upserts arbitrate on.
    static func create(_ table: Table, postgres: Bool) -> [String] {
        let columns = definitions(table, postgres: postgres).map { "\"\($0.name)\" \($0.type)" }
        let unique = ([table.entity] + keyColumns).map { "\"\($0)\"" }.joined(separator: ", ")
        let create =
            "CREATE TABLE IF NOT EXISTS \"\(table.name)\" (\"id\" TEXT NOT NULL PRIMARY KEY, "
            + columns.joined(separator: ", ") + ")"
        let added = postgres ? columns.map { "ALTER TABLE \"\(table.name)\" ADD COLUMN IF NOT EXISTS \($0)" } : []
        return [create] + added + [
            "CREATE UNIQUE INDEX IF NOT EXISTS \"\(table.name)_rollup_key\" ON \"\(table.name)\" (\(unique))"
        ]
    }

    /// LiteLLM's endpoint for a call type.
    static let endpoint = """
        CASE "call_type" WHEN 'acompletion' THEN '/chat/completions' WHEN 'atext_completion' THEN '/completions' \
        WHEN 'aembedding' THEN '/embeddings' ELSE '' END
        """

    static func upsertTail(_ table: Table) -> String {
        let added = (counters + ["spend"]).map { "\"\($0)\" = \"\(table.name)\".\"\($0)\" + excluded.\"\($0)\"" }
        let requestID =
            table.carriesRequestID
            ? #", "request_id" = COALESCE(excluded."request_id", "\#(table.name)"."request_id")"# : ""
        let key = ([table.entity] + keyColumns).map { "\"\($0)\"" }.joined(separator: ", ")
        return "ON CONFLICT (\(key)) DO UPDATE SET \(added.joined(separator: ", "))\(requestID), "
            + "\"updated_at\" = excluded.\"updated_at\""
    }

    static let aggregates = """
        COALESCE(MAX("model_group"), ''), SUM("prompt_tokens"), SUM("completion_tokens"), COUNT(*), \
        SUM(CASE WHEN "status" = 'success' THEN 1 ELSE 0 END), SUM(CASE WHEN "status" = 'success' THEN 0 ELSE 1 END), \
        SUM("request_duration_ms"), COUNT(*), SUM("spend")
        """

    /// What PostgreSQL's `"inserted"` returns: the columns the key, account and daily updates read.
    static let returned = [
        "api_key", "spend", "team_id", "user", "end_user", "request_id", "call_type", "startTime", "model",
        "model_group", "custom_llm_provider", "prompt_tokens", "completion_tokens", "status", "request_duration_ms",
        "request_tags",
    ].map { "\"\($0)\"" }.joined(separator: ", ")

    /// CTEs over PostgreSQL's `"inserted"` (the new rows, with the columns the rollups group on).
    static let postgres: String = tables.enumerated().map { index, table in
        let quoted = columns(table).map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            "daily\(index)" AS (INSERT INTO "\(table.name)" (\(quoted)) \
            SELECT md5(random()::text || clock_timestamp()::text)::uuid::text, \
            "entity", "day", "api_key", "model", "provider", '', "endpoint", \
            \(aggregates)\(table.carriesRequestID ? #", MAX("request_id")"# : ""), NOW(), NOW() \
            FROM (SELECT \(table.postgresEntity) AS "entity", to_char("startTime", 'YYYY-MM-DD') AS "day", \
            "api_key", COALESCE("model", '') AS "model", COALESCE("custom_llm_provider", '') AS "provider", \
            \(endpoint) AS "endpoint", "model_group", "prompt_tokens", "completion_tokens", "status", \
            "request_duration_ms", "spend", "request_id" FROM "inserted") AS "new" \
            GROUP BY "entity", "day", "api_key", "model", "provider", "endpoint" \
            \(upsertTail(table)) RETURNING 1)
            """
    }.joined(separator: ", ")

    /// SQLite statements over the rows past rowid `?1` (the batch just written).
    static let sqlite: [String] = tables.map { table in
        let quoted = columns(table).map { "\"\($0)\"" }.joined(separator: ", ")
        let tags = table.carriesRequestID ? #", json_each(COALESCE("request_tags", '[]')) AS "tags""# : ""
        return """
            INSERT INTO "\(table.name)" (\(quoted)) \
            SELECT lower(hex(randomblob(16))), \(table.sqliteEntity), substr("startTime", 1, 10), "api_key", \
            COALESCE("model", ''), COALESCE("custom_llm_provider", ''), '', \(endpoint), \
            \(aggregates)\(table.carriesRequestID ? #", MAX("request_id")"# : ""), \
            strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now') \
            FROM "LiteLLM_SpendLogs" NOT INDEXED\(tags) WHERE "LiteLLM_SpendLogs".rowid > ?1 \
            GROUP BY 2, 3, 4, 5, 6, 8 \
            \(upsertTail(table))
            """
    }
}
