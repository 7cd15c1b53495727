import Foundation
import Wire

/// Single sign-on for the admin UI with OpenID Connect, from LiteLLM's environment variables: Entra ID
/// (`MICROSOFT_CLIENT_ID` / `MICROSOFT_CLIENT_SECRET` / `MICROSOFT_TENANT`) or a generic provider
/// (`GENERIC_CLIENT_ID`, `GENERIC_AUTHORIZATION_ENDPOINT`, `GENERIC_TOKEN_ENDPOINT`, `GENERIC_USERINFO_ENDPOINT`).
/// Unlike LiteLLM's open edition there is no cap on how many users may sign in.
public struct SSOSettings: Sendable {
    public enum Provider: String, Sendable {
        case microsoft
        case generic
    }

    /// LiteLLM's `GENERIC_ROLE_MAPPINGS_*`: the claim holding the user's groups, which groups make which role
    /// (the highest wins), and the role of a user in none of them.
    public struct RoleMappings: Sendable {
        public var groupClaim: String
        /// LiteLLM role names (`proxy_admin`, …) with their groups, as written.
        public var roles: [(role: String, groups: [String])]
        public var defaultRole: String?
    }

    public var provider: Provider
    public var clientID: String
    public var clientSecret: String?
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var userinfoEndpoint: String
    /// Entra only: Graph's `me/memberOf` (group ids, which name teams), the tenant's signing keys, the authority
    /// (`AZURE_AUTHORITY_HOST`) whose `{authority}/{tid}/v2.0` must issue the ID token, and the tenant.
    public var groupsEndpoint: String?
    public var keysEndpoint: String?
    public var authority: String?
    public var tenant: String?
    /// `MICROSOFT_ALLOWED_TENANTS` (comma-separated tenant ids; lowercased): the only tenants whose users may sign in.
    public var allowedTenants: Set<String> = []
    public var scope: String
    /// `PROXY_BASE_URL`: the public address the provider sends the browser back to (`…/sso/callback`); without it
    /// the request's own host is used, as LiteLLM does.
    public var proxyBaseURL: String?
    /// Userinfo attributes naming the user (LiteLLM's `GENERIC_USER_*_ATTRIBUTE`, `MICROSOFT_USER_*_ATTRIBUTE`).
    public var userIDAttribute: String
    public var emailAttribute: String
    public var displayNameAttribute: String
    /// Generic only: the userinfo attribute holding a LiteLLM role (`GENERIC_USER_ROLE_ATTRIBUTE`, default `role`).
    public var roleAttribute: String
    public var roleMappings: RoleMappings?
    /// `PROXY_ADMIN_ID`: this user id is always `proxy_admin`.
    public var proxyAdminID: String?
    /// Why SSO cannot work as configured (LiteLLM's message), shown instead of redirecting to the provider.
    public var problem: String?
    /// How long one call to the provider may take.
    public var timeout: Duration = .seconds(15)
    /// Sign-ins started but not finished that are remembered, and for how long.
    public var pendingCapacity = 10_000
    public var pendingLifetime: Duration = .seconds(600)

    /// SSO as the environment configures it, or nil when neither `MICROSOFT_CLIENT_ID` nor `GENERIC_CLIENT_ID`
    /// is set.
    public init?(environment env: [String: String]) {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        proxyBaseURL = value("PROXY_BASE_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        proxyAdminID = value("PROXY_ADMIN_ID")
        roleAttribute = value("GENERIC_USER_ROLE_ATTRIBUTE") ?? "role"
        if let clientID = value("MICROSOFT_CLIENT_ID") {
            provider = .microsoft
            self.clientID = clientID
            clientSecret = value("MICROSOFT_CLIENT_SECRET")
            let tenant = value("MICROSOFT_TENANT") ?? ""
            // Sovereign clouds and MockAzure's emulation answer at another authority (azure-identity's variable).
            // azure-identity also takes a bare host (`login.microsoftonline.us`).
            var authority = value("AZURE_AUTHORITY_HOST") ?? "https://login.microsoftonline.com"
            if !authority.contains("://") { authority = "https://" + authority }
            if authority.hasSuffix("/") { authority.removeLast() }
            var graph = value("MICROSOFT_GRAPH_ENDPOINT") ?? "https://graph.microsoft.com/v1.0"
            if graph.hasSuffix("/") { graph.removeLast() }
            authorizationEndpoint =
                value("MICROSOFT_AUTHORIZATION_ENDPOINT") ?? "\(authority)/\(tenant)/oauth2/v2.0/authorize"
            tokenEndpoint = value("MICROSOFT_TOKEN_ENDPOINT") ?? "\(authority)/\(tenant)/oauth2/v2.0/token"
            userinfoEndpoint = value("MICROSOFT_USERINFO_ENDPOINT") ?? "\(graph)/me"
            groupsEndpoint = "\(graph)/me/memberOf"
            keysEndpoint = "\(authority)/\(tenant)/discovery/v2.0/keys"
            self.authority = authority
            self.tenant = tenant
            allowedTenants = Set(
                (value("MICROSOFT_ALLOWED_TENANTS") ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                }.filter { !$0.isEmpty }
            )
            scope = "openid email profile User.Read"
            userIDAttribute = value("MICROSOFT_USER_ID_ATTRIBUTE") ?? "id"
            emailAttribute = value("MICROSOFT_USER_EMAIL_ATTRIBUTE") ?? "userPrincipalName"
            displayNameAttribute = value("MICROSOFT_USER_DISPLAY_NAME_ATTRIBUTE") ?? "displayName"
            if clientSecret == nil {
                problem = "MICROSOFT_CLIENT_SECRET not set. Set it in .env file"
            } else if tenant.isEmpty {
                problem = "MICROSOFT_TENANT not set. Set it in .env file"
            } else if SSOSettings.multiTenant.contains(tenant.lowercased()), allowedTenants.isEmpty {
                problem =
                    "MICROSOFT_TENANT=\(tenant) signs in users of every Entra tenant, whose admins assign their own "
                    + "app roles. Set MICROSOFT_ALLOWED_TENANTS to the tenant ids that may sign in."
            }
        } else if let clientID = value("GENERIC_CLIENT_ID") {
            provider = .generic
            self.clientID = clientID
            clientSecret = value("GENERIC_CLIENT_SECRET")
            authorizationEndpoint = value("GENERIC_AUTHORIZATION_ENDPOINT") ?? ""
            tokenEndpoint = value("GENERIC_TOKEN_ENDPOINT") ?? ""
            userinfoEndpoint = value("GENERIC_USERINFO_ENDPOINT") ?? ""
            scope = value("GENERIC_SCOPE") ?? "openid email profile"
            userIDAttribute = value("GENERIC_USER_ID_ATTRIBUTE") ?? "preferred_username"
            emailAttribute = value("GENERIC_USER_EMAIL_ATTRIBUTE") ?? "email"
            displayNameAttribute = value("GENERIC_USER_DISPLAY_NAME_ATTRIBUTE") ?? "sub"
            roleMappings = SSOSettings.roleMappings(
                roles: value("GENERIC_ROLE_MAPPINGS_ROLES"),
                groupClaim: value("GENERIC_ROLE_MAPPINGS_GROUP_CLAIM"),
                defaultRole: value("GENERIC_ROLE_MAPPINGS_DEFAULT_ROLE")
            )
            let missing = [
                ("GENERIC_AUTHORIZATION_ENDPOINT", authorizationEndpoint), ("GENERIC_TOKEN_ENDPOINT", tokenEndpoint),
                ("GENERIC_USERINFO_ENDPOINT", userinfoEndpoint),
            ].first { $0.1.isEmpty }
            if let missing { problem = "\(missing.0) not set. Set it in .env file" }
        } else {
            return nil
        }
    }

    /// Entra's multi-tenant authorities: their token endpoint redeems codes of any tenant.
    static let multiTenant: Set<String> = ["common", "organizations", "consumers"]

    /// An ID token's `tid` is acceptable: one of `MICROSOFT_ALLOWED_TENANTS` when they are set (they must be for the
    /// multi-tenant authorities), else the configured tenant id. A domain name cannot be compared with `tid`; the
    /// code was redeemed at that tenant's own token endpoint, which issues tokens of that tenant only.
    public func tenantAccepts(_ tid: String) -> Bool {
        let tid = tid.lowercased()
        guard !tid.isEmpty else { return false }
        if !allowedTenants.isEmpty { return allowedTenants.contains(tid) }
        guard let tenant, !SSOSettings.multiTenant.contains(tenant.lowercased()) else { return false }
        return UUID(uuidString: tenant) == nil || tid == tenant.lowercased()
    }

    /// `GENERIC_ROLE_MAPPINGS_ROLES` is a Python dict literal (`{"proxy_admin": ["admins"], ...}`); single or
    /// double quotes both read.
    static func roleMappings(roles: String?, groupClaim: String?, defaultRole: String?) -> RoleMappings? {
        guard let roles else { return nil }
        let json = roles.replacingOccurrences(of: "'", with: "\"")
        guard case .object(let object)? = try? JSON.parse(json) else { return nil }
        let mapped = object.map { ($0.key, $0.value.arrayValue?.compactMap(\.stringValue) ?? []) }
        return RoleMappings(groupClaim: groupClaim ?? "groups", roles: mapped, defaultRole: defaultRole)
    }
}
