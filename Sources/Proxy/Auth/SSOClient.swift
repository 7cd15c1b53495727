import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Wire

/// Why a sign-in failed, in words fit for the login page: never a code, token or secret.
struct SSOFailure: Error, Sendable, Equatable {
    var message: String
}

/// The OpenID Connect authorization code flow with PKCE against the configured provider: the URL that starts it,
/// and the calls that finish it (code → tokens → ID token checks → userinfo and groups → `SSOIdentity`).
struct SSOClient: Sendable {
    let settings: SSOSettings
    let http: HTTPClient
    let keyCache = SSOKeyCache()
    /// Answers larger than this are refused rather than buffered.
    static let answerLimit = 1 << 20
    /// Clock skew allowed on `exp` and `nbf`.
    static let leeway: TimeInterval = 300

    init(settings: SSOSettings, http: HTTPClient = .shared) {
        self.settings = settings
        self.http = http
    }

    /// Where the browser goes to sign in (response_type=code, S256 challenge, state, nonce).
    func authorizationURL(state: String, signIn: SSOSignIn) -> String {
        let query = FormEncoding.encode([
            ("client_id", settings.clientID), ("response_type", "code"), ("redirect_uri", signIn.redirectURI),
            ("response_mode", "query"), ("scope", settings.scope), ("state", state), ("nonce", signIn.nonce),
            ("code_challenge", Base64URL.pkceChallenge(signIn.codeVerifier)), ("code_challenge_method", "S256"),
        ])
        return settings.authorizationEndpoint + (settings.authorizationEndpoint.contains("?") ? "&" : "?") + query
    }

    /// Redeems the code and says who signed in.
    func identity(code: String, signIn: SSOSignIn, now: Date = Date()) async throws(SSOFailure) -> SSOIdentity {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", signIn.redirectURI),
            ("client_id", settings.clientID), ("code_verifier", signIn.codeVerifier),
        ]
        if let secret = settings.clientSecret { form.append(("client_secret", secret)) }
        let tokens = try await call(settings.tokenEndpoint, form: form, what: "token endpoint")
        guard let accessToken = tokens["access_token"]?.stringValue else {
            throw SSOFailure(message: "The identity provider's token answer has no access_token.")
        }
        var claims: JSON?
        if let idToken = tokens["id_token"]?.stringValue {
            claims = try await checkedClaims(idToken, signIn: signIn, now: now)
        } else if settings.provider == .microsoft {
            throw SSOFailure(message: "Entra ID sent no ID token (the openid scope is missing).")
        }
        let userinfo = try await call(settings.userinfoEndpoint, bearer: accessToken, what: "userinfo endpoint")
        var groups: [String] = []
        var groupsProblem: String?
        if let endpoint = settings.groupsEndpoint {
            // As LiteLLM: a Graph refusal (no consent for memberOf, throttling) costs the team sync, not the sign-in.
            do {
                groups = try await memberOf(endpoint, bearer: accessToken)
            } catch {
                groupsProblem = error.message
            }
        }
        guard var identity = SSOIdentity(settings: settings, userinfo: userinfo, idTokenClaims: claims, groups: groups)
        else {
            throw SSOFailure(
                message: "The identity provider did not say who signed in (no \(settings.userIDAttribute) attribute)."
            )
        }
        identity.groupsProblem = groupsProblem
        return identity
    }

    /// The ID token's claims once its checks hold (`check`); for Entra with the tenant's published keys.
    func checkedClaims(_ text: String, signIn: SSOSignIn, now: Date) async throws(SSOFailure) -> JSON {
        let token: JSONWebToken
        do {
            token = try JSONWebToken(parsing: text)
        } catch {
            throw SSOFailure(message: "The ID token is not a JWT.")
        }
        var keys: JSONWebKeySet?
        if let keysEndpoint = settings.keysEndpoint {
            keys = try await keyCache.keys(for: token.header["kid"]?.stringValue) { () async throws(SSOFailure) in
                JSONWebKeySet(json: try await call(keysEndpoint, what: "signing keys endpoint"))
            }
        }
        return try SSOClient.check(token, keys: keys, settings: settings, nonce: signIn.nonce, now: now)
    }

    /// The claims when the audience, nonce, expiry and not-before hold and, with `keys` (Entra), the signature
    /// verifies and the issuer is the authority's for an accepted tenant. (A generic provider's token came straight
    /// from its token endpoint over the connection just made, which OpenID Connect accepts in place of a signature.)
    static func check(
        _ token: JSONWebToken,
        keys: JSONWebKeySet?,
        settings: SSOSettings,
        nonce: String,
        now: Date
    ) throws(SSOFailure) -> JSON {
        var token = token
        if let keys {
            do {
                token = try token.verified(by: keys)
            } catch {
                throw SSOFailure(message: "The ID token was refused: \(error.description).")
            }
            let issuer = token.claims["iss"]?.stringValue ?? ""
            let tenant = token.claims["tid"]?.stringValue ?? ""
            guard let authority = settings.authority, issuer == "\(authority)/\(tenant)/v2.0",
                settings.tenantAccepts(tenant)
            else { throw SSOFailure(message: "The ID token was issued by another authority or tenant.") }
        }
        guard token.isAudience(settings.clientID) else {
            throw SSOFailure(message: "The ID token was issued to another application.")
        }
        guard token.claims["nonce"]?.stringValue == nonce else {
            throw SSOFailure(message: "The ID token belongs to another sign-in (nonce mismatch).")
        }
        guard let expires = token.date("exp"), expires.addingTimeInterval(SSOClient.leeway) > now else {
            throw SSOFailure(message: "The ID token has expired.")
        }
        if let notBefore = token.date("nbf"), notBefore.addingTimeInterval(-SSOClient.leeway) > now {
            throw SSOFailure(message: "The ID token is not valid yet.")
        }
        return token.claims
    }

    /// Graph's `memberOf`: the ids of the user's groups, following `@odata.nextLink` a few pages.
    func memberOf(_ endpoint: String, bearer: String) async throws(SSOFailure) -> [String] {
        var ids: [String] = []
        var next: String? = endpoint
        var pages = 0
        let graph = URL(string: endpoint)
        while let url = next, pages < 20 {
            let page = try await call(url, bearer: bearer, what: "Graph memberOf")
            ids += (page["value"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            // The next page must be Graph's own: the user's access token goes wherever it points.
            next = page["@odata.nextLink"]?.stringValue.flatMap { link in
                let url = URL(string: link)
                return url?.scheme == graph?.scheme && url?.host == graph?.host && url?.port == graph?.port ? link : nil
            }
            pages += 1
        }
        return ids
    }

    /// One call: a form POST, or a GET (with a bearer token when given). A JSON object back, or a failure that
    /// names the endpoint and the provider's `error` code only.
    func call(_ url: String, form: [(String, String)]? = nil, bearer: String? = nil, what: String)
        async throws(SSOFailure) -> JSON
    {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let form {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        }
        let status: UInt
        let body: JSON?
        do {
            let response = try await http.execute(request, timeout: .seconds(settings.timeout.components.seconds))
            status = response.status.code
            let bytes = try await response.body.collect(upTo: SSOClient.answerLimit)
            body = try? JSON.parse(bytes.readableBytesView)
        } catch {
            throw SSOFailure(message: "The identity provider's \(what) could not be reached.")
        }
        guard (200 ..< 300).contains(status), let body, case .object = body else {
            let code = body?["error"]?.stringValue ?? body?["error"]?["code"]?.stringValue
            throw SSOFailure(
                message: "The identity provider's \(what) answered \(status)" + (code.map { " (\($0))" } ?? "") + "."
            )
        }
        return body
    }
}
