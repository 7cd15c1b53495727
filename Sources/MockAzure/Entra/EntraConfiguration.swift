/// The Entra ID tenant MockAzure emulates (Microsoft identity platform v2.0 and the few Microsoft Graph calls a
/// sign-in makes): the registered application, who can sign in, and how long tokens last. A value type with defaults,
/// as `MockAzureConfiguration` is: the defaults accept any client and offer four users, so offline development and
/// tests sign in with no setup.
public struct EntraConfiguration: Sendable {
    /// The registered application (client) id; nil accepts any client id, as if every caller were registered.
    public var clientID: String?
    /// The registered client secret; nil accepts any secret, or none (a public client).
    public var clientSecret: String?
    /// Who can sign in: one button each on the sign-in page, `/v1.0/me` and `/v1.0/me/memberOf` for each.
    public var users: [EntraUser]
    /// Seconds an ID or access token is valid (`exp` − `iat`); Entra's default is an hour. `expires_in` says one
    /// second less, as Entra does.
    public var tokenLifetime: Int
    /// The federated identity credential's subject a client assertion must carry (workload identity:
    /// `system:serviceaccount:{namespace}:{name}`); nil accepts any. Its audience is always
    /// `api://AzureADTokenExchange` and its issuer MockAzure's own (`/__mock/entra/service-account-token` mints them).
    public var federatedSubject: String?
    /// The `IDENTITY_HEADER` App Service's managed identity endpoint (`/msi/token`) requires.
    public var identityHeader: String
    /// The client id of the system-assigned managed identity (a user-assigned one is any other client id asked for).
    public var managedIdentityClientID: String

    public init(
        clientID: String? = nil,
        clientSecret: String? = nil,
        users: [EntraUser] = EntraConfiguration.defaultUsers,
        tokenLifetime: Int = 3600,
        federatedSubject: String? = nil,
        identityHeader: String = "mock-identity-header",
        managedIdentityClientID: String = "5c1e0f7a-2222-4000-8000-000000000001"
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.users = users
        self.tokenLifetime = tokenLifetime
        self.federatedSubject = federatedSubject
        self.identityHeader = identityHeader
        self.managedIdentityClientID = managedIdentityClientID
    }

    /// The audience of a federated token exchanged for an Entra ID token.
    public static let assertionAudience = "api://AzureADTokenExchange"

    /// Contoso's groups the default users belong to; their ids name teams in the proxy.
    public static let platformTeam = EntraUser.Group(
        id: "a1b2c3d4-0000-4000-8000-000000000001",
        displayName: "platform-team"
    )
    public static let dataTeam = EntraUser.Group(id: "a1b2c3d4-0000-4000-8000-000000000002", displayName: "data-team")

    /// One user per LiteLLM role the app roles grant (`proxy_admin`, `proxy_admin_viewer`, `internal_user`) and a
    /// guest with none, so each role's view of the admin UI can be tried.
    public static let defaultUsers: [EntraUser] = [
        EntraUser(
            username: "admin@contoso.com",
            displayName: "Ada Admin",
            givenName: "Ada",
            surname: "Admin",
            objectID: "0b7c9a1e-1111-4000-8000-000000000001",
            appRoles: ["proxy_admin"],
            groups: [platformTeam]
        ),
        EntraUser(
            username: "viewer@contoso.com",
            displayName: "Val Viewer",
            givenName: "Val",
            surname: "Viewer",
            objectID: "0b7c9a1e-1111-4000-8000-000000000002",
            appRoles: ["proxy_admin_viewer"]
        ),
        EntraUser(
            username: "dev@contoso.com",
            displayName: "Dee Developer",
            givenName: "Dee",
            surname: "Developer",
            objectID: "0b7c9a1e-1111-4000-8000-000000000003",
            appRoles: ["internal_user"],
            groups: [platformTeam, dataTeam]
        ),
        EntraUser(
            username: "guest@contoso.com",
            displayName: "Gus Guest",
            givenName: "Gus",
            surname: "Guest",
            objectID: "0b7c9a1e-1111-4000-8000-000000000004"
        ),
    ]
}
