import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MockAzure
import NIOCore
import TestSupport
import Testing
import Wire

/// What keyless Azure asks of MockAzure, through its router in memory: client assertions (workload identity) with
/// Entra's refusals, the managed identity endpoints, the data plane's checks on a bearer token and on keys when key
/// authentication is disabled, an outage, and the counts.
@Suite struct EntraIdentityTests {
    typealias Answer = EntraEmulationTests.Answer
    static let tenant = EntraEmulationTests.tenant
    static let subject = "system:serviceaccount:llm:litellm-proxy"
    static let chatPath = "/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview"
    static let chat = #"{"messages":[{"role":"user","content":"hi"}]}"#

    static func withMock<T: Sendable>(
        localAuthDisabled: Bool = true,
        _ body: @escaping @Sendable (EntraEmulationTests.Browser, MockAzureServer) async throws -> T
    ) async throws -> T {
        var configuration = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0)
        configuration.localAuthDisabled = localAuthDisabled
        configuration.entra.federatedSubject = subject
        let server = MockAzureServer(engine: try MockAzureEngine(configuration: configuration))
        return try await Application(router: server.buildRouter()).test(.router) { client in
            try await body(EntraEmulationTests.Browser(client: client, server: server), server)
        }
    }

    static func exchange(_ browser: EntraEmulationTests.Browser, assertion: String, type: String? = nil) async throws
        -> Answer
    {
        try await browser.send(
            .post,
            EntraEmulationTests.tokenPath,
            form: [
                ("grant_type", "client_credentials"), ("client_id", "gateway-proxy"),
                ("scope", "https://cognitiveservices.azure.com/.default"),
                ("client_assertion_type", type ?? "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion),
            ]
        )
    }

    static func chat(_ browser: EntraEmulationTests.Browser, _ header: (String, String)?) async throws -> Answer {
        try await browser.send(
            .post,
            chatPath,
            headers: [("content-type", "application/json")] + (header.map { [$0] } ?? []),
            json: chat
        )
    }

    @Test func aWorkloadIdentityAssertionIsExchangedAndChecked() async throws {
        try await Self.withMock { browser, server in
            let entra = server.entra
            let issuer = "http://localhost/kubernetes-oidc"
            let good = try entra.serviceAccountToken(subject: Self.subject, lifetime: 600, issuer: issuer)
            let granted = try await Self.exchange(browser, assertion: good)
            #expect(granted.status == 200, "\(granted.text)")
            let token = try JSONWebToken(parsing: try #require(granted.json?["access_token"]?.stringValue))
            #expect(token.claims["aud"]?.stringValue == "https://cognitiveservices.azure.com")
            #expect(token.claims["azp"]?.stringValue == "gateway-proxy")

            let expired = try entra.serviceAccountToken(subject: Self.subject, lifetime: -1, issuer: issuer)
            EntraEmulationTests.expectEntraError(
                try await Self.exchange(browser, assertion: expired),
                status: 400,
                error: "invalid_client",
                code: 700024
            )
            let stranger = try entra.serviceAccountToken(
                subject: "system:serviceaccount:x:y",
                lifetime: 60,
                issuer: issuer
            )
            EntraEmulationTests.expectEntraError(
                try await Self.exchange(browser, assertion: stranger),
                status: 400,
                error: "invalid_client",
                code: 70021
            )
            // Signed by another key: a token this tenant's issuer did not make.
            let other = try EntraEmulator().serviceAccountToken(subject: Self.subject, lifetime: 60, issuer: issuer)
            EntraEmulationTests.expectEntraError(
                try await Self.exchange(browser, assertion: other),
                status: 401,
                error: "invalid_client",
                code: 700027
            )
            EntraEmulationTests.expectEntraError(
                try await Self.exchange(browser, assertion: "not-a-jwt"),
                status: 400,
                error: "invalid_client",
                code: 50027
            )
            EntraEmulationTests.expectEntraError(
                try await Self.exchange(browser, assertion: good, type: "saml"),
                status: 400,
                error: "invalid_request",
                code: 50002
            )
            let stats = entra.stats()
            #expect(stats["tokens_issued"]?["client_assertion"]?.intValue == 1 && stats["refused"]?.intValue == 5)
        }
    }

    @Test func managedIdentityEndpointsAnswerAsIMDSAndAppServiceDo() async throws {
        try await Self.withMock { browser, _ in
            let path =
                "/metadata/identity/oauth2/token?api-version=2018-02-01"
                + "&resource=https%3A%2F%2Fcognitiveservices.azure.com"
            let noHeader = try await browser.get(path)
            #expect(noHeader.status == 400)
            #expect(noHeader.json?["error_description"]?.stringValue == "Required metadata header not specified")
            let imds = try await browser.send(
                .get,
                path + "&client_id=user-assigned-1",
                headers: [("Metadata", "true")]
            )
            #expect(imds.status == 200, "\(imds.text)")
            #expect(
                imds.json?["expires_in"]?.stringValue == "3600"
                    && imds.json?["client_id"]?.stringValue == "user-assigned-1"
            )
            #expect(imds.json?["resource"]?.stringValue == "https://cognitiveservices.azure.com")
            let noResource = try await browser.send(
                .get,
                "/metadata/identity/oauth2/token?api-version=2018-02-01",
                headers: [("Metadata", "true")]
            )
            #expect(noResource.status == 400)
            let appService = "/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fcognitiveservices.azure.com"
            #expect(try await browser.send(.get, appService, headers: [("X-IDENTITY-HEADER", "wrong")]).status == 401)
            let granted = try await browser.send(
                .get,
                appService,
                headers: [("X-IDENTITY-HEADER", "mock-identity-header")]
            )
            #expect(granted.status == 200 && granted.json?["expires_on"]?.stringValue != nil, "\(granted.text)")
        }
    }

    @Test func theDataPlaneChecksTokensAndRefusesKeysWhenLocalAuthIsOff() async throws {
        try await Self.withMock { browser, server in
            let entra = server.entra
            let invalid = AzureError.invalidToken.body
            let keyed = try await Self.chat(browser, ("api-key", "any-key"))
            #expect(keyed.status == 403 && keyed.json == AzureError.keyAuthenticationDisabled.body, "\(keyed.text)")
            #expect(try await Self.chat(browser, nil).json == invalid)
            #expect(try await Self.chat(browser, ("authorization", "Bearer not-a-jwt")).json == invalid)
            func token(_ scope: String) async throws -> String {
                let answer = try await browser.send(
                    .post,
                    EntraEmulationTests.tokenPath,
                    form: [
                        ("grant_type", "client_credentials"), ("client_id", "gateway-proxy"), ("client_secret", "s"),
                        ("scope", scope),
                    ]
                )
                return try #require(answer.json?["access_token"]?.stringValue)
            }
            let good = try await token("https://cognitiveservices.azure.com/.default")
            #expect(try await Self.chat(browser, ("authorization", "Bearer " + good)).status == 200)
            let wrongAudience = try await token("https://ossrdbms-aad.database.windows.net/.default")
            let refused = try await Self.chat(browser, ("authorization", "Bearer " + wrongAudience))
            #expect(refused.status == 401 && refused.json == invalid)
            let foreign = try EntraEmulator().serviceAccountToken(subject: "x", lifetime: 60, issuer: "x")
            #expect(try await Self.chat(browser, ("authorization", "Bearer " + foreign)).status == 401)
            entra.revoke()
            #expect(try await Self.chat(browser, ("authorization", "Bearer " + good)).json == invalid)
            entra.outageUntil = Date().addingTimeInterval(30)
            let down = try await browser.send(
                .post,
                EntraEmulationTests.tokenPath,
                form: [
                    ("grant_type", "client_credentials"), ("client_id", "c"), ("client_secret", "s"),
                    ("scope", "https://cognitiveservices.azure.com/.default"),
                ]
            )
            EntraEmulationTests.expectEntraError(down, status: 503, error: "temporarily_unavailable", code: 90033)
        }
    }

    @Test func withKeyAuthenticationOnAnyKeyStillWorks() async throws {
        try await Self.withMock(localAuthDisabled: false) { browser, _ async throws in
            #expect(try await Self.chat(browser, ("api-key", "any-key")).status == 200)
            #expect(try await Self.chat(browser, ("authorization", "Bearer static-token")).status == 200)
        }
    }
}
