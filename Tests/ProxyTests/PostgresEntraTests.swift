import Foundation
import Logging
import MockAzure
import PostgresNIO
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The proxy's database on Entra ID (Azure Database for PostgreSQL's sign-in) against the local PostgreSQL behind
/// `PostgresEntraShim`, which takes a token from MockAzure's tenant as the password, checks it and signs in to the
/// real server. Tokens live 4 seconds, so the pool has to move to fresh ones while spend rows keep arriving.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] != nil,
        "set TEST_DATABASE_URL to run the PostgreSQL tests"
    )
)
struct PostgresEntraTests {
    static let principal = "litellm-proxy-identity"
    static let audience = "https://ossrdbms-aad.database.windows.net"

    static func admin(_ database: String? = nil, _ sql: String) async throws -> [Int] {
        var components = try #require(URLComponents(string: PostgresStoreTests.url))
        if let database { components.path = "/" + database }
        let client = PostgresClient(
            configuration: try PostgresStore.configuration(url: components.string ?? ""),
            backgroundLogger: Logger(label: "pg")
        )
        return try await withThrowingTaskGroup(of: [Int].self) { group in
            group.addTask {
                await client.run()
                return []
            }
            defer { group.cancelAll() }
            var counts: [Int] = []
            for try await count in try await client.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "t"))
                .decode(Int.self)
            {
                counts.append(count)
            }
            return counts
        }
    }

    @Test func theDatabaseSignsInWithEntraTokensAndMovesToFreshOnes() async throws {
        let database = "gw_entra_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await Self.admin(nil, "CREATE DATABASE \"\(database)\"")
        defer { Task { _ = try? await Self.admin(nil, "DROP DATABASE \"\(database)\" WITH (FORCE)") } }
        let real = try #require(URLComponents(string: PostgresStoreTests.url))
        var mock = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0)
        mock.entra.tokenLifetime = 4
        try await withMockAzure(mock) { engine, mockBase in
            let entra = engine.entra
            let shim = try await PostgresEntraShim(
                principal: Self.principal,
                upstream: .init(
                    host: real.host ?? "127.0.0.1",
                    port: real.port ?? 5432,
                    user: real.user ?? "",
                    password: real.password ?? "",
                    database: database
                )
            ) { token in
                guard let jwt = try? JSONWebToken(parsing: token) else { return false }
                return entra.checkAccessToken(jwt, audiences: [Self.audience])
            }
            let environment = [
                "AZURE_POSTGRESQL_AUTH": "true",
                "DATABASE_URL": "postgresql://\(Self.principal)@127.0.0.1:\(shim.port)/\(database)?sslmode=disable",
                "AZURE_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47", "AZURE_CLIENT_ID": "gateway-proxy",
                "AZURE_CLIENT_SECRET": "entra-db-secret", "AZURE_AUTHORITY_HOST": mockBase,
            ]
            let config = try ConfigLoader.parse(
                TestConfigs.standard(mockBase: mockBase),
                file: "c.yaml",
                environment: environment
            )
            #expect(config.settings.databaseEntra?.scope == EntraCredential.postgresScope)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let parts = try ProxyApplication.build(
                config: config,
                runtime: ProxyRuntime(host: "127.0.0.1", port: 0),
                logger: Logger(label: "proxy"),
                environment: environment
            ) { continuation.yield($0) }
            try await withThrowingTaskGroup(of: Void.self) { shimRunning in
                shimRunning.addTask { try await shim.run() }
                defer { shimRunning.cancelAll() }
                try await withRunningServices(parts.services, ports: ports) { port in
                    func rows() async throws -> Int {
                        try await Self.admin(database, "SELECT count(*)::int FROM \"LiteLLM_SpendLogs\"").first ?? 0
                    }
                    func chat() async throws {
                        let answer = try await TestHTTP.request(
                            .POST,
                            "http://127.0.0.1:\(port)/v1/chat/completions",
                            headers: [("authorization", "Bearer \(TestConfigs.masterKey)")],
                            body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#
                        )
                        #expect(answer.status == 200)
                    }
                    for _ in 0 ..< 3 { try await chat() }
                    #expect(try await eventually { (try? await rows()) ?? 0 >= 3 })
                    // Past the first token's life: new connections need a new token.
                    try await Task.sleep(for: .seconds(5))
                    for _ in 0 ..< 3 { try await chat() }
                    #expect(try await eventually { (try? await rows()) ?? 0 >= 6 })
                }
                let counts = shim.counts
                #expect(counts.accepted >= 2 && counts.tokens.count >= 2, "\(counts.accepted) sign-ins")
                #expect(counts.refused == 0)

                // The shim refuses what Azure would: a token for Azure OpenAI, and no token at all.
                let wrong = try #require(
                    try entra.applicationTokenResponse(
                        clientID: "gateway-proxy",
                        resource: "https://cognitiveservices.azure.com",
                        tenant: "t",
                        issuer: "i",
                        clientAuthenticated: true
                    )["access_token"]?.stringValue
                )
                for password in [wrong, "not-a-token"] {
                    await #expect(throws: PSQLError.self) {
                        let connection = try await PostgresConnection.connect(
                            configuration: .init(
                                host: "127.0.0.1",
                                port: shim.port,
                                username: Self.principal,
                                password: password,
                                database: database,
                                tls: .disable
                            ),
                            id: 1,
                            logger: Logger(label: "t")
                        )
                        try await connection.close()
                    }
                }
                #expect(shim.counts.refused == 2)
            }
        }
    }
}
