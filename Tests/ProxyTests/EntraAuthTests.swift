import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Keyless Azure through the proxy against MockAzure with key authentication disabled: each token flow, the cache
/// and its single flight, a revoked token replaced once, a token endpoint outage, and the refusals a client sees.
@Suite struct EntraAuthTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let secret = "entra-client-secret-never-shown"
    static let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#

    static func mock(lifetime: Int = 3600, secret: String? = nil) -> MockAzureConfiguration {
        var configuration = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0)
        configuration.localAuthDisabled = true
        configuration.entra.tokenLifetime = lifetime
        configuration.entra.clientSecret = secret
        configuration.entra.federatedSubject = "system:serviceaccount:llm:litellm-proxy"
        return configuration
    }

    static func config(_ mock: String, params: String = "") -> String {
        """
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: azure/gpt-4o
              api_base: \(mock)
              api_version: "2025-01-01-preview"
        \(params)
        general_settings:
          master_key: \(TestConfigs.masterKey)
        litellm_settings:
          callbacks: ["prometheus"]
        """
    }

    static func secretParams(_ secret: String) -> String {
        "      tenant_id: \(tenant)\n      client_id: gateway-proxy\n      client_secret: \(secret)"
    }

    /// The proxy's port, as a client calls it with the master key.
    struct Client: Sendable {
        let context: ProxyTestContext

        func post(_ path: String, _ body: String) async throws -> TestResponse {
            try await TestHTTP.request(.POST, context.base + path, headers: context.auth, body: body)
        }

        func get(_ path: String) async throws -> TestResponse {
            try await TestHTTP.request(.GET, context.base + path, headers: context.auth)
        }
    }

    /// The proxy in front of a MockAzure that accepts only tokens, both on free ports.
    static func withKeyless<T: Sendable>(
        mock configuration: MockAzureConfiguration = mock(),
        params: String = secretParams(secret),
        environment: @escaping @Sendable (String) -> [String: String] = { ["AZURE_AUTHORITY_HOST": $0] },
        _ body: @escaping @Sendable (Client, MockAzureEngine) async throws -> T
    ) async throws -> T {
        try await withProxy(
            mock: configuration,
            config: { config($0, params: params) },
            mockEnvironment: environment
        ) { context in
            try await body(Client(context: context), context.mock)
        }
    }

    static func issued(_ engine: MockAzureEngine, _ flow: EntraEmulator.Flow) -> Int {
        engine.entra.stats()["tokens_issued"]?[flow.rawValue]?.intValue ?? -1
    }

    @Test func clientSecretTokensAreCachedAndKeysAreRefused() async throws {
        try await Self.withKeyless { proxy, engine in
            for _ in 0 ..< 5 {
                let answer = try await proxy.post("/v1/chat/completions", Self.chat)
                #expect(answer.status == 200, "\(answer.text)")
            }
            #expect(Self.issued(engine, .clientSecret) == 1)
            let metrics = try await proxy.get("/metrics").text
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("llm_gateway_entra_token_fetches_total{") }
            #expect(line?.contains(#"source="client_secret""#) == true && line?.contains(#"outcome="success""#) == true)
            #expect(line?.hasSuffix(" 1") == true, "\(line ?? "no line")")
        }
    }

    @Test func concurrentRequestsShareOneFetch() async throws {
        try await Self.withKeyless { proxy, engine in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0 ..< 40 { group.addTask { try await proxy.post("/v1/chat/completions", Self.chat).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 } && statuses.count == 40)
            #expect(Self.issued(engine, .clientSecret) == 1)
        }
    }

    @Test func aRevokedTokenIsReplacedOnceAndTheRequestRetried() async throws {
        try await Self.withKeyless { proxy, engine in
            #expect(try await proxy.post("/v1/chat/completions", Self.chat).status == 200)
            engine.entra.revoke()
            let answer = try await proxy.post("/v1/chat/completions", Self.chat)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(Self.issued(engine, .clientSecret) == 2)
        }
    }

    @Test func aWrongSecretIsAClear401ThatNamesNoSecret() async throws {
        try await Self.withKeyless(mock: Self.mock(secret: Self.secret), params: Self.secretParams("wrong-secret-x9")) {
            proxy,
            _ in
            let answer = try await proxy.post("/v1/chat/completions", Self.chat)
            #expect(answer.status == 401)
            #expect(
                answer.json?["error"]?["message"]?.stringValue
                    == "litellm.AuthenticationError: AzureException - Failed to get Azure AD token: AADSTS7000215: "
                    + "Invalid client secret provided."
            )
            #expect(!answer.text.contains("wrong-secret-x9"))
        }
    }

    @Test func anOutageServesTheCachedTokenThenFailsClearlyThenRecovers() async throws {
        try await Self.withKeyless(mock: Self.mock(lifetime: 3)) { proxy, engine in
            #expect(try await proxy.post("/v1/chat/completions", Self.chat).status == 200)
            engine.entra.outageUntil = Date().addingTimeInterval(60)
            #expect(try await proxy.post("/v1/chat/completions", Self.chat).status == 200)
            try await Task.sleep(for: .milliseconds(2300))
            let failed = try await proxy.post("/v1/chat/completions", Self.chat)
            #expect(failed.status == 503)
            #expect(
                failed.json?["error"]?["message"]?.stringValue
                    == "litellm.ServiceUnavailableError: AzureException - Failed to get Azure AD token: the token "
                    + "endpoint answered 503 (temporarily_unavailable)"
            )
            engine.entra.outageUntil = nil
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await proxy.post("/v1/chat/completions", Self.chat).status == 200)
        }
    }

    @Test func workloadIdentityReadsTheTokenFileAtEveryExchange() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await Self.withKeyless(
            params: "",
            environment: { mock in
                [
                    "AZURE_AUTHORITY_HOST": mock, "AZURE_TENANT_ID": Self.tenant, "AZURE_CLIENT_ID": "gateway-proxy",
                    "AZURE_FEDERATED_TOKEN_FILE": file,
                ]
            }
        ) { proxy, engine in
            let subject = "system:serviceaccount:llm:litellm-proxy"
            let issuer = "http://127.0.0.1/kubernetes-oidc"
            try engine.entra.serviceAccountToken(subject: subject, lifetime: 3600, issuer: issuer)
                .write(toFile: file, atomically: true, encoding: .utf8)
            let answer = try await proxy.post("/v1/chat/completions", Self.chat)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(Self.issued(engine, .clientAssertion) == 1)
            // The kubelet's next token is already expired: the next exchange reads it and Entra refuses it.
            try engine.entra.serviceAccountToken(subject: subject, lifetime: -60, issuer: issuer)
                .write(toFile: file, atomically: true, encoding: .utf8)
            engine.entra.revoke()
            let refused = try await proxy.post("/v1/chat/completions", Self.chat)
            #expect(refused.status == 401)
            #expect(
                refused.json?["error"]?["message"]?.stringValue?.hasSuffix(
                    "Failed to get Azure AD token: AADSTS700024: Client assertion is not within its valid time range."
                ) == true,
                "\(refused.text)"
            )
            try engine.entra.serviceAccountToken(
                subject: "system:serviceaccount:other:sa",
                lifetime: 600,
                issuer: issuer
            )
            .write(toFile: file, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(1100))
            let other = try await proxy.post("/v1/chat/completions", Self.chat)
            #expect(other.json?["error"]?["message"]?.stringValue?.contains("AADSTS70021") == true, "\(other.text)")
        }
    }

    @Test func managedIdentityFromIMDSAndFromAppService() async throws {
        try await Self.withKeyless(
            params: "",
            environment: { ["AZURE_POD_IDENTITY_AUTHORITY_HOST": $0, "AZURE_CLIENT_ID": "user-assigned-1"] }
        ) { proxy, engine async throws in
            #expect(try await proxy.post("/v1/chat/completions", Self.chat).status == 200)
            #expect(Self.issued(engine, .managedIdentity) == 1)
        }
        try await Self.withKeyless(
            params: "",
            environment: { ["IDENTITY_ENDPOINT": $0 + "/msi/token", "IDENTITY_HEADER": "mock-identity-header"] }
        ) { proxy, engine async throws in
            #expect(try await proxy.post("/v1/chat/completions", Self.chat).status == 200)
            #expect(Self.issued(engine, .managedIdentity) == 1)
        }
    }
}
