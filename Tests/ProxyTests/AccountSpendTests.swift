import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Spend rows credit their team, their key's user and their end user (created on first spend) when written, once;
/// the rows keep team_id and request_tags. Shared by both backends (PostgreSQL in PostgresStoreTests).
@Suite struct AccountSpendTests {
    static func rowsCreditTheirAccountsOnce(_ store: some SpendStore & RecordStore) async throws {
        let marker = UUID().uuidString.lowercased()
        let team = "team-\(marker)", user = "user-\(marker)", endUser = "end-\(marker)"
        var teamRecord = AccountService.blank(AccountSchema.teams, key: team)
        teamRecord["models"] = ["gpt-4o"]
        try await store.upsert(AccountSchema.teams, AccountSchema.teams.texts(teamRecord))
        let userRecord = AccountService.blank(AccountSchema.users, key: user)
        try await store.upsert(AccountSchema.users, AccountSchema.users.texts(userRecord))
        let rows = SpendWriterTests.markedRows(3, prefix: "acct", marker: marker).map { row in
            var row = row
            row.spend = 0.5
            row.teamID = team
            row.user = user
            row.endUser = endUser
            row.requestTags = ["prod", "batch"]
            return row
        }
        try await store.insert(rows)
        try await store.insert(rows)
        func spend(_ table: RecordTable, _ key: String) async throws -> Double? {
            try await store.row(table, key: key).flatMap { $0["spend"] }.flatMap(Double.init)
        }
        #expect(try await spend(AccountSchema.teams, team) == 1.5, "a replay adds nothing")
        #expect(try await spend(AccountSchema.users, user) == 1.5)
        #expect(try await spend(AccountSchema.endUsers, endUser) == 1.5, "the end user is created on first spend")
        let written = try await store.spendLogs(SpendLogQuery(apiKey: marker))
        #expect(written.count == 3 && written.allSatisfy { $0.teamID == team && $0.requestTags == ["prod", "batch"] })
        try await Self.dailyRollupsCountEachRowOnce(store, user: user, team: team, rows: rows)
        let readBack = try #require(try await store.row(AccountSchema.teams, key: team).map(AccountSchema.teams.json))
        #expect(readBack["models"] == ["gpt-4o"] && readBack["blocked"] == false && readBack["metadata"] == [:])
    }

    /// LiteLLM's daily tables: one row per user / team / tag, day, key, model, provider and endpoint, summed once.
    static func dailyRollupsCountEachRowOnce(
        _ store: some RecordStore,
        user: String,
        team: String,
        rows: [SpendRow]
    ) async throws {
        let (userTable, teamTable, tagTable) = (
            DailySpend.record(DailySpend.tables[0]), DailySpend.record(DailySpend.tables[1]),
            DailySpend.record(DailySpend.tables[2])
        )
        let users = try await store.rows(userTable, where: "user_id", equals: user, limit: 10).map(userTable.json)
        #expect(users.count == 1, "\(users)")
        let day = String(TimestampText.format(rows[0].startTime).prefix(10))
        #expect(users.first?["date"] == .string(day) && users.first?["endpoint"] == "/chat/completions")
        #expect(users.first?["api_requests"] == 3 && users.first?["spend"]?.doubleValue == 1.5, "\(users)")
        let prompt = rows.reduce(0) { $0 + $1.promptTokens }
        #expect(users.first?["prompt_tokens"] == .int(prompt) && users.first?["successful_requests"] == 3)
        let teams = try await store.rows(teamTable, where: "team_id", equals: team, limit: 10).map(teamTable.json)
        #expect(teams.count == 1 && teams.first?["spend"]?.doubleValue == 1.5, "\(teams)")
        let marker = rows[0].apiKey
        let tags = try await store.rows(tagTable, where: "api_key", equals: marker, limit: 10).map(tagTable.json)
        #expect(Set(tags.compactMap { $0["tag"]?.stringValue }) == ["prod", "batch"], "\(tags)")
        #expect(tags.allSatisfy { $0["api_requests"] == 3 && $0["spend"]?.doubleValue == 1.5 }, "\(tags)")
    }

    /// A rollup table LiteLLM made before it had some columns: the start adds them, and rows are rolled up into it.
    @Test func olderRollupTablesGainTheirColumns() async throws {
        let path = try TestPaths.temporaryDirectory("acct-old").appendingPathComponent("s.sqlite").path
        let first = SQLiteStore(path: path)
        try await first.prepare()
        try await first.close()
        // Drop two columns by rebuilding the table without them (SQLite 3.35+ has DROP COLUMN; rebuilt for older).
        let raw = SQLiteStore(path: path)
        for statement in [
            #"ALTER TABLE "LiteLLM_DailyUserSpend" DROP COLUMN "timed_requests""#,
            #"ALTER TABLE "LiteLLM_DailyUserSpend" DROP COLUMN "total_response_time_ms""#,
        ] {
            _ = try await raw.open().rows(statement, [])
        }
        try await raw.close()
        let store = SQLiteStore(path: path)
        try await store.prepare()
        try await Self.rowsCreditTheirAccountsOnce(store)
        try await store.close()
    }

    @Test func rowsCreditTheirAccountsOnceOnSQLite() async throws {
        let store = SQLiteStore(path: try TestPaths.temporaryDirectory("acct").appendingPathComponent("s.sqlite").path)
        try await store.prepare()
        try await Self.rowsCreditTheirAccountsOnce(store)
        try await store.close()
    }
}
