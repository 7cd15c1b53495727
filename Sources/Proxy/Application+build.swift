import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Where and how the proxy listens. A value type with defaults.
public struct ProxyRuntime: Sendable {
    public var host: String
    public var port: Int
    /// How long SIGTERM waits for in-flight requests and streams before cancelling them.
    public var shutdownGracePeriod: Duration

    public init(host: String = "0.0.0.0", port: Int = 4000, shutdownGracePeriod: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

/// The only place that wires the proxy's services: the upstream client, then the HTTP server. A ServiceGroup
/// starts them in order and stops them in reverse (server first, so no request finds the client closed).
public enum ProxyApplication {
    public struct Parts: Sendable {
        public var engine: ProxyEngine
        public var services: [any Service]
    }

    public static func build(
        config: ProxyConfig,
        runtime: ProxyRuntime,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Parts {
        var clientConfiguration = UpstreamClient.Configuration()
        clientConfiguration.verifyCertificates = config.settings.sslVerify
        if !config.settings.sslVerify {
            logger.warning("ssl_verify is false: upstream TLS certificates are NOT verified")
        }
        let client = UpstreamClient(configuration: clientConfiguration)
        let writer = makeSpendWriter(config: config, environment: environment, logger: logger)
        let recorder = SpendRecorder(writer: writer, settings: config.settings, environment: environment)
        let engine = ProxyEngine(config: config, client: client.http, pinned: client.pinned, spend: recorder, environment: environment, logger: logger)
        let app = Application(
            router: ProxyServer(engine: engine).buildRouter(),
            configuration: .init(address: .hostname(runtime.host, port: runtime.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        // Started in this order, stopped in reverse: the server drains first, then the client, then the writer flushes.
        return Parts(engine: engine, services: [writer, client, app])
    }

    /// The spend store (the embedded SQLite file by default) behind its batching writer.
    static func makeSpendWriter(config: ProxyConfig, environment: [String: String], logger: Logger) -> SpendWriter {
        let general = config.settings.generalSettings
        let path = general["sqlite_path"]?.stringValue ?? environment["LITELLM_SQLITE_PATH"] ?? "litellm_proxy.sqlite"
        if config.settings.databaseURL != nil {
            logger.warning("database_url is set, but this build stores spend logs in SQLite only (PostgreSQL storage is not built yet)", metadata: ["sqlite_path": "\(path)"])
        }
        let interval = general["proxy_batch_write_at"]?.doubleValue ?? 10
        let spill = general["spend_spill_path"]?.stringValue ?? path + ".spill.jsonl"
        let capacity = general["spend_queue_capacity"]?.intValue ?? 10_000
        return SpendWriter(store: SQLiteStore(path: path), interval: .milliseconds(Int64(max(0.05, interval) * 1000)), capacity: capacity, spillPath: spill, logger: logger)
    }

    /// Runs the parts until SIGTERM/SIGINT, then drains for at most the grace period.
    public static func run(_ parts: Parts, runtime: ProxyRuntime, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(services: parts.services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = runtime.shutdownGracePeriod
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
