import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MockAzure

@main
struct MockAzureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-azure",
        abstract: "An Azure OpenAI simulator that replays recorded responses, streams with their timing, and faults.",
        subcommands: [Serve.self, Record.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve Azure OpenAI's API from a fixtures folder (the default)."
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one and prints it).") var port = 8080
    @Option(help: "Folder with deployments.yaml and scenarios/.") var fixtures = "fixtures"
    @Option(
        name: .customLong("api-key"),
        help: "Key callers must send (api-key or Authorization: Bearer); default: any key."
    ) var apiKey: String?
    @Option(help: "Stream speed factor: 2 = twice as fast, 0 = no delays.") var speed = 1.0
    @Option(help: "Seed for generated answers and random faults.") var seed: UInt64 = 0
    @Option(name: .customLong("fault-rate"), help: "Share of requests (0…1) given a random fault.") var faultRate = 0.0
    @Option(name: .customLong("hang-seconds"), help: "How long a hang fault holds a request.") var hangSeconds = 120.0
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Flag(help: "Accept what Azure refuses: unknown arguments, o-series sampling parameters and max_tokens.")
    var lenient = false
    @Flag(
        name: .customLong("local-auth-disabled"),
        help: "Refuse api-key (403, as disableLocalAuth does): only Entra ID tokens are accepted."
    ) var localAuthDisabled = false
    @Option(name: .customLong("batch-seconds"), help: "Seconds a batch takes from created to completed (default 3).")
    var batchSeconds = 3.0
    @Option(name: .customLong("token-lifetime"), help: "Seconds an Entra ID token lives (default 3600).")
    var tokenLifetime = 3600
    @Option(name: .customLong("entra-client-id"), help: "The only client id the token endpoint knows (default: any).")
    var entraClientID: String?
    @Option(
        name: .customLong("entra-client-secret"),
        help: "The client secret the token endpoint requires (default: any); env MOCK_AZURE_ENTRA_CLIENT_SECRET."
    ) var entraClientSecret: String?
    @Option(
        name: .customLong("federated-subject"),
        help: "The subject a workload identity assertion must carry (default: any)."
    ) var federatedSubject: String?

    func validate() throws {
        guard (0 ... 1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1") }
        // Bounded so that a delay divided by the speed, or the hang, stays a representable clock duration.
        guard speed == 0 || (0.001 ... 1_000_000).contains(speed) else {
            throw ValidationError("--speed must be 0 or between 0.001 and 1000000")
        }
        guard (1 ... 86_400).contains(tokenLifetime) else {
            throw ValidationError("--token-lifetime must be between 1 and 86400")
        }
        guard (0 ... 86_400).contains(hangSeconds) else {
            throw ValidationError("--hang-seconds must be between 0 and 86400")
        }
    }

    func run() async throws {
        var logger = Logger(label: "mock-azure")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = MockAzureConfiguration(
            host: host,
            port: port,
            fixturesDirectory: fixtures,
            apiKey: apiKey ?? ProcessInfo.processInfo.environment["MOCK_AZURE_API_KEY"],
            speed: speed,
            seed: seed,
            faultRate: faultRate,
            hangSeconds: hangSeconds
        )
        configuration.strict = !lenient
        configuration.localAuthDisabled = localAuthDisabled
        configuration.batchSeconds = batchSeconds
        configuration.entra.tokenLifetime = tokenLifetime
        configuration.entra.clientID = entraClientID
        configuration.entra.clientSecret =
            entraClientSecret ?? ProcessInfo.processInfo.environment["MOCK_AZURE_ENTRA_CLIENT_SECRET"]
        configuration.entra.federatedSubject = federatedSubject
        let engine: MockAzureEngine
        do {
            engine = try MockAzureEngine(configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("mock-azure: broken fixture: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let host = self.host
        let count = engine.fixtures.scenarios.count
        let app = MockAzureServer(engine: engine, logger: logger).makeApplication { port in
            announce("mock-azure listening on http://\(host):\(port) with \(count) scenarios")
        }
        try await app.runService()
    }
}

struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forward to a real endpoint and write what it answers as scenarios."
    )

    @Option(help: "The real endpoint, e.g. https://myresource.openai.azure.com") var upstream: String
    @Option(
        name: .customLong("api-key-env"),
        help: "Environment variable holding the upstream api-key (else the caller's key passes through)."
    ) var apiKeyEnv: String?
    @Option(help: "Folder the recorded scenarios are written to.") var out: String
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8081

    func run() async throws {
        var key: String?
        if let apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[apiKeyEnv], !value.isEmpty else {
                throw ValidationError("environment variable \(apiKeyEnv) is not set")
            }
            key = value
        }
        let configuration = RecordingConfiguration(
            host: host,
            port: port,
            upstream: upstream,
            upstreamAPIKey: key,
            outputDirectory: out
        )
        let host = self.host
        let app = Recorder(configuration: configuration).makeApplication { port in
            announce(
                """
                mock-azure record listening on http://\(host):\(port), forwarding to \(configuration.upstream), \
                writing \(configuration.outputDirectory)
                """
            )
        }
        try await app.runService()
    }
}

/// Writes a line to standard output at once (print is block-buffered when stdout is a pipe, and scripts wait for it).
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
