import ArgumentParser
import Conformance
import Foundation
import Logging
import MockAzure
import Wire

@main
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract:
            "Prove a proxy (ours or a LiteLLM release) answers like Azure through LiteLLM and logs what you bill on.",
        subcommands: [Run.self, List.self, Diff.self],
        defaultSubcommand: Run.self
    )
}

struct TargetOptions: ParsableArguments {
    @Option(help: "Key for the proxy (master key or a virtual key).") var key: String =
        ProcessInfo.processInfo.environment["LITELLM_MASTER_KEY"] ?? ""
    @Option(help: "mock (exact values, journal checks) or real (structure and invariants only).") var upstream: String =
        "mock"
    @Option(help: "MockAzure's URL, for --upstream mock.") var mock: String?
    @Flag(
        name: .customLong("embedded-mock"),
        help: "Start MockAzure in-process on --mock-port (the proxy must point at it)."
    ) var embeddedMock = false
    @Option(name: .customLong("mock-port"), help: "Port of the embedded MockAzure.") var mockPort = 8080
    @Option(help: "MockAzure fixtures folder (for --embedded-mock and timing checks).") var fixtures = "fixtures"
    @Option(help: "The seed's model group (o-series).") var model = "o4-mini"
    @Option(name: .customLong("chat-model"), help: "A gpt-4o model group.") var chatModel = "gpt-4o"
    @Option(name: .customLong("embedding-model")) var embeddingModel = "text-embedding-3-small"
    @Option(name: .customLong("completion-model")) var completionModel = "gpt-35-turbo-instruct"
    @Option(
        name: .customLong("upstream-key"),
        help: "The Azure key the proxy is configured with (its hash is checked upstream)."
    ) var upstreamKey: String?
    @Option(
        name: .customLong("upstream-auth"),
        help: "How the proxy authenticates to Azure: key (api-key) or entra (bearer tokens; runs the entra checks)."
    ) var upstreamAuth: String = "key"
    @Option(name: .customLong("responses-model"), help: "The model group the Responses API checks call.")
    var responsesModel = "o4-mini-responses"
    @Option(help: "A second replica of the proxy (same config and database), for the continuity checks.")
    var replica: String?
    @Option(help: "Suites to run, comma-separated: api,stream,errors,auth,logging,azure,router,entra,responses.")
    var suite: String =
        ConformanceCheck.Suite.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Only checks whose id contains this text (or matches this * pattern).") var only: String?
    @Option(name: .customLong("timing-tolerance-ms"), help: "Allowed lateness of a relayed stream frame.")
    var timingToleranceMs = 150

    func suites() throws -> Set<ConformanceCheck.Suite> {
        var result = Set<ConformanceCheck.Suite>()
        for name in suite.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let value = ConformanceCheck.Suite(rawValue: name) else {
                let known = ConformanceCheck.Suite.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown suite '\(name)' (\(known))")
            }
            result.insert(value)
        }
        return result
    }

    func target(proxy: String, mockURL: String?) throws -> ConformanceTarget {
        let upstreamMode: ConformanceTarget.Upstream
        switch upstream {
        case "mock":
            guard let url = mockURL else {
                throw ValidationError("--upstream mock needs --mock URL or --embedded-mock")
            }
            upstreamMode = .mock(url)
        case "real": upstreamMode = .real
        default: throw ValidationError("--upstream must be mock or real")
        }
        guard let auth = ConformanceTarget.UpstreamAuth(rawValue: upstreamAuth) else {
            throw ValidationError("--upstream-auth must be key or entra")
        }
        setenv("CONFORMANCE_FIXTURES", fixtures, 0)
        return ConformanceTarget(
            proxy: proxy,
            key: key,
            upstream: upstreamMode,
            model: model,
            chatModel: chatModel,
            embeddingModel: embeddingModel,
            completionModel: completionModel,
            upstreamKey: upstreamKey,
            timingTolerance: .milliseconds(timingToleranceMs),
            upstreamAuth: auth,
            responsesModel: responsesModel,
            replica: replica
        )
    }

    /// Runs `body` with the MockAzure URL: the given one, or an embedded MockAzure started for the run.
    func withMock<T: Sendable>(_ body: (String?) async throws -> T) async throws -> T {
        guard embeddedMock else { return try await body(mock) }
        var logger = Logger(label: "mock-azure")
        logger.logLevel = .warning
        var configuration = MockAzureConfiguration(port: mockPort, fixturesDirectory: fixtures, apiKey: upstreamKey)
        // A keyless resource, as the entra checks expect: keys are refused, tokens from the mock's Entra accepted.
        configuration.localAuthDisabled = upstreamAuth == "entra"
        let engine = try MockAzureEngine(configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = MockAzureServer(engine: engine, logger: logger).makeApplication { continuation.yield($0) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ExitCode(2) }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the checks against a proxy. Exit 0 all passed, 1 some failed, 2 usage or connection error."
    )

    @Option(help: "The proxy's base URL, e.g. http://localhost:4000") var proxy: String
    @OptionGroup var options: TargetOptions
    @Option(help: "Write JUnit XML here.") var junit: String?
    @Option(help: "Write JSON (with observed values) here.") var json: String?
    @Flag(
        name: .customLong("expect-litellm"),
        help: "Pass when every outcome equals LiteLLM 1.110.2's documented one (for runs against LiteLLM itself)."
    ) var expectLiteLLM = false

    func run() async throws {
        let suites = try options.suites()
        let report: ConformanceReport = try await options.withMock { mockURL in
            let runner = ConformanceRunner(
                target: try options.target(proxy: proxy, mockURL: mockURL),
                suites: suites,
                only: options.only
            )
            guard await runner.reachable() else {
                FileHandle.standardError.write(Data("conformance: cannot reach \(proxy)/health/liveliness\n".utf8))
                throw ExitCode(2)
            }
            let console = ConsoleReporter(color: isatty(STDOUT_FILENO) == 1)
            let checks = runner.selected()
            console.start(target: proxy, count: checks.count)
            return await runner.run(checks: checks) { check, outcome in console.report(check, outcome) }
        }
        if let junit { try Data(report.junit.utf8).write(to: URL(fileURLWithPath: junit)) }
        if let json { try Data((report.json.prettyPrinted() + "\n").utf8).write(to: URL(fileURLWithPath: json)) }
        if expectLiteLLM {
            let mismatches = report.litellmMismatches
            for outcome in mismatches {
                print(
                    """
                    LiteLLM outcome differs from the documented one: \(outcome.id): \(outcome.status.rawValue) \
                    (documented: \(outcome.litellm.label)) \(outcome.message ?? "")
                    """
                )
            }
            print("\(report.outcomes.count - mismatches.count) passed, \(mismatches.count) failed")
            if !mismatches.isEmpty { throw ExitCode(1) }
            return
        }
        print(report.summaryLine)
        if report.count(.failed) > 0 { throw ExitCode(1) }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every check with its suite and LiteLLM 1.110.2's outcome."
    )

    @Flag(
        name: .customLong("router-config"),
        help: "Print the model groups the router checks need in the proxy's config, and exit."
    ) var routerConfig = false

    func run() {
        if routerConfig {
            print(ConformanceCatalog.routerConfigSnippet)
            return
        }
        for check in ConformanceCatalog.all {
            let litellm: String
            switch check.litellm {
            case .pass: litellm = "pass"
            case .deviation(let reason): litellm = "fails: \(reason)"
            case .skip(let reason): litellm = "skip: \(reason)"
            }
            print(
                """
                \(check.id.padding(toLength: 30, withPad: " ", startingAt: 0)) \
                \(check.suite.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \
                \(check.requirement == .mock ? "mock" : "any ")  \(check.summary)  [LiteLLM 1.110.2: \(litellm)]
                """
            )
        }
        print("\(ConformanceCatalog.all.count) checks")
    }
}

struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the same suite against two proxies and report every check whose outcome or observed value differs."
    )

    @Option(help: "The proxy in production (e.g. the LiteLLM release in use).") var baseline: String
    @Option(help: "The proxy to roll out.") var candidate: String
    @Option(name: .customLong("candidate-key"), help: "Key for the candidate (default: --key).") var candidateKey:
        String?
    @OptionGroup var options: TargetOptions

    func run() async throws {
        let suites = try options.suites()
        let differences: [ConformanceDiff.Difference] = try await options.withMock { mockURL in
            let base = ConformanceRunner(
                target: try options.target(proxy: baseline, mockURL: mockURL),
                suites: suites,
                only: options.only
            )
            var candidateTarget = try options.target(proxy: candidate, mockURL: mockURL)
            if let candidateKey { candidateTarget.key = candidateKey }
            let next = ConformanceRunner(target: candidateTarget, suites: suites, only: options.only)
            guard await base.reachable(), await next.reachable() else {
                FileHandle.standardError.write(Data("conformance: cannot reach both proxies\n".utf8))
                throw ExitCode(2)
            }
            let a = await base.run()
            let b = await next.run()
            print("baseline  \(baseline): \(a.summaryLine)")
            print("candidate \(candidate): \(b.summaryLine)")
            return ConformanceDiff.compare(baseline: a, candidate: b)
        }
        for difference in differences {
            print("≠ \(difference.id)\n    baseline:  \(difference.baseline)\n    candidate: \(difference.candidate)")
        }
        print("\(differences.count) differences")
        if !differences.isEmpty { throw ExitCode(1) }
    }
}

/// Live progress: one line per check, coloured on a terminal, plain otherwise.
struct ConsoleReporter: Sendable {
    let color: Bool

    func start(target: String, count: Int) {
        FileHandle.standardOutput.write(Data("conformance: \(count) checks against \(target)\n".utf8))
    }

    func report(_ check: ConformanceCheck, _ outcome: CheckOutcome) {
        let (mark, code) =
            switch outcome.status {
            case .passed: ("PASS", "32")
            case .failed: ("FAIL", "31")
            case .skipped: ("SKIP", "33")
            }
        let label = color ? "\u{1B}[\(code)m\(mark)\u{1B}[0m" : mark
        var line = "\(label) \(check.id)"
        if let message = outcome.message { line += " — \(message)" }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
