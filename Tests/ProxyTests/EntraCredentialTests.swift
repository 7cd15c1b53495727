import Testing
import Wire

@testable import Proxy

/// Which Entra ID credential a deployment and the database get, read from config.yaml and the environment in
/// LiteLLM 1.110.2's and azure-identity's order.
@Suite struct EntraCredentialTests {
    static func deployment(_ params: String, environment: [String: String] = [:]) throws -> ModelDeployment {
        let config = try ConfigLoader.parse(
            """
            model_list:
              - model_name: gpt-4o
                litellm_params:
                  model: azure/gpt-4o
                  api_base: https://contoso.openai.azure.com
            \(params.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
            """,
            file: "config.yaml",
            environment: environment
        )
        return try #require(config.deployments.first)
    }

    @Test func anApiKeyNeedsNoToken() throws {
        #expect(try Self.deployment("api_key: k").entra == nil)
        #expect(try Self.deployment("", environment: ["AZURE_API_KEY": "k"]).entra == nil)
        #expect(try Self.deployment("azure_ad_token: static-token").entra == nil)
    }

    @Test func clientSecretInTheParamsWithItsScopeAndAuthority() throws {
        let deployment = try Self.deployment(
            "tenant_id: t1\nclient_id: c1\nclient_secret: os.environ/SECRET\nazure_scope: api://x/.default",
            environment: ["SECRET": "s3cret", "AZURE_AUTHORITY_HOST": "http://127.0.0.1:9/"]
        )
        let entra = try #require(deployment.entra)
        #expect(entra.source == .clientSecret("s3cret"))
        #expect(entra.tenantID == "t1" && entra.clientID == "c1" && entra.scope == "api://x/.default")
        #expect(entra.authorityHost == "http://127.0.0.1:9")
        #expect(!entra.description.contains("s3cret") && !entra.cacheKey.contains("s3cret"))
        #expect(deployment.secrets.contains("s3cret"))
    }

    @Test func theEnvironmentChainInAzureIdentitysOrder() throws {
        let base = ["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"]
        let secret = try #require(
            try Self.deployment("", environment: base.merging(["AZURE_CLIENT_SECRET": "s"]) { $1 }).entra
        )
        #expect(secret.source == .clientSecret("s"))
        #expect(secret.scope == EntraCredential.cognitiveServicesScope)
        let workload = try #require(
            try Self.deployment("", environment: base.merging(["AZURE_FEDERATED_TOKEN_FILE": "/var/t"]) { $1 }).entra
        )
        #expect(workload.source == .clientAssertion(.file("/var/t")) && workload.kind == "workload_identity")
        let managed = try #require(try Self.deployment("", environment: ["AZURE_CLIENT_ID": "mi"]).entra)
        #expect(managed.source == .managedIdentity(.imds(host: EntraCredential.defaultIMDSHost)))
        #expect(managed.clientID == "mi")
        let moved = try #require(
            try Self.deployment("", environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:7/"]).entra
        )
        #expect(moved.source == .managedIdentity(.imds(host: "http://127.0.0.1:7")) && moved.clientID == nil)
        let appService = try #require(
            try Self.deployment("", environment: ["IDENTITY_ENDPOINT": "http://x/msi/token", "IDENTITY_HEADER": "h"])
                .entra
        )
        #expect(appService.source == .managedIdentity(.appService(endpoint: "http://x/msi/token", header: "h")))
        // AZURE_CREDENTIAL pins the chain's kind; a client secret in the environment still comes first (LiteLLM).
        let pinned = try #require(
            try Self.deployment(
                "",
                environment: base.merging([
                    "AZURE_FEDERATED_TOKEN_FILE": "/var/t", "AZURE_CREDENTIAL": "ManagedIdentityCredential",
                ]) { $1 }
            ).entra
        )
        #expect(pinned.kind == "managed_identity")
    }

    @Test func oidcReferencesAreClientAssertions() throws {
        let environment = ["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_FEDERATED_TOKEN_FILE": "/f"]
        let azure = try Self.deployment(
            "azure_ad_token: oidc/azure/api://AzureADTokenExchange",
            environment: environment
        )
        #expect(azure.entra?.source == .clientAssertion(.file("/f")))
        #expect(azure.litellmParams["azure_ad_token"] == nil)
        let env = try Self.deployment("azure_ad_token: oidc/env/MY_OIDC", environment: environment)
        #expect(env.entra?.source == .clientAssertion(.environment("MY_OIDC")))
        #expect(throws: ConfigError.self) { try Self.deployment("azure_ad_token: oidc/azure/x") }
        #expect(throws: ConfigError.self) {
            try Self.deployment("azure_ad_token: oidc/unknown/x", environment: environment)
        }
    }

    @Test func azurePostgresqlAuthBuildsThePasswordlessURL() throws {
        let environment = [
            "AZURE_POSTGRESQL_AUTH": "true", "DATABASE_HOST": "pg.postgres.database.azure.com",
            "DATABASE_USER": "litellm-proxy-identity", "DATABASE_NAME": "litellm", "AZURE_CLIENT_ID": "mi",
        ]
        let config = try ConfigLoader.parse("model_list: []", file: "c.yaml", environment: environment)
        #expect(
            config.settings.databaseURL
                == "postgresql://litellm-proxy-identity@pg.postgres.database.azure.com:5432/litellm?sslmode=require"
        )
        let entra = try #require(config.settings.databaseEntra)
        #expect(entra.scope == EntraCredential.postgresScope && entra.kind == "managed_identity")
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(
                "model_list: []",
                file: "c.yaml",
                environment: ["AZURE_POSTGRESQL_AUTH": "true", "DATABASE_URL": "postgresql://u:pw@h/db"]
            )
        }
        let off = try ConfigLoader.parse(
            "model_list: []",
            file: "c.yaml",
            environment: ["DATABASE_URL": "postgresql://u@h/db"]
        )
        #expect(off.settings.databaseEntra == nil)
    }

    @Test func tokenRequestsOnTheWire() throws {
        let secret = EntraCredential(
            source: .clientSecret("s&=1"),
            authorityHost: "http://a",
            tenantID: "t",
            clientID: "c",
            scope: EntraCredential.cognitiveServicesScope
        )
        let post = EntraTokenRequest(secret)
        #expect(post.method == "POST" && post.url == "http://a/t/oauth2/v2.0/token")
        #expect(String(decoding: post.body ?? [], as: UTF8.self).contains("client_secret=s%26%3D1"))
        var managed = secret
        managed.source = .managedIdentity(.imds(host: "http://imds"))
        let imds = EntraTokenRequest(managed)
        #expect(imds.method == "GET" && imds.headers.contains { $0 == ("metadata", "true") })
        #expect(
            imds.url
                == "http://imds/metadata/identity/oauth2/token?api-version=2018-02-01"
                + "&resource=https%3A%2F%2Fcognitiveservices.azure.com&client_id=c"
        )
        let answer = try EntraTokenRequest.token(
            status: 200,
            body: Array(#"{"access_token":"x","expires_in":"3599"}"#.utf8)
        )
        #expect(answer.value == "x" && answer.lifetime == .seconds(3599))
        let refusal =
            #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. "#
            + #"Ensure the secret for app '0b7c9a1e-1111-4000-8000-000000000001'.\r\nTrace ID: x"}"#
        #expect(throws: EntraTokenError.rejected("AADSTS7000215: Invalid client secret provided.")) {
            try EntraTokenRequest.token(status: 401, body: Array(refusal.utf8))
        }
        #expect(throws: EntraTokenError.unavailable("the token endpoint answered 503 (temporarily_unavailable)")) {
            try EntraTokenRequest.token(status: 503, body: Array(#"{"error":"temporarily_unavailable"}"#.utf8))
        }
    }
}
