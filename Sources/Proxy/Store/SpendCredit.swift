/// Adds the spend of newly written spend rows to their team, their key's user and their end user (created on first
/// spend, as LiteLLM does), in the same transaction as the rows: a row's spend is credited exactly when it is written.
enum SpendCredit {
    /// (table, its key column, the spend row's column naming it).
    static let owners = [
        (AccountSchema.teams.name, "team_id", "team_id"), (AccountSchema.users.name, "user_id", "user"),
    ]

    /// CTEs over PostgreSQL's `"inserted"` (the new rows' api_key, spend, team_id, user, end_user).
    static let postgres: String = {
        let updates = owners.enumerated().map { index, owner in
            let (table, key, column) = owner
            return """
                "credit\(index)" AS (UPDATE "\(table)" AS "owner" \
                SET "spend" = COALESCE("owner"."spend", 0) + "t"."spend" \
                FROM (SELECT "\(column)" AS "id", SUM("spend") AS "spend" FROM "inserted" \
                WHERE "spend" > 0 AND "\(column)" <> '' GROUP BY "\(column)") AS "t" \
                WHERE "owner"."\(key)" = "t"."id" RETURNING 1)
                """
        }
        let endUsers = """
            "credit_end_users" AS (INSERT INTO "\(AccountSchema.endUsers.name)" ("user_id", "spend", "blocked") \
            SELECT "end_user", SUM("spend"), false FROM "inserted" WHERE "end_user" <> '' GROUP BY "end_user" \
            ON CONFLICT ("user_id") DO UPDATE SET "spend" = COALESCE("\(AccountSchema.endUsers.name)"."spend", 0) \
            + EXCLUDED."spend" RETURNING 1)
            """
        return (updates + [endUsers]).joined(separator: ", ")
    }()

    /// SQLite statements over the rows past rowid `?1` (the batch just written).
    static let sqlite: [String] = {
        let updates = owners.map { table, key, column in
            """
            UPDATE "\(table)" AS "owner" SET "spend" = COALESCE("owner"."spend", 0) + "t"."spend" \
            FROM (SELECT "\(column)" AS "id", SUM("spend") AS "spend" FROM "LiteLLM_SpendLogs" NOT INDEXED \
            WHERE rowid > ?1 AND "spend" > 0 AND "\(column)" <> '' GROUP BY "\(column)") AS "t" \
            WHERE "owner"."\(key)" = "t"."id"
            """
        }
        let endUsers = """
            INSERT INTO "\(AccountSchema.endUsers.name)" ("user_id", "spend", "blocked") \
            SELECT "end_user", SUM("spend"), 'false' FROM "LiteLLM_SpendLogs" NOT INDEXED \
            WHERE rowid > ?1 AND "end_user" <> '' GROUP BY "end_user" \
            ON CONFLICT ("user_id") DO UPDATE SET "spend" = COALESCE("spend", 0) + excluded."spend"
            """
        return updates + [endUsers]
    }()
}
