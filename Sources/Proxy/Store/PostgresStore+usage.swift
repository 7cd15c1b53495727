import PostgresNIO

/// Replicas share their virtual-key usage through one small table of this gateway's own (LiteLLM ignores it):
/// a row per replica and key, replaced at every sync; rows not refreshed for 10 s no longer count.
extension PostgresStore: KeyUsageStore {
    public func prepareKeyUsage() async throws {
        try await createLocked([
            """
            CREATE TABLE IF NOT EXISTS "GatewayKeyUsage" (
                "replica" TEXT NOT NULL, "token" TEXT NOT NULL, "requests" BIGINT NOT NULL DEFAULT 0,
                "tokens" BIGINT NOT NULL DEFAULT 0, "in_flight" BIGINT NOT NULL DEFAULT 0,
                "updated_at" TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY ("replica", "token"))
            """
        ])
    }

    public func publishKeyUsage(replica: String, usage: [String: KeyUsage]) async throws {
        let entries = usage.sorted { $0.key < $1.key }
        var bindings = PostgresBindings()
        bindings.append(replica)
        bindings.append(entries.map(\.key))
        bindings.append(entries.map { Int64($0.value.requests) })
        bindings.append(entries.map { Int64($0.value.tokens) })
        bindings.append(entries.map { Int64($0.value.inFlight) })
        let sql = """
            WITH "incoming" AS (SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) \
            AS u("token", "requests", "tokens", "in_flight")),
            "gone" AS (DELETE FROM "GatewayKeyUsage" WHERE ("replica" = $1 \
            AND "token" NOT IN (SELECT "token" FROM "incoming"))
                OR "updated_at" < now() - interval '10 minutes')
            INSERT INTO "GatewayKeyUsage" ("replica", "token", "requests", "tokens", "in_flight", "updated_at")
            SELECT $1, "token", "requests", "tokens", "in_flight", now() FROM "incoming"
            ON CONFLICT ("replica", "token") DO UPDATE SET \
            "requests" = EXCLUDED."requests", "tokens" = EXCLUDED."tokens",
                "in_flight" = EXCLUDED."in_flight", "updated_at" = now()
            """
        _ = try await pool.client().query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }

    public func otherReplicasKeyUsage(excluding replica: String) async throws -> [String: KeyUsage] {
        var bindings = PostgresBindings()
        bindings.append(replica)
        let sql = """
            SELECT "token", SUM("requests")::bigint, SUM("tokens")::bigint, SUM("in_flight")::bigint \
            FROM "GatewayKeyUsage"
            WHERE "replica" <> $1 AND "updated_at" > now() - interval '10 seconds' GROUP BY "token"
            """
        var result: [String: KeyUsage] = [:]
        for try await (token, requests, tokens, inFlight) in try await pool.client().query(
            PostgresQuery(unsafeSQL: sql, binds: bindings),
            logger: logger
        ).decode((String, Int64, Int64, Int64).self) {
            result[token] = KeyUsage(requests: Int(requests), tokens: Int(tokens), inFlight: Int(inFlight))
        }
        return result
    }
}
