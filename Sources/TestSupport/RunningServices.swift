import Foundation
import Hummingbird
import Logging
import MockAzure
import Proxy
import ServiceLifecycle

/// Runs an application in its own ServiceGroup for the length of `body`, on the port it was bound to (use port 0),
/// then shuts it down gracefully.
public func withRunningApplication<App: ApplicationProtocol, T: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = make { port in continuation.yield(port) }
    return try await withRunningServices([app], ports: ports, body)
}

/// Runs services in one ServiceGroup (started in order, stopped in reverse) until `body` returns; `ports` yields
/// the listening port once the server is up.
public func withRunningServices<T: Sendable>(
    _ services: [any Service],
    ports: AsyncStream<Int>,
    _ body: (Int) async throws -> T
) async throws -> T {
    try await withServiceGroup(services) {
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return try await body(port)
    }
}

/// Runs services in one ServiceGroup while `body` runs, then shuts them down gracefully (also when it throws).
public func withServiceGroup<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
    let group = ServiceGroup(
        configuration: .init(services: services.map { .init(service: $0) }, logger: Logger(label: "test"))
    )
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body()
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
    _ configuration: MockAzureConfiguration = MockAzureConfiguration(
        port: 0,
        fixturesDirectory: TestPaths.fixtures,
        speed: 0
    ),
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

/// A proxy in front of a test MockAzure, both on free ports. `config` turns MockAzure's base URL into the
/// config.yaml text.
public func withProxy<T: Sendable>(
    mock configuration: MockAzureConfiguration = MockAzureConfiguration(
        port: 0,
        fixturesDirectory: TestPaths.fixtures,
        speed: 0
    ),
    config: @escaping @Sendable (String) -> String = { TestConfigs.standard(mockBase: $0) },
    environment: [String: String] = [:],
    mockEnvironment: @escaping @Sendable (String) -> [String: String] = { _ in [:] },
    keepAliveTimeout: Duration? = .seconds(5),
    _ body: @escaping @Sendable (ProxyTestContext) async throws -> T
) async throws -> T {
    try await withMockAzure(configuration) { mock, mockBase in
        let environment = environment.merging(mockEnvironment(mockBase)) { $1 }
        let parsed = try ConfigLoader.parse(config(mockBase), file: "test-config.yaml", environment: environment)
        var logger = Logger(label: "proxy")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let parts = try ProxyApplication.build(
            config: parsed,
            runtime: ProxyRuntime(host: "127.0.0.1", port: 0, keepAliveTimeout: keepAliveTimeout),
            logger: logger,
            environment: environment
        ) { port in
            continuation.yield(port)
        }
        return try await withRunningServices(parts.services, ports: ports) { port in
            try await body(
                ProxyTestContext(
                    gateway: parts.gateway,
                    base: "http://127.0.0.1:\(port)",
                    mock: mock,
                    mockBase: mockBase
                )
            )
        }
    }
}

/// What a proxy test can reach.
public struct ProxyTestContext: Sendable {
    public var gateway: Gateway
    public var base: String
    public var mock: MockAzureEngine
    public var mockBase: String
    public var masterKey: String { TestConfigs.masterKey }
    public var auth: [(String, String)] { [("authorization", "Bearer \(TestConfigs.masterKey)")] }
}

/// Configurations used across the proxy tests.
public enum TestConfigs {
    /// A fresh SQLite file for one proxy's spend logs.
    public static func temporarySQLitePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("proxy-\(UUID().uuidString).sqlite").path
    }

    public static let masterKey = "sk-test-master-1234"
    public static let azureKey = "azure-upstream-key-5678"

    /// The seed's shape (a bare `o4-mini` on an Azure deployment) plus gpt-4o, embeddings and legacy completions.
    public static func standard(mockBase: String) -> String {
        """
        model_list:
          - model_name: o4-mini
            litellm_params:
              model: azure/o4-mini
              api_base: \(mockBase)
              api_version: "2025-01-01-preview"
              api_key: \(azureKey)
          - model_name: gpt-4o
            litellm_params:
              model: azure/gpt-4o
              api_base: \(mockBase)
              api_version: "2025-01-01-preview"
              api_key: \(azureKey)
          - model_name: text-embedding-3-small
            litellm_params:
              model: azure/text-embedding-3-small
              api_base: \(mockBase)
              api_key: \(azureKey)
            model_info:
              mode: embedding
          - model_name: gpt-35-turbo-instruct
            litellm_params:
              model: azure/gpt-35-turbo-instruct
              api_base: \(mockBase)
              api_key: \(azureKey)
            model_info:
              mode: completion
          - model_name: o4-mini-responses   # the Responses API's version (none: `preview`, /openai/v1)
            litellm_params:
              model: azure/o4-mini
              api_base: \(mockBase)
              api_key: \(azureKey)
          - model_name: gpt-4o-fast-timeout
            litellm_params:
              model: azure/gpt-4o
              api_base: \(mockBase)
              api_key: \(azureKey)
              timeout: 0.5
          - model_name: unreachable
            litellm_params:
              model: azure/gpt-4o
              api_base: http://127.0.0.1:1
              api_key: \(azureKey)
          # The conformance suite's router groups.
          - {model_name: router-pair, litellm_params: {model: azure/gpt-4o, api_base: \(mockBase), \
        api_key: \(azureKey), weight: 1000}}
          - {model_name: router-pair, litellm_params: {model: azure/gpt-4o-mini, api_base: \(mockBase), \
        api_key: \(azureKey), weight: 1}}
          - {model_name: router-primary, litellm_params: {model: azure/gpt-4o, api_base: \(mockBase), \
        api_key: \(azureKey)}}
          - {model_name: router-backup, litellm_params: {model: azure/gpt-4o-mini, api_base: \(mockBase), \
        api_key: \(azureKey)}}
        router_settings:
          num_retries: 0   # one attempt: these tests look at single upstream answers \
        (RouterIntegrationTests cover retries)
          fallbacks: [{router-primary: [router-backup]}]
          content_policy_fallbacks: [{router-primary: [router-backup]}]
        files_settings:   # where /v1/files and /v1/batches go
          - custom_llm_provider: azure
            api_base: \(mockBase)
            api_key: \(azureKey)
            api_version: "2025-01-01-preview"
        general_settings:
          master_key: \(masterKey)
          max_request_size_mb: 1
          proxy_batch_write_at: 0.1
          sqlite_path: \(temporarySQLitePath())
        """
    }
}
