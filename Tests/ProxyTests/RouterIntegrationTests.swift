import AsyncHTTPClient
import Foundation
import Logging
import MockAzure
import NIOConcurrencyHelpers
import NIOCore
import Proxy
import TestSupport
import Testing
import Wire

/// Values recorded from any task.
final class Recorded<Value: Sendable>: Sendable {
    let storage = NIOLockedValueBox<[Value]>([])
    func append(_ value: Value) { storage.withLockedValue { $0.append(value) } }
    var values: [Value] { storage.withLockedValue { $0 } }
}

/// The router through the gateway against a real MockAzure: per-deployment faults (`#mock-fault@DEPLOYMENT:`),
/// where each attempt went (the mock's journal), the waits asked for (recorded, not slept) and the headers.
@Suite struct RouterIntegrationTests {
    struct Harness {
        let gateway: Gateway
        let mock: MockAzureEngine
        let sleeps: Recorded<Duration>

        func chat(
            _ model: String,
            _ prompt: String,
            stream: Bool = false,
            extra: String = "",
            headers: [(String, String)] = []
        ) async -> ProxyOutcome {
            await gateway.handle(
                RouterIntegrationTests.chatCall(
                    model,
                    prompt,
                    extra: (stream ? #","stream":true"# : "") + extra,
                    headers: headers
                )
            )
        }

        /// Upstream requests per deployment name, from the mock's journal.
        func hits() -> [String: Int] {
            var counts: [String: Int] = [:]
            for entry in mock.journal.entries {
                let parts = entry.path.split(separator: "/")
                if let index = parts.firstIndex(of: "deployments"), index + 1 < parts.count {
                    counts[String(parts[index + 1]), default: 0] += 1
                }
            }
            return counts
        }
    }

    static func withRouter<T: Sendable>(
        _ modelList: String,
        settings: String = "{}",
        general: String = "{}",
        clock: ManualClock = ManualClock(),
        _ body: @Sendable (Harness) async throws -> T
    ) async throws -> T {
        try await withMockAzure { mock, base in
            let list = modelList.replacingOccurrences(of: "MOCK", with: base)
                .replacingOccurrences(of: "KEY", with: TestConfigs.azureKey)
            let yaml = """
                model_list:
                \(list)
                router_settings: \(settings)
                general_settings: \(general)
                """
            let config = try ConfigLoader.parse(yaml)
            let sleeps = Recorded<Duration>()
            var logger = Logger(label: "router-test")
            logger.logLevel = .warning
            // The production client: a refused connection fails at once rather than being retried by the pool.
            let client = UpstreamClient()
            let gateway = Gateway(
                config: config,
                transport: UpstreamTransport(client: client.http),
                logger: logger,
                routerState: RouterState(now: { clock.now })
            ) { duration in
                sleeps.append(duration)
            }
            let result: Result<T, any Error>
            do { result = .success(try await body(Harness(gateway: gateway, mock: mock, sleeps: sleeps))) } catch {
                result = .failure(error)
            }
            try await client.http.shutdown()
            return try result.get()
        }
    }

    /// A chat completion call for `model` with one user message; `extra` is JSON text added after the messages.
    static func chatCall(_ model: String, _ prompt: String, extra: String = "", headers: [(String, String)] = [])
        -> ProxyCall
    {
        let body =
            #"""
            {"model":"\#(model)","messages":[{"role":"user","content":\#(JSON.string(prompt).serialized())}]\#(extra)}
            """#
        return ProxyCall(
            operation: .chatCompletions,
            route: "/chat/completions",
            headers: headers,
            body: ByteBuffer(string: body)
        )
    }

    static func entry(_ group: String, _ deployment: String, id: String? = nil, extra: String = "") -> String {
        """
          - {model_name: \(group), litellm_params: {model: azure/\(deployment), api_base: MOCK, \
        api_version: '2025-01-01-preview', api_key: KEY\(extra)}\(id.map { ", model_info: {id: \($0)}" } ?? "")}
        """
    }

    static func header(_ outcome: ProxyOutcome, _ name: String) -> String? {
        switch outcome {
        case .complete(_, let headers, _): headers.first { $0.0 == name }?.1
        case .stream(let headers, _), .forward(_, let headers, _): headers.first { $0.0 == name }?.1
        }
    }

    static func status(_ outcome: ProxyOutcome) -> Int {
        if case .complete(let status, _, _) = outcome { return status }
        return 200
    }

    static func body(_ outcome: ProxyOutcome) throws -> JSON {
        guard case .complete(_, _, let body) = outcome else { throw CancellationError() }
        return try JSON.parse(body.readableBytesView)
    }

    @Test func retryOnTheOnlyDeploymentWaitsForRetryAfter() async throws {
        try await Self.withRouter(Self.entry("solo", "gpt-4o")) { harness in
            let outcome = await harness.chat("solo", "hi\n#mock-fault: 429 then 200")
            #expect(Self.status(outcome) == 200)
            #expect(Self.header(outcome, "x-litellm-attempted-retries") == "1")
            #expect(harness.sleeps.values == [.seconds(1)])
            #expect(harness.hits() == ["gpt-4o": 2])
        }
    }

    @Test func failingDeploymentIsRetriedElsewhereAtOnceThenCooled() async throws {
        let list = [Self.entry("chat", "gpt-4o", id: "big"), Self.entry("chat", "gpt-4o-mini", id: "small")].joined(
            separator: "\n"
        )
        try await Self.withRouter(list, settings: "{allowed_fails: 1, cooldown_time: 60}") { harness in
            for _ in 0 ..< 20 {
                let outcome = await harness.chat("chat", "hi\n#mock-fault@gpt-4o: 500")
                #expect(Self.status(outcome) == 200)
                #expect(Self.header(outcome, "x-litellm-model-id") == "small")
            }
            // No wait: another deployment was there. gpt-4o failed at most allowed_fails + 1 times, then cooled.
            #expect(harness.sleeps.values.isEmpty)
            let hits = harness.hits()
            #expect(hits["gpt-4o-mini"] == 20)
            #expect((hits["gpt-4o"] ?? 0) >= 1 && (hits["gpt-4o"] ?? 0) <= 2)
            #expect(harness.gateway.router.state.coolingUntil("big") != nil)
            // /model/info shows each deployment's state.
            let catalog = ModelCatalog(router: harness.gateway.router, deployments: harness.gateway.config.deployments)
            let states = catalog.info()["data"]?.arrayValue ?? []
            let big = states.first { $0.value(at: "model_info.id") == "big" }
            #expect(big?.value(at: "deployment_state.status") == "cooling")
            #expect((big?.value(at: "deployment_state.cooldown_remaining_s")?.doubleValue ?? 0) > 50)
            #expect(big?.value(at: "deployment_state.last_failure_status") == 500)
            #expect(
                states.first { $0.value(at: "model_info.id") == "small" }?.value(at: "deployment_state.status")
                    == "healthy"
            )
        }
    }

    @Test func unreachableDeploymentFailsOverToAHealthyOne() async throws {
        let list = """
              - {model_name: chat, litellm_params: {model: azure/gpt-4o, api_base: 'http://127.0.0.1:1', \
            api_key: k}, model_info: {id: dead}}
            \(Self.entry("chat", "gpt-4o", id: "alive"))
            """
        try await Self.withRouter(list, settings: "{routing_strategy: simple-shuffle}") { harness in
            var retried = 0
            for _ in 0 ..< 10 {
                let outcome = await harness.chat("chat", "hi")
                #expect(Self.status(outcome) == 200)
                #expect(Self.header(outcome, "x-litellm-model-id") == "alive")
                retried += Int(Self.header(outcome, "x-litellm-attempted-retries") ?? "0") ?? 0
            }
            #expect(retried >= 1)
        }
    }

    @Test func contentPolicyFallsBackToAnotherGroup() async throws {
        let list = [Self.entry("primary", "gpt-4o"), Self.entry("safe", "gpt-4o-mini")].joined(separator: "\n")
        try await Self.withRouter(list, settings: "{content_policy_fallbacks: [{primary: [safe]}]}") { harness in
            let outcome = await harness.chat("primary", "hi\n#mock-scenario@gpt-4o: prompt-filtered-jailbreak")
            #expect(Self.status(outcome) == 200)
            #expect(Self.header(outcome, "x-litellm-model-group") == "safe")
            #expect(Self.header(outcome, "x-litellm-attempted-fallbacks") == "1")
            #expect(Self.header(outcome, "x-litellm-attempted-retries") == "0")
            // Without the fallback entry, the content-filter 400 is the answer and is not retried.
            let direct = await harness.chat("safe", "hi\n#mock-scenario: prompt-filtered-jailbreak")
            #expect(Self.status(direct) == 400)
            #expect(harness.hits() == ["gpt-4o": 1, "gpt-4o-mini": 2])
        }
    }

    @Test func genericFallbacksAfterRetriesAreExhausted() async throws {
        let list = [Self.entry("primary", "gpt-4o"), Self.entry("backup", "gpt-4o-mini")].joined(separator: "\n")
        try await Self.withRouter(list, settings: "{num_retries: 1, fallbacks: [{primary: [backup]}]}") { harness in
            let outcome = await harness.chat("primary", "hi\n#mock-fault@gpt-4o: 503")
            #expect(Self.status(outcome) == 200)
            #expect(Self.header(outcome, "x-litellm-model-group") == "backup")
            #expect(Self.header(outcome, "x-litellm-attempted-retries") == "1")
            #expect(Self.header(outcome, "x-litellm-attempted-fallbacks") == "1")
            #expect(harness.hits() == ["gpt-4o": 2, "gpt-4o-mini": 1])
            #expect(harness.sleeps.values == [.seconds(1)])
        }
    }

    @Test func everyDeploymentCoolingAnswers429WithRetryAfter() async throws {
        let list = [Self.entry("chat", "gpt-4o"), Self.entry("chat", "gpt-4o-mini")].joined(separator: "\n")
        try await Self.withRouter(list, settings: "{cooldown_time: 5}") { harness in
            let outcome = await harness.chat("chat", "hi\n#mock-fault: 429")
            #expect(Self.status(outcome) == 429)
            let message = try Self.body(outcome).value(at: "error.message")?.stringValue ?? ""
            #expect(
                message.hasPrefix(
                    "No deployments available for selected model, Try again in 5 seconds. Passed model=chat."
                )
            )
            #expect(Self.header(outcome, "retry-after") == "5")
            #expect(harness.hits() == ["gpt-4o": 1, "gpt-4o-mini": 1])
        }
    }

    @Test func timeoutsAreRetriedThenEndAs408() async throws {
        try await Self.withRouter(Self.entry("slow", "gpt-4o", extra: ", timeout: 0.3"), settings: "{num_retries: 1}") {
            harness in
            let outcome = await harness.chat("slow", "hi\n#mock-fault: hang")
            #expect(Self.status(outcome) == 408)
            #expect(Self.header(outcome, "x-litellm-attempted-retries") == "1")
            let waits = harness.sleeps.values
            #expect(waits.count == 1 && waits[0] >= .milliseconds(500) && waits[0] <= .milliseconds(1250))
            #expect(harness.hits() == ["gpt-4o": 2])
        }
    }

    /// A 200 whose body is not JSON is a failed attempt: retried, never relayed as a success.
    @Test func garbledAnswerIsRetried() async throws {
        try await Self.withRouter(Self.entry("solo", "gpt-4o"), settings: "{num_retries: 1}") { harness in
            let outcome = await harness.chat("solo", "hi\n#mock-fault: malformed-frame then 200")
            #expect(Self.status(outcome) == 200)
            #expect(Self.header(outcome, "x-litellm-attempted-retries") == "1")
            #expect((try? Self.body(outcome))?["choices"] != nil)
            let garbled = await harness.chat("solo", "hi\n#mock-fault: malformed-frame", extra: #","num_retries":0"#)
            #expect(Self.status(garbled) == 500)
        }
    }

    @Test func requestNumRetriesZeroMeansOneAttempt() async throws {
        try await Self.withRouter(Self.entry("solo", "gpt-4o")) { harness in
            let outcome = await harness.chat("solo", "hi\n#mock-fault: 500", extra: #","num_retries":0"#)
            #expect(Self.status(outcome) == 500)
            #expect(harness.hits() == ["gpt-4o": 1])
        }
    }

    @Test func noRetryOnceAStreamHasStarted() async throws {
        try await Self.withRouter(Self.entry("solo", "gpt-4o")) { harness in
            let outcome = await harness.chat("solo", "hi\n#mock-fault: disconnect-after:2", stream: true)
            guard case .stream(_, let relay) = outcome else {
                Issue.record("expected a stream")
                return
            }
            let text = Recorded<String>()
            _ = await relay.run { buffer in text.append(String(buffer: buffer)) }
            #expect(text.values.joined().contains(#"data: {"error":"#))
            #expect(harness.hits() == ["gpt-4o": 1])
        }
    }

    @Test func weightsHoldOverAThousandRequests() async throws {
        let list = [
            Self.entry("chat", "gpt-4o", id: "heavy", extra: ", weight: 3"),
            Self.entry("chat", "gpt-4o-mini", id: "light", extra: ", weight: 1"),
        ].joined(separator: "\n")
        try await Self.withRouter(list) { harness in
            let counts = await withTaskGroup(of: String?.self) { group in
                for index in 0 ..< 1000 {
                    if index >= 8 { _ = await group.next() }
                    group.addTask { Self.header(await harness.chat("chat", "hi"), "x-litellm-model-id") }
                }
                return await group.reduce(into: [String: Int]()) { counts, id in counts[id ?? "-", default: 0] += 1 }
            }
            _ = counts
            let hits = harness.hits()
            // Binomial(1000, 0.75): σ ≈ 13.7; 5σ bounds.
            #expect((hits["gpt-4o"] ?? 0) > 750 - 69 && (hits["gpt-4o"] ?? 0) < 750 + 69)
            #expect((hits["gpt-4o"] ?? 0) + (hits["gpt-4o-mini"] ?? 0) == 1000)
        }
    }
}
