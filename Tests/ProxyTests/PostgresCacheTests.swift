import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import Testing
import Wire

@testable import Proxy

/// The shared response cache in PostgreSQL: replicas serve each other's entries, expiry, deletion, and a database
/// that does not answer is a bounded miss.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] != nil,
        "set TEST_DATABASE_URL to run the PostgreSQL tests"
    )
)
struct PostgresCacheTests {
    /// Two stores with clients of their own, as two replicas have.
    func withReplicas(url: String = PostgresStoreTests.url, _ body: (PostgresStore, PostgresStore) async throws -> Void)
        async throws
    {
        let clients = (0 ..< 2).map { _ in
            PostgresClient(
                configuration: try! PostgresStore.configuration(url: url),
                backgroundLogger: Logger(label: "pg")
            )
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            do {
                try await body(PostgresStore(client: clients[0]), PostgresStore(client: clients[1]))
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func cache(_ store: PostgresStore, failures: NIOLockedValueBox<[String]>? = nil) -> ResponseCache {
        var settings = CacheSettings()
        settings.backend = .postgres
        settings.lookupTimeout = .milliseconds(300)
        return ResponseCache(settings: settings, postgres: store, logger: Logger(label: "cache")) { operation in
            failures?.withLockedValue { $0.append(operation) }
        }
    }

    static func plan(_ key: String, scope: String = "key:a", ttl: Double = 60) -> CachePlan {
        var settings = CacheSettings()
        settings.scope = .global
        var plan = CachePlan(
            body: ["messages": [["role": "user", "content": .string(key)]]],
            operation: .chatCompletions,
            isStream: false,
            group: "g",
            caller: Caller(kind: .master, keyHash: "a"),
            cacheControl: nil,
            settings: settings
        )!
        plan.scope = scope
        plan.ttl = ttl
        return plan
    }

    @Test func replicasShareEntries() async throws {
        try await withReplicas { first, second in
            let (one, two) = (Self.cache(first), Self.cache(second))
            #expect(one.store.kind == "postgres")
            try await one.store.flush()
            let unique = UUID().uuidString
            let plan = Self.plan(unique)
            #expect(await two.lookup(plan) == nil)
            one.save(plan, body: ByteBuffer(string: #"{"id":"x"}"#), modelID: "dep-1")
            var found: CachedAnswer?
            for _ in 0 ..< 200 where found == nil {
                found = await two.lookup(plan)
                if found == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(found?.body == Array(#"{"id":"x"}"#.utf8) && found?.modelID == "dep-1")
            // Another scope does not see it; a stored answer past its TTL is not served.
            var other = plan
            other.scope = "key:b"
            #expect(await two.lookup(other) == nil)
            let expired = Self.plan(unique + "-expired", ttl: 0)
            try await one.store.store(
                scope: expired.scope,
                key: expired.key,
                CachedAnswer(body: [1], storedAt: Date(), modelID: "m"),
                expires: Date().addingTimeInterval(-1)
            )
            #expect(await two.lookup(expired) == nil)
            #expect(try await two.store.delete(keys: [plan.key]) == 1)
            #expect(await one.lookup(plan) == nil)
        }
    }

    /// A database that does not answer costs a lookup its timeout, not the request: the lookup is a miss and counted.
    @Test func anUnreachableDatabaseIsABoundedMiss() async throws {
        // A port nothing listens on: the client keeps trying to connect and the query never runs.
        try await withReplicas(url: "postgresql://gateway:x@127.0.0.1:9/gateway?sslmode=disable") { store, _ in
            let failures = NIOLockedValueBox<[String]>([])
            let cache = Self.cache(store, failures: failures)
            let started = ContinuousClock.now
            #expect(await cache.lookup(Self.plan("down")) == nil)
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(failures.withLockedValue { $0 } == ["lookup"])
            // Then the store is left alone for a while: the next lookup is a miss at once, with no query.
            let again = ContinuousClock.now
            #expect(await cache.lookup(Self.plan("down")) == nil)
            #expect(ContinuousClock.now - again < .milliseconds(50))
            #expect(failures.withLockedValue { $0 } == ["lookup"])
        }
    }
}
