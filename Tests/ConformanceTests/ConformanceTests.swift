import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

@testable import Conformance

@Suite struct ConformanceTests {
    static let mock = MockAzureConfiguration(
        port: 0,
        fixturesDirectory: TestPaths.fixtures,
        apiKey: TestConfigs.azureKey,
        speed: 1
    )

    func target(_ proxy: String, _ context: ProxyTestContext) -> ConformanceTarget {
        setenv("CONFORMANCE_FIXTURES", TestPaths.fixtures, 1)
        return ConformanceTarget(
            proxy: proxy,
            key: TestConfigs.masterKey,
            upstream: .mock(context.mockBase),
            upstreamKey: TestConfigs.azureKey
        )
    }

    @Test func catalogHasFortyChecksWithUniqueIDs() {
        let checks = ConformanceCatalog.all
        #expect(checks.count >= 40)
        #expect(Set(checks.map(\.id)).count == checks.count)
        for suite in ConformanceCheck.Suite.allCases {
            #expect(checks.contains { $0.suite == suite }, "suite \(suite) is empty")
        }
        #expect(ConformanceRunner.matches("stream.sse-wire", "stream.*"))
        #expect(ConformanceRunner.matches("stream.sse-wire", "sse"))
        #expect(!ConformanceRunner.matches("api.models", "stream.*"))
    }

    /// Against our proxy every check passes; only the two-replica check skips (one proxy here: the SDK test of
    /// the conformance CLI runs it against two).
    @Test func ourProxyPassesEverything() async throws {
        try await withProxy(mock: Self.mock) { proxy in
            let report = await ConformanceRunner(target: target(proxy.base, proxy)).run()
            let failures = report.outcomes.filter { $0.status == .failed }.map { "\($0.id): \($0.message ?? "")" }
            #expect(failures.isEmpty, "\(failures)")
            let skipped = report.outcomes.filter { $0.status == .skipped }.map(\.id)
            #expect(
                skipped == ["responses.previous-response"]
                    + ConformanceCatalog.all.filter { [.cache, .guardrails].contains($0.suite) }.map(\.id),
                "\(skipped)"
            )
            #expect(report.junit.contains("<testsuites name=\"conformance\""))
            #expect(report.json["summary"]?["failed"]?.intValue == 0)
        }
    }

    /// With a real upstream only structure and invariants are checked: fixture-bound checks skip, the rest pass.
    @Test func realUpstreamModeChecksStructureOnly() async throws {
        try await withProxy(mock: Self.mock) { proxy in
            var target = target(proxy.base, proxy)
            target.upstream = .real
            let report = await ConformanceRunner(target: target, suites: [.api, .auth, .errors]).run()
            #expect(report.count(.failed) == 0, "\(report.outcomes.filter { $0.status == .failed }.map(\.id))")
            let skipped = report.outcomes.filter { $0.status == .skipped }.map(\.id)
            #expect(skipped.contains("api.seed-response") && skipped.contains("errors.content-filter"))
            #expect(report.count(.passed) >= 15)
        }
    }

    /// Each broken proxy makes the check written for that fault fail.
    @Test(arguments: [
        (Breakage.dropDone, ["stream.sse-wire", "stream.no-usage-unasked"]),
        (.mergeFrames, ["stream.frames-unmerged"]),
        (.dropFilterResults, ["api.content-filter-results", "api.seed-response"]),
        (.wrongTokens, ["api.token-arithmetic", "api.seed-response"]),
        (.echoKeyInErrors, ["auth.bad-key", "auth.malformed-authorization", "errors.no-secret-in-errors"]),
        (.dropInnerError, ["errors.content-filter"]),
        (.dropCallID, ["api.call-id"]),
        (.keyInSpendLogs, ["logging.no-key-material"]),
    ])
    func brokenProxiesFailTheRightCheck(_ breakage: Breakage, _ ids: [String]) async throws {
        try await withProxy(mock: Self.mock) { proxy in
            let checks = ConformanceCatalog.all.filter { ids.contains($0.id) }
            #expect(checks.count == ids.count)
            let healthy = await ConformanceRunner(target: target(proxy.base, proxy)).run(checks: checks)
            #expect(
                healthy.outcomes.allSatisfy { $0.status == .passed },
                "the real proxy must pass: \(healthy.outcomes.map { "\($0.id) \($0.status) \($0.message ?? "")" })"
            )
            let broken = BrokenProxy(upstream: proxy.base, breakage: breakage)
            try await withRunningApplication({ broken.makeApplication(onServerRunning: $0) }) { port in
                let report = await ConformanceRunner(target: target("http://127.0.0.1:\(port)", proxy)).run(
                    checks: checks
                )
                for outcome in report.outcomes {
                    #expect(outcome.status == .failed, "\(breakage): \(outcome.id) should fail, got \(outcome.status)")
                }
            }
        }
    }

    /// With a response cache the cache suite passes; a proxy whose cache never answers fails each of its checks.
    @Test func cacheSuitePassesWithACacheAndFailsWithout() async throws {
        let cached: @Sendable (String) -> String = {
            TestConfigs.standard(mockBase: $0) + "\nlitellm_settings: {cache: true, cache_params: {type: local}}\n"
        }
        try await withProxy(mock: Self.mock, config: cached) { proxy in
            let healthy = await ConformanceRunner(target: target(proxy.base, proxy), suites: [.cache]).run()
            #expect(healthy.outcomes.count == 3)
            #expect(
                healthy.outcomes.allSatisfy { $0.status == .passed },
                "\(healthy.outcomes.map { "\($0.id) \($0.status) \($0.message ?? "")" })"
            )
            let broken = BrokenProxy(upstream: proxy.base, breakage: .bypassCache)
            try await withRunningApplication({ broken.makeApplication(onServerRunning: $0) }) { port in
                let report = await ConformanceRunner(
                    target: target("http://127.0.0.1:\(port)", proxy),
                    suites: [.cache]
                )
                .run()
                for outcome in report.outcomes {
                    #expect(outcome.status == .failed, "\(outcome.id) should fail, got \(outcome.status)")
                }
            }
        }
    }

    @Test func guardrailsSuitePassesWithGuardrailsAndFailsWhenTheyAreDropped() async throws {
        let guarded: @Sendable (String) -> String = { base in
            TestConfigs.standard(mockBase: base) + """

                guardrails:
                  - guardrail_name: shield
                    litellm_params:
                      guardrail: azure/prompt_shield
                      mode: pre_call
                      api_base: \(base)
                      api_key: \(TestConfigs.azureKey)
                  - guardrail_name: moderate
                    litellm_params:
                      guardrail: azure/text_moderations
                      mode: pre_call
                      api_base: \(base)
                      api_key: \(TestConfigs.azureKey)
                  - guardrail_name: pii
                    litellm_params:
                      guardrail: litellm_content_filter
                      mode: pre_call
                      patterns: [{pattern_type: prebuilt, pattern_name: email, action: MASK}]

                """
        }
        try await withProxy(mock: Self.mock, config: guarded) { proxy in
            let healthy = await ConformanceRunner(target: target(proxy.base, proxy), suites: [.guardrails]).run()
            #expect(healthy.outcomes.count == 3)
            #expect(
                healthy.outcomes.allSatisfy { $0.status == .passed },
                "\(healthy.outcomes.map { "\($0.id) \($0.status) \($0.message ?? "")" })"
            )
            let broken = BrokenProxy(upstream: proxy.base, breakage: .dropGuardrails)
            try await withRunningApplication({ broken.makeApplication(onServerRunning: $0) }) { port in
                let report = await ConformanceRunner(
                    target: target("http://127.0.0.1:\(port)", proxy),
                    suites: [.guardrails]
                )
                .run()
                for outcome in report.outcomes {
                    #expect(outcome.status == .failed, "\(outcome.id) should fail, got \(outcome.status)")
                }
            }
        }
    }

    /// A proxy that sends the client's key upstream (here: configured with the master key as its Azure key).
    @Test func keyLeakedUpstreamIsCaught() async throws {
        let leaky: @Sendable (String) -> String = { base in
            TestConfigs.standard(mockBase: base).replacingOccurrences(
                of: "api_key: \(TestConfigs.azureKey)",
                with: "api_key: \(TestConfigs.masterKey)"
            )
        }
        try await withProxy(
            mock: MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0),
            config: leaky
        ) { proxy in
            let check = ConformanceCatalog.all.filter { $0.id == "azure.upstream-key" }
            let report = await ConformanceRunner(target: target(proxy.base, proxy)).run(checks: check)
            #expect(report.outcomes.first?.status == .failed)
            #expect(report.outcomes.first?.message?.contains("client's key") == true)
        }
    }

    @Test func diffReportsChangedOutcomesAndValues() {
        func report(_ status: CheckOutcome.Status, _ observed: JSON) -> ConformanceReport {
            ConformanceReport(
                target: "x",
                outcomes: [
                    CheckOutcome(
                        id: "a",
                        suite: "api",
                        summary: "",
                        status: status,
                        message: nil,
                        observed: observed,
                        litellm: .pass,
                        duration: .zero
                    ),
                    CheckOutcome(
                        id: "api.call-id",
                        suite: "api",
                        summary: "",
                        status: .passed,
                        message: nil,
                        observed: .string(UUID().uuidString),
                        litellm: .pass,
                        duration: .zero
                    ),
                ]
            )
        }
        #expect(ConformanceDiff.compare(baseline: report(.passed, 1), candidate: report(.passed, 1)).isEmpty)
        #expect(ConformanceDiff.compare(baseline: report(.passed, 1), candidate: report(.passed, 2)).map(\.id) == ["a"])
        #expect(ConformanceDiff.compare(baseline: report(.passed, 1), candidate: report(.failed, 1)).map(\.id) == ["a"])
    }

    @Test func litellmMismatchesAndJUnitEscaping() {
        let report = ConformanceReport(
            target: "x",
            outcomes: [
                CheckOutcome(
                    id: "ok",
                    suite: "api",
                    summary: "",
                    status: .failed,
                    message: "a <b> & \"c\"",
                    observed: nil,
                    litellm: .deviation("known"),
                    duration: .zero
                ),
                CheckOutcome(
                    id: "bad",
                    suite: "api",
                    summary: "",
                    status: .failed,
                    message: nil,
                    observed: nil,
                    litellm: .pass,
                    duration: .zero
                ),
            ]
        )
        #expect(report.litellmMismatches.map(\.id) == ["bad"])
        #expect(report.junit.contains("a &lt;b&gt; &amp; &quot;c&quot;"))
        #expect(report.summaryLine == "0 passed, 2 failed, 0 skipped")
    }

    @Test func schemaValidatorCatchesViolations() throws {
        let validator = JSONSchemaValidator(schema: ConformanceResources.chatCompletionSchema)
        #expect(validator.violations(of: ConformanceResources.seedProxyResponse).isEmpty)
        var broken = ConformanceResources.seedProxyResponse
        broken["object"] = "chat.completion.chunk"
        broken["usage"]?["total_tokens"] = "183"
        broken["choices"] = []
        let problems = validator.violations(of: broken)
        #expect(problems.count == 3, "\(problems)")
        #expect(
            try JSON.parse(
                Data(contentsOf: TestPaths.root.appendingPathComponent("fixtures/reference/seed-proxy-response.json"))
            ) == ConformanceResources.seedProxyResponse
        )
    }
}
