import Foundation

/// How the proxy gets a Microsoft Entra ID access token for one scope, resolved once at load from `litellm_params`
/// and the environment as LiteLLM 1.110.2 and azure-identity read them. It holds a client secret for the client
/// secret flow: its `description` never shows it, and the cache key leaves it out.
public struct EntraCredential: Sendable, Hashable, CustomStringConvertible {
    public enum Source: Sendable, Hashable {
        /// `client_secret` (or `AZURE_CLIENT_SECRET`) with a tenant and client: the client credentials grant.
        case clientSecret(String)
        /// A federated token sent as a client assertion, read again at every exchange: workload identity's projected
        /// service-account token (`AZURE_FEDERATED_TOKEN_FILE`), or LiteLLM's `azure_ad_token: oidc/…`.
        case clientAssertion(Assertion)
        /// The platform's managed identity endpoint (IMDS, or App Service's `IDENTITY_ENDPOINT`).
        case managedIdentity(ManagedIdentity)
    }

    /// Where a client assertion is read from.
    public enum Assertion: Sendable, Hashable {
        case file(String)
        case environment(String)
    }

    /// The managed identity endpoint: IMDS (`AZURE_POD_IDENTITY_AUTHORITY_HOST` moves it, as azure-identity allows)
    /// or App Service / Container Apps' `IDENTITY_ENDPOINT` with its `IDENTITY_HEADER`.
    public enum ManagedIdentity: Sendable, Hashable {
        case imds(host: String)
        case appService(endpoint: String, header: String)
    }

    public var source: Source
    /// `AZURE_AUTHORITY_HOST`, without a trailing slash (`https://login.microsoftonline.com`).
    public var authorityHost: String
    /// The tenant; nil for a managed identity (the platform knows it).
    public var tenantID: String?
    /// The application (client) id; for a managed identity, the user-assigned identity (nil: system-assigned).
    public var clientID: String?
    /// The `/.default` scope asked for (`azure_scope`; Azure OpenAI's by default).
    public var scope: String

    public static let cognitiveServicesScope = "https://cognitiveservices.azure.com/.default"
    public static let postgresScope = "https://ossrdbms-aad.database.windows.net/.default"
    public static let defaultAuthorityHost = "https://login.microsoftonline.com"
    public static let defaultIMDSHost = "http://169.254.169.254"

    public init(source: Source, authorityHost: String, tenantID: String?, clientID: String?, scope: String) {
        self.source = source
        var host = authorityHost
        while host.hasSuffix("/") { host.removeLast() }
        self.authorityHost = host
        self.tenantID = tenantID
        self.clientID = clientID
        self.scope = scope
    }

    /// The token flow, for logs and the `source` label of the token metrics.
    public var kind: String {
        switch source {
        case .clientSecret: "client_secret"
        case .clientAssertion: "workload_identity"
        case .managedIdentity: "managed_identity"
        }
    }

    /// One cached token per (authority, tenant, client, scope) and flow; never the secret.
    public var cacheKey: String {
        [kind, authorityHost, tenantID ?? "-", clientID ?? "-", scope].joined(separator: "|")
    }

    public var description: String {
        "EntraCredential(\(kind), tenant: \(tenantID ?? "-"), client: \(clientID ?? "-"), scope: \(scope))"
    }

    /// The same credential for another scope (the database's token from Azure OpenAI's identity).
    public func scoped(_ scope: String) -> EntraCredential {
        var copy = self
        copy.scope = scope
        return copy
    }
}

extension EntraCredential {
    /// The environment's own credential, in azure-identity's `DefaultAzureCredential` order: `AZURE_CLIENT_SECRET`
    /// with tenant and client, then workload identity (`AZURE_FEDERATED_TOKEN_FILE`), then a managed identity
    /// (user-assigned when a client id is known). `AZURE_CREDENTIAL` (LiteLLM's) pins one kind.
    public static func fromEnvironment(
        _ environment: [String: String],
        tenantID: String? = nil,
        clientID: String? = nil,
        scope: String
    ) -> EntraCredential {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let authority = value("AZURE_AUTHORITY_HOST") ?? defaultAuthorityHost
        let tenant = tenantID ?? value("AZURE_TENANT_ID")
        let client = clientID ?? value("AZURE_CLIENT_ID")
        let pinned = value("AZURE_CREDENTIAL")
        let managed = EntraCredential(
            source: .managedIdentity(managedIdentityEndpoint(environment)),
            authorityHost: authority,
            tenantID: nil,
            clientID: client,
            scope: scope
        )
        if pinned == "ManagedIdentityCredential" { return managed }
        if let secret = value("AZURE_CLIENT_SECRET"), let tenant, let client,
            pinned == nil || pinned == "ClientSecretCredential" || pinned == "DefaultAzureCredential"
        {
            return EntraCredential(
                source: .clientSecret(secret),
                authorityHost: authority,
                tenantID: tenant,
                clientID: client,
                scope: scope
            )
        }
        if let file = value("AZURE_FEDERATED_TOKEN_FILE"), let tenant, let client {
            return EntraCredential(
                source: .clientAssertion(.file(file)),
                authorityHost: authority,
                tenantID: tenant,
                clientID: client,
                scope: scope
            )
        }
        return managed
    }

    /// IMDS unless App Service's pair is set; `AZURE_POD_IDENTITY_AUTHORITY_HOST` replaces IMDS's address.
    static func managedIdentityEndpoint(_ environment: [String: String]) -> ManagedIdentity {
        if let endpoint = environment["IDENTITY_ENDPOINT"], !endpoint.isEmpty,
            let header = environment["IDENTITY_HEADER"], !header.isEmpty
        {
            return .appService(endpoint: endpoint, header: header)
        }
        var host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultIMDSHost
        while host.hasSuffix("/") { host.removeLast() }
        return .imds(host: host)
    }

    /// LiteLLM's `azure_ad_token: oidc/…` forms that name a federated token the proxy can read: `oidc/azure/…`
    /// (workload identity's file), `oidc/file/<path>`, `oidc/env/<NAME>`, `oidc/env_path/<NAME>`.
    static func assertion(oidc reference: String, environment: [String: String]) -> Assertion? {
        let rest = reference.dropFirst("oidc/".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let kind = rest[..<slash]
        let argument = String(rest[rest.index(after: slash)...])
        switch kind {
        case "azure": return environment["AZURE_FEDERATED_TOKEN_FILE"].map(Assertion.file)
        case "file": return argument.isEmpty ? nil : .file(argument)
        case "env": return argument.isEmpty ? nil : .environment(argument)
        case "env_path": return environment[argument].map(Assertion.file)
        default: return nil
        }
    }
}
