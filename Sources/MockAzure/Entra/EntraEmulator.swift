import Foundation
import NIOConcurrencyHelpers
import Wire
import _CryptoExtras

/// The emulated tenant's state for one MockAzure server: its signing key, the authorization codes waiting to be
/// redeemed and the access tokens Graph accepts, and the tokens it mints. Shared by every request (any event loop),
/// so its state sits behind locks.
public final class EntraEmulator: Sendable {
    public let configuration: EntraConfiguration
    /// The signing key's `kid`: random per emulator, as a rotated Entra key would be, so a token from another
    /// server's key names a key this one does not publish.
    public let keyID: String

    /// Microsoft Graph's application id: the `aud` of the access token a sign-in gets.
    public static let graphAudience = "00000003-0000-0000-c000-000000000000"
    /// How long an authorization code can be redeemed (Entra: 10 minutes).
    static let codeLifetime: TimeInterval = 600
    /// Codes or tokens held before the expired ones are swept out.
    static let sweepThreshold = 1024
    /// OpenID Connect's own scopes; the others name Graph permissions.
    static let openIDScopes: Set<String> = ["openid", "profile", "email", "offline_access"]

    /// A code minted at sign-in, with what its redemption must match.
    struct AuthorizationCode: Sendable {
        var clientID: String
        var redirectURI: String
        var scope: String
        var nonce: String?
        var codeChallenge: String?
        var user: EntraUser
        var tenant: String
        var expires: Date
    }

    /// An access token Graph accepts: a signed-in user's, or an application's (client credentials for Graph).
    struct IssuedToken: Sendable {
        var user: EntraUser?
        var clientID: String
        var expires: Date
    }

    /// What a bearer token presented to Graph is.
    enum Bearer: Sendable {
        case user(EntraUser, clientID: String)
        case application
        case expired
        case unknown
    }

    private struct State {
        var codes: [String: AuthorizationCode] = [:]
        var tokens: [String: IssuedToken] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let identityState = NIOLockedValueBox(IdentityState())
    /// Made on first use, not at init: generating an RSA key takes a noticeable moment, and most MockAzure servers
    /// (one per test) never sign anyone in.
    private let key = NIOLockedValueBox<_RSA.Signing.PrivateKey?>(nil)

    public init(configuration: EntraConfiguration = EntraConfiguration()) {
        self.configuration = configuration
        self.keyID = EntraEmulator.randomToken(bytes: 20)
    }

    /// The RS256 key the tenant signs with.
    func signingKey() throws -> _RSA.Signing.PrivateKey {
        try key.withLockedValue { stored in
            if let existing = stored { return existing }
            let made = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            stored = made
            return made
        }
    }

    /// The JWKS document `discovery/v2.0/keys` publishes: `{"keys": [<the signing key>]}`.
    public func keySet() throws -> JSON {
        let entry = try JSONWebKeySet.entry(for: signingKey().publicKey, keyID: keyID)
        return ["keys": [entry]]
    }

    func sign(_ claims: JSONObject) throws -> String {
        try JSONWebToken.sign(claims: .object(claims), key: signingKey(), keyID: keyID)
    }

    /// The configured user signing in as `username` (compared without case, as Entra compares UPNs).
    func user(named username: String) -> EntraUser? {
        let wanted = username.lowercased()
        return configuration.users.first { $0.username.lowercased() == wanted }
    }

    // MARK: Authorization codes

    /// A new one-time code for a finished sign-in.
    func issueCode(_ code: AuthorizationCode) -> String {
        let value = EntraEmulator.randomToken(bytes: 32)
        state.withLockedValue { state in
            if state.codes.count >= EntraEmulator.sweepThreshold {
                let now = Date()
                state.codes = state.codes.filter { $0.value.expires > now }
            }
            state.codes[value] = code
        }
        return value
    }

    /// The sign-in `code` was minted for, removed so that it is redeemed at most once (also when the redemption
    /// fails later); nil when it is unknown, spent or expired.
    func redeem(_ code: String, now: Date = Date()) -> AuthorizationCode? {
        let grant = state.withLockedValue { $0.codes.removeValue(forKey: code) }
        guard let grant, grant.expires > now else { return nil }
        return grant
    }

    // MARK: Tokens

    /// The token endpoint's answer to a redeemed code: a Graph access token, and an ID token when `openid` was
    /// asked for.
    func tokenResponse(
        for grant: AuthorizationCode,
        issuer: String,
        clientAuthenticated: Bool,
        now: Date = Date()
    ) throws -> JSON {
        let requested = EntraEmulator.scopes(grant.scope)
        let lowered = Set(requested.map { $0.lowercased() })
        let permissions = EntraEmulator.graphPermissions(requested)
        // No refresh token is issued, so `offline_access` is not granted.
        let granted = permissions + requested.filter { ["openid", "profile", "email"].contains($0.lowercased()) }
        let issued = Int(now.timeIntervalSince1970)
        let expires = issued + configuration.tokenLifetime
        let user = grant.user
        let accessClaims: JSONObject = [
            "aud": .string(EntraEmulator.graphAudience),
            "iss": .string(issuer),
            "iat": .int(issued),
            "nbf": .int(issued),
            "exp": .int(expires),
            "azp": .string(grant.clientID),
            "azpacr": .string(clientAuthenticated ? "1" : "0"),
            "name": .string(user.displayName),
            "oid": .string(user.objectID),
            "preferred_username": .string(user.username),
            "scp": .string(permissions.joined(separator: " ")),
            "sub": .string(EntraEmulator.pairwiseSubject(user.objectID, clientID: EntraEmulator.graphAudience)),
            "tid": .string(grant.tenant),
            "uti": .string(EntraEmulator.randomToken(bytes: 16)),
            "ver": "2.0",
        ]
        let accessToken = try sign(accessClaims)
        remember(
            accessToken,
            IssuedToken(user: user, clientID: grant.clientID, expires: Date(timeIntervalSince1970: Double(expires)))
        )
        var response: JSONObject = [
            "token_type": "Bearer",
            "scope": .string(granted.joined(separator: " ")),
            "expires_in": .int(max(0, configuration.tokenLifetime - 1)),
            "ext_expires_in": .int(max(0, configuration.tokenLifetime - 1)),
            "access_token": .string(accessToken),
        ]
        if lowered.contains("openid") {
            var claims: JSONObject = [
                "aud": .string(grant.clientID),
                "iss": .string(issuer),
                "iat": .int(issued),
                "nbf": .int(issued),
                "exp": .int(expires),
            ]
            if lowered.contains("email") { claims["email"] = .string(user.username) }
            claims["name"] = .string(user.displayName)
            if let nonce = grant.nonce { claims["nonce"] = .string(nonce) }
            claims["oid"] = .string(user.objectID)
            claims["preferred_username"] = .string(user.username)
            if !user.appRoles.isEmpty { claims["roles"] = .array(user.appRoles.map(JSON.string)) }
            claims["sub"] = .string(EntraEmulator.pairwiseSubject(user.objectID, clientID: grant.clientID))
            claims["tid"] = .string(grant.tenant)
            claims["uti"] = .string(EntraEmulator.randomToken(bytes: 16))
            claims["ver"] = .string("2.0")
            let idToken = try sign(claims)
            response["id_token"] = .string(idToken)
        }
        return .object(response)
    }

    /// The client credentials answer: an application token for `resource` (the scope without `/.default`), its
    /// `oid` and `sub` the client's service principal in the tenant. A token for Graph is remembered, so Graph can
    /// tell it from a user's.
    public func applicationTokenResponse(
        clientID: String,
        resource: String,
        tenant: String,
        issuer: String,
        clientAuthenticated: Bool,
        now: Date = Date()
    ) throws -> JSON {
        let principal = EntraEmulator.stableGUID("service-principal:\(tenant.lowercased()):\(clientID)")
        let issued = Int(now.timeIntervalSince1970)
        let expires = issued + configuration.tokenLifetime
        let claims: JSONObject = [
            "aud": .string(resource),
            "iss": .string(issuer),
            "iat": .int(issued),
            "nbf": .int(issued),
            "exp": .int(expires),
            "azp": .string(clientID),
            "azpacr": .string(clientAuthenticated ? "1" : "0"),
            "idtyp": "app",
            "oid": .string(principal),
            "sub": .string(principal),
            "tid": .string(tenant),
            "uti": .string(EntraEmulator.randomToken(bytes: 16)),
            "ver": "2.0",
            "xms_mock_generation": .int(generation),
        ]
        let accessToken = try sign(claims)
        let graph = ["https://graph.microsoft.com", EntraEmulator.graphAudience]
        if graph.contains(resource.lowercased()) {
            remember(
                accessToken,
                IssuedToken(user: nil, clientID: clientID, expires: Date(timeIntervalSince1970: Double(expires)))
            )
        }
        return [
            "token_type": "Bearer",
            "expires_in": .int(max(0, configuration.tokenLifetime - 1)),
            "ext_expires_in": .int(max(0, configuration.tokenLifetime - 1)),
            "access_token": .string(accessToken),
        ]
    }

    private func remember(_ token: String, _ issued: IssuedToken) {
        state.withLockedValue { state in
            if state.tokens.count >= EntraEmulator.sweepThreshold {
                let now = Date()
                state.tokens = state.tokens.filter { $0.value.expires > now }
            }
            state.tokens[token] = issued
        }
    }

    /// Whose access token `token` is, as Graph sees it.
    func bearer(_ token: String, now: Date = Date()) -> Bearer {
        guard let issued = state.withLockedValue({ $0.tokens[token] }) else { return .unknown }
        guard issued.expires > now else { return .expired }
        guard let user = issued.user else { return .application }
        return .user(user, clientID: issued.clientID)
    }

    // MARK: Values

    /// The scopes a request names, each once, in order.
    static func scopes(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(separator: " ").map(String.init).filter { seen.insert($0).inserted }
    }

    /// The Graph permissions granted for `requested`: its non-OpenID scopes without Graph's resource prefix, with
    /// `.default` read as the app's one configured permission, `User.Read` (also when none is named).
    static func graphPermissions(_ requested: [String]) -> [String] {
        let prefixes = ["https://graph.microsoft.com/", graphAudience + "/"]
        var result: [String] = []
        for scope in requested where !openIDScopes.contains(scope.lowercased()) {
            var name = scope
            if let prefix = prefixes.first(where: { scope.lowercased().hasPrefix($0) }) {
                name = String(scope.dropFirst(prefix.count))
            }
            if name == ".default" { name = "User.Read" }
            if !name.isEmpty, !result.contains(name) { result.append(name) }
        }
        return result.isEmpty ? ["User.Read"] : result
    }

    /// `bytes` random bytes (the system's secure generator) in base64url.
    static func randomToken(bytes: Int) -> String {
        Base64URL.encode((0 ..< bytes).map { _ in UInt8.random(in: .min ... .max) })
    }

    /// Entra's `sub`: pairwise, the same user has another subject in each application. A SHA-256 in base64url, the
    /// shape Entra's subjects have.
    static func pairwiseSubject(_ objectID: String, clientID: String) -> String {
        Base64URL.pkceChallenge("\(objectID):\(clientID)")
    }

    /// A GUID that is always the same for `seed` (a version-4 layout over its SHA-256), for ids such as a client's
    /// service principal that must not change between requests.
    static func stableGUID(_ seed: String) -> String {
        guard let digest = Base64URL.decode(Substring(Base64URL.pkceChallenge(seed))), digest.count >= 16 else {
            return UUID().uuidString.lowercased()
        }
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let digits = Array("0123456789abcdef")
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append("-") }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}
