import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import TestSupport
import Testing
import Wire

@testable import Proxy

/// PostgreSQL integration tests: run when TEST_DATABASE_URL names a server (`.ci/run` starts one), skipped otherwise.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] != nil,
        "set TEST_DATABASE_URL to run the PostgreSQL tests"
    )
)
struct PostgresStoreTests {
    static var url: String { ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] ?? "" }

    /// Runs `body` with a store whose client is running.
    func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        let client = PostgresClient(
            configuration: try PostgresStore.configuration(url: Self.url),
            backgroundLogger: Logger(label: "pg")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            do {
                try await body(PostgresStore(client: client))
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    @Test func schemaIsCreatedOnceEvenWhenReplicasRace() async throws {
        try await withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0 ..< 4 { group.addTask { try await store.prepare() } }
                try await group.waitForAll()
            }
            try await store.ping()
        }
    }

    /// Four replicas creating the schema of a fresh database at once all finish (3 fresh databases). With the advisory
    /// lock released before the COMMIT, a replica's `CREATE TABLE IF NOT EXISTS` missed the uncommitted table, failed,
    /// and its connection kept the lock: the others then waited for good.
    @Test func replicasCreatingAFreshSchemaTogetherAllFinish() async throws {
        for _ in 0 ..< 3 {
            let name = "gw_race_\(UUID().uuidString.prefix(8).lowercased())"
            try await withStore { admin in
                _ = try await admin.pool.client().query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""),
                    logger: Logger(label: "t")
                )
            }
            var components = try #require(URLComponents(string: Self.url))
            components.path = "/" + name
            let clients = try (0 ..< 4).map { _ in
                PostgresClient(
                    configuration: try PostgresStore.configuration(url: components.string ?? ""),
                    backgroundLogger: Logger(label: "pg")
                )
            }
            await withTaskGroup(of: Void.self) { running in
                for client in clients { running.addTask { await client.run() } }
                await #expect(throws: Never.self) {
                    try await Deadline.run(within: .seconds(20)) {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for client in clients {
                                group.addTask { try await PostgresStore(client: client).prepare() }
                            }
                            try await group.waitForAll()
                        }
                    }
                }
                running.cancelAll()
            }
            try await withStore { admin in
                _ = try await admin.pool.client().query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE \"\(name)\" WITH (FORCE)"),
                    logger: Logger(label: "t")
                )
            }
        }
    }

    @Test func rowsRoundTripWithoutDuplicates() async throws {
        try await withStore { store in
            try await store.prepare()
            let marker = UUID().uuidString
            var rows = SpendWriterTests.markedRows(250, prefix: "pg", marker: marker)
            // Milliseconds PostgreSQL prints short (`48.5`, `49.05`) must read back as written, not as 48.005.
            rows[7].startTime = Date(timeIntervalSince1970: 1_758_371_868.5)
            rows[7].endTime = Date(timeIntervalSince1970: 1_758_371_869.05)
            rows[7].completionStartTime = Date(timeIntervalSince1970: 1_758_371_868.123)
            try await store.insert(rows)
            try await store.insert(Array(rows.prefix(50)))
            #expect(try await store.countSpendLogs(SpendLogQuery(apiKey: marker)) == 250)
            let read = try await store.spendLogs(SpendLogQuery(apiKey: marker, limit: 1000))
            #expect(Set(read.map(\.requestID)) == Set(rows.map(\.requestID)))
            #expect(read.first { $0.requestID == rows[7].requestID } == rows[7])
        }
    }

    @Test func pagesOfRowsWithOneStartTimeHoldEveryRowOnce() async throws {
        try await withStore { store in
            try await store.prepare()
            try await SpendWriterTests.pagesHoldEveryRowOnce(store)
        }
    }

    @Test func repeatedRequestIDsLoseNoRow() async throws {
        try await withStore { store in
            try await store.prepare()
            try await SpendWriterTests.repeatedRequestIDsLoseNoRow(store)
        }
    }

    @Test func rowsCreditTheirAccountsOnce() async throws {
        try await withStore { store in
            try await store.prepare()
            // A rollup table made before it had these columns (an older LiteLLM's): the next start adds them.
            _ = try await store.pool.client().query(
                #"""
                ALTER TABLE "LiteLLM_DailyTeamSpend" DROP COLUMN "timed_requests", DROP COLUMN "total_response_time_ms"
                """#,
                logger: store.logger
            )
            try await store.prepare()
            try await AccountSpendTests.rowsCreditTheirAccountsOnce(store)
        }
    }

    @Test func auditRowsPageNewestFirst() async throws {
        try await withStore { store in
            try await store.prepare()
            try await AuditLogTests.storePagesNewestFirst(store)
        }
    }

    @Test func rowsAddTheirSpendToTheirKeyOnce() async throws {
        try await withStore { store in
            try await store.prepare()
            try await SpendWriterTests.rowsAddTheirSpendToTheirKeyOnce(store)
        }
    }

    /// One `insert` call is one transaction: a row PostgreSQL refuses in its second statement (rows 1,000 on) leaves
    /// none of the call's rows behind (the writer retries the whole batch; nothing is half-written).
    @Test func aRefusedRowRollsBackItsWholeBatch() async throws {
        try await withStore { store in
            try await store.prepare()
            let marker = UUID().uuidString
            let rows = SpendWriterTests.markedRows(1200, prefix: "pg-tx", marker: marker).enumerated().map {
                index,
                row in
                index == 1100 ? EncodedSpendRow(row, body: { _ in "{not json" }) : EncodedSpendRow(row)
            }
            await #expect(throws: (any Error).self) { try await store.insert(rows) }
            #expect(try await store.countSpendLogs(SpendLogQuery(apiKey: marker)) == 0)
            try await store.insert(Array(rows.prefix(1100)))
            #expect(try await store.countSpendLogs(SpendLogQuery(apiKey: marker)) == 1100)
            // Large values were stored with LZ4 where the server has it.
            let lz4 = try await store.pool.client().query(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
                logger: Logger(label: "t")
            ).collect().first?.decode(Bool.self)
            if lz4 == true {
                var big = SpendWriterTests.row(9)
                big.requestID = "pg-lz4-\(marker)"
                big.response = .string(String(repeating: "compressible answer text ", count: 400))
                try await store.insert([big])
                let method = try await store.pool.client().query(
                    """
                    SELECT pg_column_compression(\"response\") FROM \"LiteLLM_SpendLogs\" \
                    WHERE \"request_id\" = \(big.requestID)
                    """,
                    logger: Logger(label: "t")
                ).collect().first?.decode(String?.self)
                #expect(method == "lz4")
            }
        }
    }

    /// Virtual keys on PostgreSQL: generate, use, block, delete.
    @Test func keysOnPostgres() async throws {
        let url = Self.url
        try await withProxy(config: { TestConfigs.standard(mockBase: $0) + "\n  database_url: \(url)\n" }) { proxy in
            let generated = try await VirtualKeyTests.manage(
                proxy,
                "/key/generate",
                ["key_alias": "pg", "models": ["gpt-4o"], "rpm_limit": 100]
            )
            let key = try #require(generated.json?["key"]?.stringValue, "\(generated.text)")
            #expect(try await VirtualKeyTests.chat(proxy, key: key).status == 200)
            let info = try await TestHTTP.request(.GET, "\(proxy.base)/key/info?key=\(key)", headers: proxy.auth)
            #expect(
                info.json?.value(at: "info.models") == ["gpt-4o"]
                    && info.json?.value(at: "info.rpm_limit")?.intValue == 100
            )
            #expect(try await VirtualKeyTests.manage(proxy, "/key/block", ["key": .string(key)]).status == 200)
            #expect(try await VirtualKeyTests.chat(proxy, key: key).status == 401)
            let deleted = try await VirtualKeyTests.manage(proxy, "/key/delete", ["keys": [.string(key)]])
            #expect(deleted.json?["deleted_keys"]?.arrayValue?.count == 1)
        }
    }

    /// The proxy with `database_url`: the seed request's row lands in PostgreSQL.
    @Test func proxyWritesSpendRowsToPostgres() async throws {
        let url = Self.url
        try await withProxy(config: { TestConfigs.standard(mockBase: $0) + "\n  database_url: \(url)\n" }) { proxy in
            let marker = UUID().uuidString
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"postgres row \#(marker)"}]}"#
            )
            let id = try #require(response.json?["id"]?.stringValue)
            let rows = try await SpendLogTests.rows(proxy, "?request_id=\(id)")
            #expect(rows.first?["model_group"] == "gpt-4o")
            #expect(
                rows.first?.value(at: "proxy_server_request.messages.0.content")?.stringValue?.contains(marker) == true
            )
            #expect(rows.first?["messages"] == [:])
            let ready = try await TestHTTP.request(.GET, "\(proxy.base)/health/readiness")
            #expect(ready.json?["db_kind"] == "postgres" && ready.json?["db"] == "connected")
        }
    }
}
