import Foundation
import Logging
import NIOConcurrencyHelpers
import Proxy
import ServiceLifecycle
import TestSupport
import Testing

/// The local journal: rows queued by a process that dies without a shutdown (SIGKILL, OOM) are replayed by the next
/// one; rows that were written leave no journal behind.
@Suite struct SpendJournalTests {
    static func journalFiles(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.contains(".journal.") }
    }

    @Test func rowsOfAKilledWriterAreReplayedOnce() async throws {
        let folder = try TestPaths.temporaryDirectory("journal")
        let path = folder.appendingPathComponent("spend.sqlite").path
        let spill = folder.appendingPathComponent("spill.jsonl").path
        let journal = folder.appendingPathComponent("spend.journal").path
        // A writer that queues 300 rows and never runs: the process "dies" with them in memory.
        let killed = SpendWriter(
            database: .embedded(SQLiteStore(path: path)),
            interval: .seconds(60),
            spillPath: spill,
            journalPath: journal
        )
        for index in 0 ..< 300 { killed.enqueue(SpendWriterTests.row(index)) }
        #expect(killed.counters.queued == 300)
        #expect(Self.journalFiles(folder).isEmpty, "enqueueing (the request path) writes nothing")
        killed.commitJournal()  // the group commit its running loop makes every window
        let files = Self.journalFiles(folder)
        #expect(files.count == 1)
        let lines = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(lines.split(separator: "\n").count == 300, "one commit, every staged row")

        let restarted = SpendWriter(
            database: .embedded(SQLiteStore(path: path)),
            interval: .milliseconds(50),
            spillPath: spill,
            journalPath: journal
        )
        let group = ServiceGroup(configuration: .init(services: [restarted], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 250 ..< 350 { restarted.enqueue(SpendWriterTests.row(index)) }  // 50 overlap the journal's
            #expect(await eventually { restarted.counters.replayed == 300 && restarted.counters.queued == 0 })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(restarted.counters.replayed == 300)
        let check = SQLiteStore(path: path)
        #expect(try await check.countSpendLogs(SpendLogQuery()) == 350, "every row once")
        try await check.close()
        #expect(Self.journalFiles(folder).isEmpty, "written rows leave no journal")
    }

    /// The logs read queued rows before the table: journaled (queued) and staged rows alike, newest first.
    @Test func queuedRowsTakeTheNewestOfQueueAndStaged() throws {
        let folder = try TestPaths.temporaryDirectory("journal-queued")
        let writer = SpendWriter(
            database: .embedded(SQLiteStore(path: folder.appendingPathComponent("spend.sqlite").path)),
            interval: .seconds(60),
            spillPath: folder.appendingPathComponent("spill.jsonl").path,
            journalPath: folder.appendingPathComponent("spend.journal").path
        )
        for index in 0 ..< 5 { writer.enqueue(SpendWriterTests.row(index)) }
        writer.commitJournal()
        for index in 5 ..< 8 { writer.enqueue(SpendWriterTests.row(index)) }
        #expect(writer.queuedRows(limit: 4).map(\.requestID) == ["req-7", "req-6", "req-5", "req-4"])
        #expect(writer.queuedRows(limit: 2).map(\.requestID) == ["req-7", "req-6"])
        #expect(writer.queuedRows(limit: 20).map(\.requestID) == (0 ..< 8).reversed().map { "req-\($0)" })
    }

    /// While a group commit journals its rows they are in neither `staged` nor `queue`; readers must still see them
    /// (the logs page once came back empty for a request whose row was being journaled). The row's own encoding runs
    /// inside the commit, so it looks from there.
    @Test func rowsBeingJournaledStayVisible() throws {
        let folder = try TestPaths.temporaryDirectory("journal-committing")
        let writer = SpendWriter(
            database: .embedded(SQLiteStore(path: folder.appendingPathComponent("spend.sqlite").path)),
            interval: .seconds(60),
            spillPath: folder.appendingPathComponent("spill.jsonl").path,
            journalPath: folder.appendingPathComponent("spend.journal").path
        )
        let seen = NIOLockedValueBox<[String]?>(nil)
        writer.enqueue(
            SpendWriter.Pending {
                if seen.withLockedValue({ $0 == nil }) {
                    seen.withLockedValue { $0 = [] }
                    let visible = writer.queuedRows(limit: 10).map(\.requestID)
                    seen.withLockedValue { $0 = visible }
                }
                return SpendWriterTests.row(1)
            }
        )
        writer.commitJournal()
        #expect(seen.withLockedValue { $0 } == ["req-1"])
        #expect(writer.queuedRows(limit: 10).map(\.requestID) == ["req-1"])
    }

    @Test func withoutAJournalAKilledWriterLosesItsQueue() async throws {
        let folder = try TestPaths.temporaryDirectory("journal-off")
        let path = folder.appendingPathComponent("spend.sqlite").path
        let spill = folder.appendingPathComponent("spill.jsonl").path
        let killed = SpendWriter(database: .embedded(SQLiteStore(path: path)), interval: .seconds(60), spillPath: spill)
        for index in 0 ..< 10 { killed.enqueue(SpendWriterTests.row(index)) }
        let restarted = SpendWriter(
            database: .embedded(SQLiteStore(path: path)),
            interval: .milliseconds(50),
            spillPath: spill
        )
        let group = ServiceGroup(configuration: .init(services: [restarted], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let check = SQLiteStore(path: path)
        #expect(try await check.countSpendLogs(SpendLogQuery()) == 0, "the contrast: the queue died with the process")
        try await check.close()
    }
}
