/// LiteLLM's "LiteLLM_SpendLogs" columns (its Prisma schema), in one place for every backend.
enum SpendSchema {
    /// Columns written, in INSERT order.
    static let columns = [
        "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens",
        "startTime", "endTime",
        "request_duration_ms", "completionStartTime", "model", "model_id", "model_group", "custom_llm_provider",
        "api_base", "user",
        "metadata", "end_user", "requester_ip_address", "messages", "response", "session_id", "status",
        "proxy_server_request", "litellm_call_id", "team_id", "request_tags", "cache_hit", "cache_key",
    ]

    static let quotedColumns = columns.map { "\"\($0)\"" }.joined(separator: ", ")

    /// `"column":` for each column, the keys of a row's JSON line.
    static let quotedKeys: [[UInt8]] = columns.map { Array("\"\($0)\":".utf8) }

    static let requestIDIndex = columns.firstIndex(of: "request_id")!
    static let callIDIndex = columns.firstIndex(of: "litellm_call_id")!

    /// A column value before a backend binds it. `json` is JSON text (bound as text; PostgreSQL casts it to jsonb).
    enum Value: Sendable, Equatable {
        case text(String), json(String), integer(Int), double(Double), null
    }

    /// SQLite's form of the table: the same names; JSON as TEXT, timestamps as `YYYY-MM-DD HH:MM:SS.mmm` TEXT.
    static let sqliteTable = """
        CREATE TABLE IF NOT EXISTS "LiteLLM_SpendLogs" (
            "request_id" TEXT PRIMARY KEY NOT NULL,
            "call_type" TEXT NOT NULL,
            "api_key" TEXT NOT NULL DEFAULT '',
            "spend" REAL NOT NULL DEFAULT 0.0,
            "total_tokens" INTEGER NOT NULL DEFAULT 0,
            "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
            "completion_tokens" INTEGER NOT NULL DEFAULT 0,
            "startTime" TEXT NOT NULL,
            "endTime" TEXT NOT NULL,
            "request_duration_ms" INTEGER,
            "completionStartTime" TEXT,
            "model" TEXT NOT NULL DEFAULT '',
            "model_id" TEXT DEFAULT '',
            "model_group" TEXT DEFAULT '',
            "custom_llm_provider" TEXT DEFAULT '',
            "api_base" TEXT DEFAULT '',
            "user" TEXT DEFAULT '',
            "metadata" TEXT DEFAULT '{}',
            "cache_hit" TEXT DEFAULT '',
            "cache_key" TEXT DEFAULT '',
            "request_tags" TEXT DEFAULT '[]',
            "team_id" TEXT,
            "organization_id" TEXT,
            "end_user" TEXT,
            "requester_ip_address" TEXT,
            "messages" TEXT DEFAULT '{}',
            "response" TEXT DEFAULT '{}',
            "session_id" TEXT,
            "status" TEXT,
            "mcp_namespaced_tool_name" TEXT,
            "billing_agent_id" TEXT,
            "agent_id" TEXT,
            "proxy_server_request" TEXT DEFAULT '{}',
            "litellm_call_id" TEXT,
            "created_at" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
            "updated_at" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
        )
        """

    static let sqliteIndexes = [
        #"CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime")"#,
        """
        CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_api_key_startTime_idx" \
        ON "LiteLLM_SpendLogs" ("api_key", "startTime")
        """,
        #"CREATE INDEX IF NOT EXISTS "LiteLLM_SpendLogs_session_id_idx" ON "LiteLLM_SpendLogs" ("session_id")"#,
    ]
}
