import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

@testable import Conformance

/// The whole catalog against our proxy on AKS workload identity in front of a keyless MockAzure, and the entra
/// checks against proxies that handle tokens the naive ways (each must fail the checks written for it).
@Suite struct ConformanceEntraTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let subject = "system:serviceaccount:llm:litellm-proxy"

    static var keylessMock: MockAzureConfiguration {
        var configuration = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 1)
        configuration.localAuthDisabled = true
        configuration.entra.federatedSubject = subject
        return configuration
    }

    static func target(_ proxy: String, mock: String, auth: ConformanceTarget.UpstreamAuth) -> ConformanceTarget {
        setenv("CONFORMANCE_FIXTURES", TestPaths.fixtures, 1)
        return ConformanceTarget(proxy: proxy, key: TestConfigs.masterKey, upstream: .mock(mock), upstreamAuth: auth)
    }

    /// The standard test config with every `api_key` replaced by the token scope: the deployments use the chain.
    static func keylessConfig(_ mockBase: String) -> String {
        TestConfigs.standard(mockBase: mockBase).replacingOccurrences(
            of: "api_key: \(TestConfigs.azureKey)",
            with: "azure_scope: https://cognitiveservices.azure.com/.default"
        )
    }

    @Test func ourProxyOnWorkloadIdentityPassesEverything() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withProxy(
            mock: Self.keylessMock,
            config: Self.keylessConfig,
            mockEnvironment: { mock in
                [
                    "AZURE_AUTHORITY_HOST": mock, "AZURE_TENANT_ID": Self.tenant, "AZURE_CLIENT_ID": "gateway-proxy",
                    "AZURE_FEDERATED_TOKEN_FILE": file,
                ]
            }
        ) { proxy in
            try proxy.mock.entra.serviceAccountToken(
                subject: Self.subject,
                lifetime: 3600,
                issuer: "http://127.0.0.1/kubernetes-oidc"
            )
            .write(toFile: file, atomically: true, encoding: .utf8)
            let runner = ConformanceRunner(target: Self.target(proxy.base, mock: proxy.mockBase, auth: .entra))
            let selected = runner.selected().map(\.id)
            #expect(selected.filter { $0.hasPrefix("entra.") }.count == 5)
            #expect(!selected.contains("azure.upstream-key"))
            let report = await runner.run()
            let failures = report.outcomes.filter { $0.status == .failed }.map { "\($0.id): \($0.message ?? "")" }
            #expect(failures.isEmpty, "\(failures)")
            let skipped = report.outcomes.filter { $0.status == .skipped }.map(\.id)
            let optional = ConformanceCatalog.all.filter { [.cache, .guardrails].contains($0.suite) }.map(\.id)
            #expect(
                skipped == ["responses.previous-response"] + optional,
                "the two-replica, cache and guardrail checks: \(skipped)"
            )
            #expect(proxy.mock.entra.stats()["tokens_issued"]?["client_assertion"]?.intValue ?? 0 >= 1)
        }
    }

    /// A key-auth run never selects the entra checks (LiteLLM's documented outcomes stay comparable).
    @Test func keyRunsLeaveTheEntraChecksOut() {
        let runner = ConformanceRunner(target: Self.target("http://p", mock: "http://m", auth: .key))
        #expect(runner.selected().allSatisfy { $0.suite != .entra })
        #expect(runner.selected().contains { $0.id == "azure.upstream-key" })
    }

    /// Each naive token habit fails the checks written for it; a key-auth proxy fails the bearer check.
    @Test(arguments: [
        (NaiveEntraProxy.Habit.tokenPerRequest, ["entra.token-cached", "entra.outage-cached-token"]),
        (.tokenForever, ["entra.revoked-token-replaced", "entra.token-failure-clear"]),
    ])
    func naiveTokenHandlingFailsTheRightChecks(_ habit: NaiveEntraProxy.Habit, _ ids: [String]) async throws {
        let checks = ConformanceCatalog.all.filter { ids.contains($0.id) }
        #expect(checks.count == ids.count)
        for check in checks {  // each on a fresh MockAzure: one check's revoke must not fail the next
            try await withMockAzure(Self.keylessMock) { _, mockBase in
                let naive = NaiveEntraProxy(mockBase: mockBase, habit: habit)
                try await withRunningApplication({ naive.makeApplication(onServerRunning: $0) }) { port in
                    let target = Self.target("http://127.0.0.1:\(port)", mock: mockBase, auth: .entra)
                    let outcome = await ConformanceRunner(target: target).run(checks: [check]).outcomes.first
                    #expect(outcome?.status == .failed, "\(habit): \(check.id) should fail")
                }
            }
        }
    }

    @Test func aProxyOnItsKeyFailsTheBearerCheck() async throws {
        try await withProxy(mock: ConformanceTests.mock) { proxy in
            let checks = ConformanceCatalog.all.filter { $0.id == "entra.bearer-upstream" }
            let target = Self.target(proxy.base, mock: proxy.mockBase, auth: .entra)
            let report = await ConformanceRunner(target: target).run(checks: checks)
            #expect(report.outcomes.first?.status == .failed)
            #expect(report.outcomes.first?.message == "an api-key reached the keyless resource")
        }
    }
}
