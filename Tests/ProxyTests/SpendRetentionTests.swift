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

@Suite struct SpendRetentionTests {
    /// maximum_spend_logs_retention_period: rows older than the period go, newer ones stay.
    @Test func oldRowsAreDeleted() async throws {
        let store = SQLiteStore(
            path: try TestPaths.temporaryDirectory("retention").appendingPathComponent("s.sqlite").path
        )
        try await store.prepare()
        var old = SpendWriterTests.row(1)
        old.startTime = Date().addingTimeInterval(-40 * 86400)
        var recent = SpendWriterTests.row(2)
        recent.startTime = Date().addingTimeInterval(-3600)
        try await store.insert([old, recent])
        let retention = SpendRetention(
            store: store,
            period: 30 * 86400,
            interval: .seconds(3600),
            logger: Logger(label: "test")
        )
        let group = ServiceGroup(configuration: .init(services: [retention], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await eventually { try await store.countSpendLogs(SpendLogQuery()) == 1 })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await store.spendLogs(SpendLogQuery()).map(\.requestID) == ["req-2"])
        try await store.close()
        #expect(throws: LocatedError.self) {
            _ = try ProxyApplication.build(
                config: try ConfigLoader.parse("general_settings: {maximum_spend_logs_retention_period: forever}"),
                runtime: ProxyRuntime(port: 0),
                logger: Logger(label: "t")
            )
        }
    }
}
