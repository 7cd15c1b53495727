import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Tracing
import Wire

/// Where and how the proxy listens. A value type with defaults.
public struct ProxyRuntime: Sendable {
    public var host: String
    public var port: Int
    /// How long SIGTERM waits for in-flight requests and streams before cancelling them.
    public var shutdownGracePeriod: Duration
    /// A separate port serving only `/metrics` (`--metrics-port`), whatever the config's callbacks say.
    public var metricsPort: Int?
    /// Idle keep-alive connections, and connections that stop halfway through a request, are closed after this long
    /// (`--keepalive_timeout`, env `KEEPALIVE_TIMEOUT`; uvicorn's default, which LiteLLM runs on, is 5 s). nil: never.
    public var keepAliveTimeout: Duration?
    /// Connections the kernel queues before they are accepted: uvicorn's default (LiteLLM's server). Hummingbird's
    /// 256 drops the SYNs of a burst of new connections, which then wait 1–3 s for their retransmission.
    public var backlog = 2048

    public init(
        host: String = "0.0.0.0",
        port: Int = 4000,
        shutdownGracePeriod: Duration = .seconds(30),
        metricsPort: Int? = nil,
        keepAliveTimeout: Duration? = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.shutdownGracePeriod = shutdownGracePeriod
        self.metricsPort = metricsPort
        self.keepAliveTimeout = keepAliveTimeout
    }
}

/// The only place that wires the proxy's services: the upstream client, then the HTTP server. A ServiceGroup
/// starts them in order and stops them in reverse (server first, so no request finds the client closed).
public enum ProxyApplication {
    public struct Parts: Sendable {
        public var gateway: Gateway
        /// The HTTP surface the application serves (tests drive its router in memory).
        public var server: ProxyServer
        /// The store, spend writer, upstream client and key sync: everything but the HTTP servers, in start order.
        public var background: [any Service]
        /// What runs: the background services, then the HTTP servers (stopped first).
        public var services: [any Service]
    }

    public static func build(
        config: ProxyConfig,
        runtime: ProxyRuntime,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(LocatedError) -> Parts {
        var clientConfiguration = UpstreamClient.Configuration()
        clientConfiguration.verifyCertificates = config.settings.sslVerify
        if !config.settings.sslVerify {
            logger.warning("ssl_verify is false: upstream TLS certificates are NOT verified")
        }
        let metrics =
            config.settings.prometheusCallback || runtime.metricsPort != nil
            ? ProxyMetrics(settings: config.settings.metrics) : nil
        let identity = EntraTokenProvider(environment: environment, logger: logger) { source, outcome in
            metrics?.tokenFetched(source: source, outcome: outcome)
        }
        // Everything that can fail is built before the HTTP client, which must be shut down once it exists.
        let (writer, storeServices) = try makeSpendWriter(
            config: config,
            identity: identity,
            environment: environment,
            logger: logger
        )
        let client = UpstreamClient(configuration: clientConfiguration)
        let secrets = config.deployments.flatMap(\.secrets) + [environment["UI_PASSWORD"]].compactMap { $0 }
        let recorder = SpendRecorder(
            writer: writer,
            settings: config.settings,
            secrets: secrets
        )
        let cacheTTL = Duration.milliseconds(Int64(config.settings.keys.cacheTTL * 1000))
        let accounts = writer.database.records.map { store in
            AccountService(
                store: store,
                cacheTTL: cacheTTL,
                audit: AuditTrail(store: store, enabled: config.settings.keys.storeAuditLogs, logger: logger)
            )
        }
        let keys = writer.database.keys.map { store in
            KeyService(
                store: store,
                accounts: accounts,
                cacheTTL: cacheTTL,
                budgetExceededStatus: config.settings.keys.budgetExceededStatus,
                allowRequestsOnDBUnavailable: config.settings.keys.allowRequestsOnDBUnavailable ?? false
            )
        }
        let transport = UpstreamTransport(client: client.http, pinned: client.pinned)
        let tracing: (tracer: any Tracer, service: (any Service)?)?
        do {
            tracing = try config.settings.tracing.map { try TracingBackend.start($0, metrics: metrics, logger: logger) }
        } catch {
            logger.warning("tracing is off: the OpenTelemetry exporter did not start (\(error))")
            tracing = nil
        }
        let cache = config.settings.cache.map { settings in
            ResponseCache(
                settings: settings,
                postgres: writer.database.spend as? PostgresStore,
                logger: logger
            ) { metrics?.cacheFailed($0) }
        }
        let gateway = Gateway(
            config: config,
            transport: transport,
            spend: recorder,
            keys: keys,
            environment: environment,
            logger: logger,
            metrics: metrics,
            identity: identity,
            cache: cache,
            tracer: tracing?.tracer
        )
        let catalog = ModelCatalog(router: gateway.router, deployments: config.deployments)
        let probe = HealthProbe(
            transport: transport,
            builder: gateway.builder,
            identity: gateway.identity,
            logger: logger
        )
        let management = ManagementServices(
            catalog: catalog,
            health: HealthReport(catalog: catalog, probe: probe),
            spendLogs: SpendLogReader(store: writer.store, queued: { writer.queuedRows(limit: $0) }),
            keys: keys,
            logger: logger
        )
        let server = ProxyServer(gateway: gateway, services: management, environment: environment)
        var app = Application(
            router: server.buildRouter(),
            server: .proxyHTTP1(
                gateway: gateway,
                keepAliveTimeout: runtime.keepAliveTimeout.map {
                    .nanoseconds(
                        Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000
                    )
                }
            ),
            configuration: .init(
                address: .hostname(runtime.host, port: runtime.port),
                serverName: nil,
                backlog: runtime.backlog
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        // Tables exist before the first request (bounded: a database that is down does not keep the proxy from serving;
        // the writer prepares again when it reconnects).
        let database = writer.database
        app.beforeServerStarts {
            // `Deadline.run` lets go after 10 s even when the database call ignores cancellation (a task group would
            // wait for its cancelled child, and the server would never start).
            try? await Deadline.run(within: .seconds(10)) { try await database.prepare() }
        }
        // Started in this order, stopped in reverse: the server drains first, then the client, then the writer flushes.
        // The span exporter first: stopped last, it flushes the spans of the requests the server drained.
        var services: [any Service] = [tracing?.service].compactMap { $0 } + storeServices + [writer, client]
        // Replicas on one PostgreSQL hold virtual-key limits together (no Redis).
        if let keys, let shared = database.keyUsage {
            let every = config.settings.keys.limitSyncInterval
            services.append(
                KeyUsageSync(
                    keys: keys,
                    store: shared,
                    interval: .milliseconds(Int64(max(0.05, every) * 1000)),
                    logger: logger
                )
            )
        }
        let background = services
        services.append(app)
        if let metricsPort = runtime.metricsPort, let metrics {
            let router = Router()
            MetricsController(metrics: metrics, writer: writer).addRoutes(to: router)
            services.append(
                Application(
                    router: router,
                    configuration: .init(address: .hostname(runtime.host, port: metricsPort), serverName: nil),
                    logger: logger
                )
            )
        }
        return Parts(gateway: gateway, server: server, background: background, services: services)
    }

    /// The spend store (the embedded SQLite file by default) behind its batching writer.
    /// PostgreSQL when `database_url` / `DATABASE_URL` is set (its pooled client is a Service too), else the
    /// embedded SQLite file (`general_settings.sqlite_path`, env `LITELLM_SQLITE_PATH`, default in the working folder).
    static func makeSpendWriter(
        config: ProxyConfig,
        identity: EntraTokenProvider,
        environment: [String: String],
        logger: Logger
    ) throws(LocatedError) -> (SpendWriter, [any Service]) {
        let settings = config.settings.spend
        let database: Database
        var services: [any Service] = []
        if let url = config.settings.databaseURL, let credential = config.settings.databaseEntra {
            let pool = PostgresPool(
                configuration: try PostgresStore.configuration(url: url),
                credential: credential,
                identity: identity,
                logger: logger
            )
            database = .postgres(PostgresStore(pool: pool, logger: logger))
            services.append(pool)
        } else if let url = config.settings.databaseURL {
            let client = PostgresClient(
                configuration: try PostgresStore.configuration(url: url),
                backgroundLogger: logger
            )
            database = .postgres(PostgresStore(client: client, logger: logger))
            services.append(client)
        } else {
            database = .embedded(SQLiteStore(path: settings.sqlitePath, logger: logger))
        }
        let usesServer = config.settings.databaseURL != nil
        let spill = settings.spill(usesDatabaseServer: usesServer)
        let writer = SpendWriter(
            database: database,
            interval: .milliseconds(Int64(max(0.05, settings.batchInterval) * 1000)),
            capacity: settings.queueCapacity,
            spillPath: spill,
            journalPath: settings.journal(usesDatabaseServer: usesServer),
            journalWindow: settings.journalWindow,
            logger: logger
        )
        if let period = settings.retentionPeriod {
            let every = settings.retentionInterval
            services.append(
                SpendRetention(
                    store: database.spend,
                    period: period,
                    interval: .milliseconds(Int64(every * 1000)),
                    logger: logger
                )
            )
        }
        return (writer, services)
    }

    /// Runs the parts until SIGTERM/SIGINT, then drains for at most the grace period.
    public static func run(_ parts: Parts, runtime: ProxyRuntime, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: parts.services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = runtime.shutdownGracePeriod
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
