import Foundation
import Wire

extension ConfigReader {
    /// An Azure deployment's Entra ID credential, in LiteLLM 1.110.2's order: `azure_ad_token: oidc/…` (exchanged as
    /// a client assertion), a static `azure_ad_token` (sent as is), an api key, `tenant_id` + `client_id` +
    /// `client_secret`, `AZURE_AD_TOKEN`; with none of them the environment's credential (`EntraCredential
    /// .fromEnvironment`: client secret, workload identity, managed identity). Each parameter falls back to its
    /// `AZURE_*` variable as LiteLLM's `_resolve_env_var` does.
    func entraCredential(_ params: inout JSONObject, apiKey: String?, path: String) throws(ConfigError)
        -> EntraCredential?
    {
        func parameter(_ name: String, _ variable: String) throws(ConfigError) -> String? {
            try string(params[name], "\(path).\(name)").flatMap { $0.isEmpty ? nil : $0 }
                ?? nonEmpty(environment[variable])
        }
        let scope = try parameter("azure_scope", "AZURE_SCOPE") ?? EntraCredential.cognitiveServicesScope
        let tenant = try parameter("tenant_id", "AZURE_TENANT_ID")
        let client = try parameter("client_id", "AZURE_CLIENT_ID")
        let authority = nonEmpty(environment["AZURE_AUTHORITY_HOST"]) ?? EntraCredential.defaultAuthorityHost
        let token = try string(params["azure_ad_token"], "\(path).azure_ad_token").flatMap { $0.isEmpty ? nil : $0 }
        if let token, token.hasPrefix("oidc/") {
            guard let tenant, let client else {
                throw fail(
                    "\(path).azure_ad_token",
                    "oidc/ needs tenant_id and client_id (or AZURE_TENANT_ID and AZURE_CLIENT_ID)"
                )
            }
            guard let assertion = EntraCredential.assertion(oidc: token, environment: environment) else {
                throw fail(
                    "\(path).azure_ad_token",
                    "unsupported oidc/ reference (oidc/azure/…, oidc/file/<path>, oidc/env/<NAME>, "
                        + "oidc/env_path/<NAME>)"
                )
            }
            params["azure_ad_token"] = nil
            return EntraCredential(
                source: .clientAssertion(assertion),
                authorityHost: authority,
                tenantID: tenant,
                clientID: client,
                scope: scope
            )
        }
        if token != nil || apiKey != nil { return nil }
        if let secret = try parameter("client_secret", "AZURE_CLIENT_SECRET"), let tenant, let client {
            return EntraCredential(
                source: .clientSecret(secret),
                authorityHost: authority,
                tenantID: tenant,
                clientID: client,
                scope: scope
            )
        }
        if let token = nonEmpty(environment["AZURE_AD_TOKEN"]) {
            params["azure_ad_token"] = .string(token)
            return nil
        }
        let chosen = EntraCredential.fromEnvironment(
            environment,
            tenantID: tenant,
            clientID: client,
            scope: scope
        )
        return chosen
    }
}

extension ConfigReader {
    /// LiteLLM 1.110.2's Azure Database for PostgreSQL option: `AZURE_POSTGRESQL_AUTH` on, the URL from
    /// `DATABASE_URL` (without a password) or from `DATABASE_HOST`, `DATABASE_PORT`, `DATABASE_USER` (the Entra
    /// principal) and `DATABASE_NAME`; each connection's password is a token for `ossrdbms-aad`.
    func databaseEntra(_ settings: inout ProxySettings) throws(ConfigError) {
        guard LiteLLMFlag.value(environment["AZURE_POSTGRESQL_AUTH"].map(JSON.string)) == true else { return }
        if settings.databaseURL == nil {
            guard let host = nonEmpty(environment["DATABASE_HOST"]), let user = nonEmpty(environment["DATABASE_USER"])
            else {
                throw fail("AZURE_POSTGRESQL_AUTH", "needs DATABASE_URL, or DATABASE_HOST and DATABASE_USER")
            }
            let port = nonEmpty(environment["DATABASE_PORT"]) ?? "5432"
            let name = nonEmpty(environment["DATABASE_NAME"]) ?? "postgres"
            let encodedUser = FormEncoding.percentEncoded(user)
            let mode = nonEmpty(environment["DATABASE_SSLMODE"]) ?? "require"
            settings.databaseURL =
                "postgresql://\(encodedUser)@\(host):\(port)/\(FormEncoding.percentEncoded(name))?sslmode=\(mode)"
        }
        guard let url = settings.databaseURL, URLComponents(string: url)?.password == nil else {
            throw fail("AZURE_POSTGRESQL_AUTH", "the database URL holds a password; Entra ID gives the password")
        }
        settings.databaseEntra = EntraCredential.fromEnvironment(environment, scope: EntraCredential.postgresScope)
    }
}
