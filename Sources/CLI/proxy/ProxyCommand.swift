import ArgumentParser
import Foundation
import Logging
import MockAzure
import Proxy
import Wire

@main
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "An LLM gateway that reads LiteLLM's config.yaml and serves its API in front of Azure OpenAI."
    )

    @Option(help: "LiteLLM config.yaml (env CONFIG_FILE_PATH).") var config: String?
    @Option(help: "Port (env PORT; default 4000).") var port: Int?
    @Option(help: "Address to bind (env HOST; default 0.0.0.0).") var host: String?
    @Option(
        name: .customLong("num_workers"),
        help: "Event loops (threads serving connections); default: the CPUs this process may use (affinity, cgroup)."
    ) var numWorkers: Int?
    @Flag(name: .customLong("detailed_debug"), help: "Debug logging.") var detailedDebug = false
    @Flag(name: .customLong("debug"), help: "Debug logging.") var debug = false
    @Flag(name: .customLong("json-logs"), help: "One JSON object per log line.") var jsonLogs = false
    @Flag(
        name: .customLong("check-config"),
        help: "Validate the config, print what is not honoured of it, and exit (0 valid, 1 not)."
    ) var checkConfig = false
    @Flag(help: "Refuse config keys this gateway does not honour, and keys LiteLLM does not know.") var strict = false
    @Flag(
        name: .customLong("config-support-table"),
        help: "Print the support table of LiteLLM's config keys (docs/config-support.md) and exit."
    ) var configSupportTable = false
    @Flag(help: "Run offline: an in-process MockAzure, a demo config (o4-mini, gpt-4o) and a printed master key.")
    var demo = false
    @Option(help: "With --demo: the MockAzure fixtures folder.") var fixtures = "fixtures"
    @Option(
        name: .customLong("metrics-port"),
        help: "Also serve /metrics (Prometheus) on this port, whatever the config's callbacks."
    ) var metricsPort: Int?
    @Option(
        name: .customLong("keepalive_timeout"),
        help:
            """
            Close idle keep-alive connections (and half-sent requests) after this many seconds (env KEEPALIVE_TIMEOUT; \
            default 5, as uvicorn's; 0: never).
            """
    ) var keepaliveTimeout: Double?
    @Option(
        name: .customLong("shutdown-grace-seconds"),
        help: "How long SIGTERM waits for in-flight requests and streams."
    ) var shutdownGraceSeconds = 30.0

    /// Durations in range, so that converting them to clock durations cannot trap (`KEEPALIVE_TIMEOUT=1e300` did).
    func validate() throws {
        if let numWorkers, !(1 ... 1024).contains(numWorkers) {
            throw ValidationError("--num_workers must be between 1 and 1024")
        }
        guard (0 ... 86_400).contains(shutdownGraceSeconds) else {
            throw ValidationError("--shutdown-grace-seconds must be between 0 and 86400")
        }
        guard (0 ... 86_400).contains(keepAlive) else {
            throw ValidationError("--keepalive_timeout / KEEPALIVE_TIMEOUT must be seconds between 0 and 86400")
        }
    }

    /// `--keepalive_timeout`, else `KEEPALIVE_TIMEOUT`, else uvicorn's 5 s; NaN for text that is not a number.
    var keepAlive: Double {
        keepaliveTimeout ?? ProcessInfo.processInfo.environment["KEEPALIVE_TIMEOUT"].map { Double($0) ?? .nan } ?? 5
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        UsableCores.sizeSingletons(loops: numWorkers, environment: environment)
        let jsonLogs = self.jsonLogs || environment["JSON_LOGS"] == "True" || environment["JSON_LOGS"] == "true"
        let level: Logger.Level = (detailedDebug || debug || environment["LITELLM_LOG"] == "DEBUG") ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                jsonLogs
                ? JSONLogHandler(label: label) : DeferredLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "proxy")
        let runtime = ProxyRuntime(
            host: host ?? environment["HOST"] ?? "0.0.0.0",
            port: port ?? environment["PORT"].flatMap(Int.init) ?? 4000,
            shutdownGracePeriod: .milliseconds(Int64(shutdownGraceSeconds * 1000)),
            metricsPort: metricsPort,
            keepAliveTimeout: keepAlive.nonZeroDuration
        )
        if configSupportTable {
            print(ConfigSupport.markdown(), terminator: "")
            return
        }
        if demo {
            try await runDemo(runtime: runtime, logger: logger)
            return
        }
        guard let path = config ?? environment["CONFIG_FILE_PATH"] else {
            throw ValidationError("--config PATH (or CONFIG_FILE_PATH) is required; try --demo to run offline")
        }
        let loaded: ProxyConfig
        do {
            loaded = try ConfigLoader.load(path: path, environment: environment, strict: strict)
        } catch {
            FileHandle.standardError.write(Data("proxy: invalid config: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for warning in loaded.warnings { logger.warning("config warning", metadata: ["detail": "\(warning)"]) }
        for (name, value) in loaded.environmentVariables { setenv(name, value, 1) }
        if checkConfig {
            for finding in loaded.support { print(finding) }
            announce(
                """
                config OK: \(path): \(loaded.deployments.count) deployments in \
                \(loaded.modelGroups.count) model groups, \(loaded.warnings.count) warnings
                """
            )
            return
        }
        let parts: ProxyApplication.Parts
        do {
            parts = try ProxyApplication.build(
                config: loaded,
                runtime: runtime,
                logger: logger,
                environment: ProcessInfo.processInfo.environment
            ) { port in
                announce(
                    "proxy listening on http://\(runtime.host):\(port) with \(loaded.modelGroups.count) model groups"
                )
            }
        } catch {
            FileHandle.standardError.write(Data("proxy: invalid config: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await ProxyApplication.run(parts, runtime: runtime, logger: logger)
    }

    func runDemo(runtime: ProxyRuntime, logger: Logger) async throws {
        let engine: MockAzureEngine
        do {
            engine = try MockAzureEngine(configuration: MockAzureConfiguration(port: 0, fixturesDirectory: fixtures))
        } catch {
            FileHandle.standardError.write(Data("proxy --demo: cannot load MockAzure fixtures: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var mockLogger = logger
        mockLogger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let mock = MockAzureServer(engine: engine, logger: mockLogger).makeApplication { port in
            continuation.yield(port)
        }
        let masterKey = "sk-demo-" + String(UUID().uuidString.lowercased().prefix(8))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await mock.run() }
            var iterator = ports.makeAsyncIterator()
            guard let mockPort = await iterator.next() else { return }
            let config = try ConfigLoader.parse(
                DemoConfig.yaml(mockBase: "http://127.0.0.1:\(mockPort)", masterKey: masterKey),
                file: "<demo>",
                environment: ProcessInfo.processInfo.environment
            )
            let host = runtime.host
            let parts = try ProxyApplication.build(config: config, runtime: runtime, logger: logger) { port in
                let shownHost = host == "0.0.0.0" ? "localhost" : host
                announce(
                    """
                    proxy --demo: listening on http://\(shownHost):\(port) in front of MockAzure on port \(mockPort)
                    master key: \(masterKey)
                    try the seed's request:
                      curl http://\(shownHost):\(port)/chat/completions -H "Authorization: Bearer \(masterKey)" \
                    -H 'Content-Type: application/json' \\
                        -d '{"model": "o4-mini", "messages": [{"role": "user", "content": "what llm are you"}]}'
                    """
                )
            }
            try await ProxyApplication.run(parts, runtime: runtime, logger: logger)
            group.cancelAll()
        }
    }
}

/// Writes a line to standard output at once (print is block-buffered when stdout is a pipe, and scripts wait for it).
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension Double {
    /// Seconds as a Duration, nil for 0 or less (never).
    var nonZeroDuration: Duration? { self > 0 ? .milliseconds(Int64(self * 1000)) : nil }
}
