import Foundation
import TestSupport
import Testing

@testable import Proxy

/// Keys written and read while spend rows are inserted. A key write that waits for the inserts' write lock must not
/// hold a thread the inserts need to finish: with both on one shared pool the waits ran out after 5 s and the fuzz run
/// answered "database is locked" and "authentication database is temporarily unreachable".
@Suite struct SQLiteStoreContentionTests {
    @Test func keyWritesAndReadsDuringInsertsNeverTimeOut() async throws {
        let path = try TestPaths.temporaryDirectory("contention").appendingPathComponent("s.sqlite").path
        let store = SQLiteStore(path: path)
        try await store.prepare()
        do {
            try await Self.writeKeysDuringInserts(store)
        } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }

    static func writeKeysDuringInserts(_ store: SQLiteStore) async throws {
        let marker = UUID().uuidString
        // Opens the inserts' connection, so the rounds below start with their write lock contended.
        try await store.insert(SpendWriterTests.markedRows(1, prefix: "contention-open", marker: marker))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0 ..< 8 {
                    try await store.insert(
                        SpendWriterTests.markedRows(400, prefix: "contention-\(round)", marker: marker)
                    )
                }
            }
            for writer in 0 ..< 6 {
                group.addTask {
                    for round in 0 ..< 15 {
                        let token = "contention-\(writer)-\(round)-\(marker)"
                        try await store.insertKey(VirtualKey(token: token, keyName: "sk-...test"))
                        #expect(try await store.key(token: token) != nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.countSpendLogs(SpendLogQuery(apiKey: marker)) == 3201)
        #expect(try await store.countKeys() == 90)
    }
}
