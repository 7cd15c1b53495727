import Foundation
import Hummingbird
import Logging
import MockAzure
import ServiceLifecycle

/// Runs an application in its own ServiceGroup for the length of `body`, on the port it was bound to (use port 0),
/// then shuts it down gracefully.
public func withRunningApplication<App: ApplicationProtocol, T: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = make { port in continuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// A test MockAzure on a free port: the shipped fixtures, no stream delays unless asked for.
public func withMockAzure<T: Sendable>(
    _ configuration: MockAzureConfiguration = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0),
    _ body: (MockAzureEngine, String) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.port = 0
    let engine = try MockAzureEngine(configuration: configuration)
    var logger = Logger(label: "mock-azure")
    logger.logLevel = .warning
    let server = MockAzureServer(engine: engine, logger: logger)
    return try await withRunningApplication({ server.makeApplication(onServerRunning: $0) }) { port in
        try await body(engine, "http://127.0.0.1:\(port)")
    }
}
