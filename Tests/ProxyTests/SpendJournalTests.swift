import Foundation
import Logging
import Proxy
import ServiceLifecycle
import Testing
import TestSupport

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
        let killed = SpendWriter(store: SQLiteStore(path: path), interval: .seconds(60), spillPath: spill, journalPath: journal)
        for index in 0..<300 { killed.enqueue(SpendWriterTests.row(index)) }
        #expect(killed.counters.queued == 300)
        #expect(Self.journalFiles(folder).count == 1)

        let restarted = SpendWriter(store: SQLiteStore(path: path), interval: .milliseconds(50), spillPath: spill, journalPath: journal)
        let group = ServiceGroup(configuration: .init(services: [restarted], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 250..<350 { restarted.enqueue(SpendWriterTests.row(index)) }  // 50 overlap the journal's
            try await Task.sleep(for: .milliseconds(400))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(restarted.counters.replayed == 300)
        let check = SQLiteStore(path: path)
        #expect(try await check.countSpendLogs(SpendLogQuery()) == 350, "every row once")
        try await check.close()
        #expect(Self.journalFiles(folder).isEmpty, "written rows leave no journal")
    }

    @Test func withoutAJournalAKilledWriterLosesItsQueue() async throws {
        let folder = try TestPaths.temporaryDirectory("journal-off")
        let path = folder.appendingPathComponent("spend.sqlite").path
        let spill = folder.appendingPathComponent("spill.jsonl").path
        let killed = SpendWriter(store: SQLiteStore(path: path), interval: .seconds(60), spillPath: spill)
        for index in 0..<10 { killed.enqueue(SpendWriterTests.row(index)) }
        let restarted = SpendWriter(store: SQLiteStore(path: path), interval: .milliseconds(50), spillPath: spill)
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

    /// Under load the writer maps the next segment ahead (a spare), the next rows' lines land in it, readable by another
    /// process before any seal (a SIGKILL keeps them); an idle writer gives the spare back, and a stopped one leaves
    /// no file.
    @Test func theNextSegmentIsMappedAheadAndGivenBackWhenIdle() async throws {
        let folder = try TestPaths.temporaryDirectory("journal-spare")
        let path = folder.appendingPathComponent("spend.sqlite").path
        let journal = folder.appendingPathComponent("spend.journal").path
        // Flushed by hand: the interval never comes. The table is there before the writer starts.
        let store = SQLiteStore(path: path)
        try await store.prepare()
        let writer = SpendWriter(store: store, interval: .seconds(60), spillPath: folder.appendingPathComponent("spill.jsonl").path, journalPath: journal)
        let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test")))
        func lines() -> [String] {
            Self.journalFiles(folder).flatMap { name in
                (FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()).split(separator: 0x0A).compactMap { line in
                    line.first == UInt8(ascii: "{") ? String(decoding: line, as: UTF8.self) : nil
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0..<100 { writer.enqueue(SpendWriterTests.row(index)) }
            #expect(lines().count == 100)
            #expect(await writer.flush())
            #expect(writer.counters.written == 100)
            #expect(Self.journalFiles(folder).count == 1, "the spare, mapped ahead")
            #expect(lines().isEmpty, "written rows leave no line")
            for index in 100..<105 { writer.enqueue(SpendWriterTests.row(index)) }
            let pending = lines()
            #expect(pending.count == 5 && pending.allSatisfy { $0.contains("\"request_id\"") }, "lines in the spare before any seal")
            #expect(await writer.flush())
            #expect(writer.counters.written == 105)
            #expect(Self.journalFiles(folder).count == 1, "the next spare")
            #expect(await writer.flush())
            #expect(Self.journalFiles(folder).isEmpty, "an idle writer gives its spare back")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(Self.journalFiles(folder).isEmpty)
    }
}
