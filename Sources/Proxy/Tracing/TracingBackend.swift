import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Tracing

#if !NO_OTEL
    import OTel
#endif

/// The OTLP/HTTP exporter behind `callbacks: ["otel"]`: swift-otel's batch span processor. A span is queued as it
/// ends and sent in batches from the processor's own task, so the request path never waits for the collector; a
/// full queue drops (counted), an unreachable collector costs the export's timeout on that task only.
public enum TracingBackend {
    /// swift-otel installs its tracer process-wide, once.
    static let installed = NIOLockedValueBox<(any Tracer)?>(nil)

    /// The tracer and the service that exports its spans (started before the HTTP server, stopped after it, so
    /// the last requests' spans are flushed). A second application in the process (tests) gets the installed tracer
    /// and no service of its own.
    public static func start(
        _ settings: TracingSettings,
        metrics: ProxyMetrics?,
        logger: Logger
    ) throws -> (tracer: any Tracer, service: (any Service)?) {
        try installed.withLockedValue { installed in
            if let installed {
                logger.warning("a tracer is already installed in this process: this application's spans go to it")
                return (installed, nil)
            }
            let service = try install(settings, metrics: metrics, logger: logger)
            installed = InstrumentationSystem.tracer
            logger.info("tracing: spans go to \(settings.redactedEndpoint) (OTLP/HTTP)")
            return (InstrumentationSystem.tracer, service)
        }
    }

    /// swift-otel's tracer installed as the process's, and its exporting service.
    static func install(_ settings: TracingSettings, metrics: ProxyMetrics?, logger: Logger) throws -> any Service {
        #if NO_OTEL
            throw TracingUnavailable()
        #else
            var configuration = OTel.Configuration.default
            configuration.serviceName = settings.serviceName
            configuration.resourceAttributes["deployment.environment"] = settings.environmentName
            configuration.metrics.enabled = false
            configuration.logs.enabled = false
            configuration.traces.otlpExporter.endpoint = settings.endpoint
            configuration.traces.otlpExporter.protocol = settings.json ? .httpJSON : .httpProtobuf
            configuration.traces.otlpExporter.headers = settings.headers
            configuration.traces.otlpExporter.timeout = settings.exportTimeout
            configuration.traces.batchSpanProcessor.maxQueueSize = settings.maxQueueSize
            configuration.traces.batchSpanProcessor.maxExportBatchSize = settings.exportBatchSize
            configuration.traces.batchSpanProcessor.exportTimeout = settings.exportTimeout
            configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
            var diagnostics = logger
            diagnostics.handler = SpanLossCounter(wrapping: logger.handler, metrics: metrics)
            configuration.diagnosticLogger = .custom(diagnostics)
            // The OTEL_* variables the configuration reader did not interpret (it read LiteLLM's spellings itself).
            return try OTel.bootstrap(configuration: configuration, environment: settings.passedEnvironment)
        #endif
    }

    /// A build without the exporter (the ThreadSanitizer build: Package.swift's GATEWAY_TSAN).
    struct TracingUnavailable: Error, CustomStringConvertible {
        var description: String { "this build has no OTLP exporter" }
    }
}

/// swift-otel reports lost spans only in its diagnostic log: this handler passes every record on and counts those
/// (a full queue's `dropped_count`, a failed export's `batch_size`) into /metrics.
struct SpanLossCounter: LogHandler {
    var wrapped: any LogHandler
    let metrics: ProxyMetrics?

    init(wrapping handler: any LogHandler, metrics: ProxyMetrics?) {
        self.wrapped = handler
        self.metrics = metrics
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if event.message.description.hasPrefix("Spans were dropped"), let count = all["dropped_count"] {
            metrics?.spansLost(Int("\(count)") ?? 0, reason: "queue_full")
        } else if event.message.description.hasPrefix("Failed to export batch"), let size = all["batch_size"] {
            metrics?.spansLost(Int("\(size)") ?? 0, reason: "export_failed")
        }
        wrapped.log(event: event)
    }
}
