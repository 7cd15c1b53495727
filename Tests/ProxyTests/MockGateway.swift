import Foundation
import Logging
import MockAzure
import TestSupport
import Tracing

@testable import Proxy

/// A gateway built from a config against a running MockAzure, with its spend rows in an embedded SQLite (tests read
/// them from the writer's queue), Prometheus metrics, and the response cache when the config has one. The upstream
/// client is shut down when `body` returns.
struct MockGateway: Sendable {
    let gateway: Gateway
    let mock: MockAzureEngine
    let writer: SpendWriter
    let metrics: ProxyMetrics

    static func with<T: Sendable>(
        _ configuration: MockAzureConfiguration = MockAzureConfiguration(
            port: 0,
            fixturesDirectory: TestPaths.fixtures,
            speed: 0
        ),
        label: String,
        config: (String) -> String,
        tracer: (any Tracer)? = nil,
        _ body: @Sendable (MockGateway) async throws -> T
    ) async throws -> T {
        try await withMockAzure(configuration) { mock, base in
            let config = try ConfigLoader.parse(config(base), environment: ["AZURE_AUTHORITY_HOST": base])
            let folder = try TestPaths.temporaryDirectory(label)
            let writer = SpendWriter(
                database: .embedded(SQLiteStore(path: folder.appendingPathComponent("s.sqlite").path)),
                spillPath: folder.appendingPathComponent("spill.jsonl").path
            )
            var logger = Logger(label: label)
            logger.logLevel = .error
            let metrics = ProxyMetrics()
            let client = UpstreamClient()
            let gateway = Gateway(
                config: config,
                transport: UpstreamTransport(client: client.http),
                spend: SpendRecorder(writer: writer, settings: config.settings),
                logger: logger,
                metrics: metrics,
                cache: config.settings.cache.map { ResponseCache(settings: $0, postgres: nil, logger: logger) },
                tracer: tracer
            )
            let result: Result<T, any Error>
            do {
                result = .success(
                    try await body(MockGateway(gateway: gateway, mock: mock, writer: writer, metrics: metrics))
                )
            } catch {
                result = .failure(error)
            }
            try await client.http.shutdown()
            return try result.get()
        }
    }
}
