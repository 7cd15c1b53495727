import Foundation
import Logging
import MockAzure
import NIOConcurrencyHelpers
import SQLiteNIO
import ServiceLifecycle
import TestSupport
import Testing
import Wire

@testable import Proxy

/// A store that can be switched off, to play a database outage.
actor FlakyStore: SpendStore {
    nonisolated let kind = "flaky"
    let inner: SQLiteStore
    var down = false
    var inserts = 0

    init(path: String) { inner = SQLiteStore(path: path) }
    func setDown(_ value: Bool) { down = value }
    func prepare() async throws { try await inner.prepare() }
    func insert(_ rows: [EncodedSpendRow]) async throws {
        if down { throw CancellationError() }
        inserts += 1
        try await inner.insert(rows)
    }
    func spendLogs(_ query: SpendLogQuery) async throws -> [SpendRow] { try await inner.spendLogs(query) }
    func countSpendLogs(_ query: SpendLogQuery) async throws -> Int { try await inner.countSpendLogs(query) }
    func deleteSpendLogs(before date: Date) async throws -> Int { try await inner.deleteSpendLogs(before: date) }
    func ping() async throws { if down { throw CancellationError() } }
    func close() async throws { try await inner.close() }
}

@Suite struct SpendWriterTests {
    static func row(_ index: Int) -> SpendRow {
        SpendRow(
            requestID: "req-\(index)",
            callType: "acompletion",
            apiKey: "hash",
            spend: 0.001,
            totalTokens: 3,
            promptTokens: 1,
            completionTokens: 2,
            startTime: Date(timeIntervalSince1970: 1_758_371_868 + Double(index)),
            endTime: Date(timeIntervalSince1970: 1_758_371_869 + Double(index)),
            completionStartTime: nil,
            requestDurationMs: 1000,
            model: "azure/o4-mini",
            modelID: "id",
            modelGroup: "o4-mini",
            customLLMProvider: "azure",
            apiBase: "",
            user: "",
            metadata: ["k": "v"],
            endUser: nil,
            requesterIPAddress: nil,
            messages: [["role": "user", "content": "x"]],
            response: [:],
            sessionID: nil,
            status: "success",
            proxyServerRequest: [:],
            litellmCallID: "call-\(index)"
        )
    }

    /// `count` rows of one test in a shared database: api_key `marker`, request_ids `<prefix>-<marker>-<index>`.
    static func markedRows(_ count: Int, prefix: String, marker: String) -> [SpendRow] {
        (0 ..< count).map { index in
            var row = row(index)
            row.requestID = "\(prefix)-\(marker)-\(index)"
            row.apiKey = marker
            return row
        }
    }

    /// 2,000 rows while the database is down, a queue of 500: the excess is spilled, and after the outage every row
    /// is in the table exactly once.
    @Test func outageLosesNothingAndDuplicatesNothing() async throws {
        let folder = try TestPaths.temporaryDirectory("writer")
        let store = FlakyStore(path: folder.appendingPathComponent("spend.sqlite").path)
        try await store.prepare()
        await store.setDown(true)
        let writer = SpendWriter(
            database: Database(spend: store),
            interval: .milliseconds(50),
            capacity: 500,
            spillPath: folder.appendingPathComponent("spill.jsonl").path
        )
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0 ..< 2000 { writer.enqueue(Self.row(index)) }
            #expect(await eventually { writer.counters.spilled >= 1500 }, "\(writer.counters)")
            #expect(writer.counters.queued <= 500)
            await store.setDown(false)
            #expect(try await eventually { try await store.countSpendLogs(SpendLogQuery(limit: 10_000)) == 2000 })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await store.countSpendLogs(SpendLogQuery(limit: 10_000)) == 2000)
        try await store.close()
        let counters = writer.counters
        #expect(counters.dropped == 0 && counters.queued == 0)
        #expect(counters.written + counters.spilled == 2000 && counters.replayed == counters.spilled, "\(counters)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("spill.jsonl").path))
    }

    /// Shutdown with the database down spills the queue; the next start replays it.
    @Test func shutdownSpillsAndRestartReplays() async throws {
        let folder = try TestPaths.temporaryDirectory("writer")
        let path = folder.appendingPathComponent("spend.sqlite").path
        let spill = folder.appendingPathComponent("spill.jsonl").path
        let store = FlakyStore(path: path)
        try await store.prepare()
        await store.setDown(true)
        let writer = SpendWriter(
            database: Database(spend: store),
            interval: .seconds(60),
            capacity: 10_000,
            spillPath: spill
        )
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0 ..< 300 { writer.enqueue(Self.row(index)) }
            try await Task.sleep(for: .milliseconds(100))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(writer.counters.spilled == 300 && writer.counters.dropped == 0)
        #expect(FileManager.default.fileExists(atPath: spill))

        let restarted = SpendWriter(
            database: .embedded(SQLiteStore(path: path)),
            interval: .milliseconds(50),
            spillPath: spill
        )
        let again = ServiceGroup(configuration: .init(services: [restarted], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await again.run() }
            for index in 250 ..< 350 { restarted.enqueue(Self.row(index)) }  // 50 overlap the spilled ones
            #expect(await eventually { restarted.counters.replayed == 300 && restarted.counters.queued == 0 })
            await again.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(restarted.counters.replayed == 300)
        let check = SQLiteStore(path: path)
        #expect(try await check.countSpendLogs(SpendLogQuery()) == 350, "no duplicates")
        try await check.close()
        try await store.close()
        #expect(!FileManager.default.fileExists(atPath: spill))
    }

    @Test func rowsRoundTripThroughJSONAndSQLite() async throws {
        let row = Self.row(1)
        #expect(SpendRow(json: row.json) == row)
        let store = SQLiteStore(path: try TestPaths.temporaryDirectory("rt").appendingPathComponent("s.sqlite").path)
        try await store.prepare()
        try await store.insert([row, row])
        #expect(try await store.spendLogs(SpendLogQuery()) == [row])
        #expect(try await store.deleteSpendLogs(before: Date(timeIntervalSince1970: 1_758_371_870)) == 1)
        #expect(try await store.countSpendLogs(SpendLogQuery()) == 0)
        try await store.close()
        #expect(TimestampText.format(Date(timeIntervalSince1970: 1_758_371_868.5)) == "2025-09-20 12:37:48.500")
        #expect(TimestampText.parse("2025-09-20") == Date(timeIntervalSince1970: 1_758_326_400))
    }

    /// Fractions as PostgreSQL prints them (trailing zeros dropped) and out-of-range fields, which trapped before.
    @Test func timestampsParseFractionsAsWrittenAndRefuseImpossibleFields() {
        #expect(TimestampText.parse("2025-09-20 12:37:48.5") == Date(timeIntervalSince1970: 1_758_371_868.5))
        #expect(TimestampText.parse("2025-09-20 12:37:48.05") == Date(timeIntervalSince1970: 1_758_371_868.05))
        #expect(TimestampText.parse("2025-09-20T12:37:48.500Z") == Date(timeIntervalSince1970: 1_758_371_868.5))
        #expect(TimestampText.parse("2025-09-20 12:37:48") == Date(timeIntervalSince1970: 1_758_371_868))
        for impossible in ["99999999999-01-01", "2025-13-01", "2025-09-20 12:99:00", "2025-09-20 x:37:48", "0-01-01"] {
            #expect(TimestampText.parse(impossible) == nil, "\(impossible)")
        }
    }

    /// 250 rows with one start time, read 10 a page: every row exactly once. Sorted on startTime alone, ties may come
    /// in a different order on each page's query (PostgreSQL's top-N sort does), so a row showed on two pages and
    /// another on none (seen in CI: 2,000 rows read back as 1,999 request_ids).
    static func pagesHoldEveryRowOnce(_ store: some SpendStore) async throws {
        let marker = UUID().uuidString
        let rows = markedRows(250, prefix: "page", marker: marker).map { row in
            var row = row
            row.startTime = Date(timeIntervalSince1970: 1_758_371_868)
            return row
        }
        try await store.insert(rows)
        var read: [String] = []
        for page in 0 ..< 25 {
            read += try await store.spendLogs(SpendLogQuery(apiKey: marker, limit: 10, offset: page * 10)).map(
                \.requestID
            )
        }
        #expect(read.count == 250)
        #expect(Set(read).count == 250, "no row on two pages (so none on no page)")
    }

    @Test func pagesOfRowsWithOneStartTimeHoldEveryRowOnce() async throws {
        let store = SQLiteStore(path: try TestPaths.temporaryDirectory("pages").appendingPathComponent("s.sqlite").path)
        try await store.prepare()
        try await Self.pagesHoldEveryRowOnce(store)
        try await store.close()
    }

    /// Inserting rows adds their spend to their keys in the same transaction; a replayed row adds nothing again, and a
    /// call that mixes replayed and new rows adds only the new ones.
    static func rowsAddTheirSpendToTheirKeyOnce(_ store: some SpendStore & KeyStore) async throws {
        let token = "spend-key-\(UUID().uuidString)"
        try await store.insertKey(VirtualKey(token: token, keyName: "sk-...test"))
        let rows = markedRows(4, prefix: "key-spend", marker: token).map { row in
            var row = row
            row.spend = 0.25
            return row
        }
        var other = row(0)
        other.requestID = "key-spend-other-\(token)"
        other.apiKey = "other-\(token)"
        other.spend = 5
        try await store.insert(Array(rows.prefix(3)) + [other])
        #expect(try await store.key(token: token)?.spend == 0.75)
        try await store.insert(Array(rows.prefix(3)))
        #expect(try await store.key(token: token)?.spend == 0.75, "a replay adds nothing")
        try await store.insert([rows[0], rows[3]])
        #expect(try await store.key(token: token)?.spend == 1.0)
    }

    /// An upstream that repeats an id: every call keeps its row (the later ones under their own call id) and its
    /// spend; replaying all of them adds nothing.
    static func repeatedRequestIDsLoseNoRow(_ store: some SpendStore & KeyStore) async throws {
        let token = "repeat-key-\(UUID().uuidString)"
        try await store.insertKey(VirtualKey(token: token, keyName: "sk-...test"))
        let shared = "chatcmpl-repeated-\(token)"
        let rows = (0 ..< 3).map { index in
            var row = row(index)
            row.requestID = shared
            row.apiKey = token
            row.spend = 0.25
            row.litellmCallID = "call-\(index)-\(token)"
            return row
        }
        try await store.insert([rows[0]])
        try await store.insert([rows[1], rows[2]])
        let ids = Set(try await store.spendLogs(SpendLogQuery(apiKey: token)).map(\.requestID))
        #expect(ids == [shared, "call-1-\(token)", "call-2-\(token)"], "\(ids)")
        #expect(try await store.key(token: token)?.spend == 0.75)
        try await store.insert(rows)
        #expect(try await store.countSpendLogs(SpendLogQuery(apiKey: token)) == 3, "a replay adds no row")
        #expect(try await store.key(token: token)?.spend == 0.75, "a replay adds no spend")
    }

    @Test func repeatedRequestIDsLoseNoRowOnSQLite() async throws {
        let store = SQLiteStore(
            path: try TestPaths.temporaryDirectory("repeat").appendingPathComponent("s.sqlite").path
        )
        try await store.prepare()
        try await Self.repeatedRequestIDsLoseNoRow(store)
        try await store.close()
    }

    @Test func rowsAddTheirSpendToTheirKeyOnceOnSQLite() async throws {
        let store = SQLiteStore(
            path: try TestPaths.temporaryDirectory("key-spend").appendingPathComponent("s.sqlite").path
        )
        try await store.prepare()
        try await Self.rowsAddTheirSpendToTheirKeyOnce(store)
        try await store.close()
    }

    /// The key-spend UPDATE after an insert reads the new rows by rowid range, never a key's whole history through
    /// the api_key index (SQLite's own choice for the same query without `NOT INDEXED`).
    @Test func keySpendReadsOnlyTheNewRows() async throws {
        let store = SQLiteStore(
            path: try TestPaths.temporaryDirectory("key-spend").appendingPathComponent("s.sqlite").path
        )
        try await store.prepare()
        let plan = try await store.open().rows("EXPLAIN QUERY PLAN " + SQLiteStore.addNewRowsSpend, [.integer(0)])
            .compactMap { $0.column("detail")?.string }
        #expect(plan.contains { $0.contains("LiteLLM_SpendLogs USING INTEGER PRIMARY KEY (rowid>?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("LiteLLM_SpendLogs") && $0.contains("INDEX") }, "\(plan)")
        try await store.close()
    }

    /// A new file gets 16 KiB pages (rows with their bodies fill them); an existing file keeps the page size it has.
    @Test func newFilesGetLargePagesExistingOnesKeepTheirs() async throws {
        let folder = try TestPaths.temporaryDirectory("pages")
        let fresh = SQLiteStore(path: folder.appendingPathComponent("new.sqlite").path)
        try await fresh.prepare()
        #expect(try await fresh.open().rows("PRAGMA page_size", []).first?.column("page_size")?.integer == 16384)
        try await fresh.close()

        let oldPath = folder.appendingPathComponent("old.sqlite").path
        let old = try await SQLiteConnection.open(storage: .file(path: oldPath))
        _ = try await old.rows("PRAGMA page_size=4096", [])
        _ = try await old.rows("CREATE TABLE \"earlier\" (\"x\" TEXT)", [])
        try await old.close()
        let existing = SQLiteStore(path: oldPath)
        try await existing.prepare()
        try await existing.insert([Self.row(2)])
        #expect(try await existing.open().rows("PRAGMA page_size", []).first?.column("page_size")?.integer == 4096)
        #expect(try await existing.countSpendLogs(SpendLogQuery()) == 1)
        try await existing.close()
    }
}
