import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Wire

/// Entra ID's v2.0 endpoints on MockAzure's router, at Entra's paths under any tenant segment (a GUID, a domain,
/// `common`): OpenID discovery, the signing keys, the authorize page and the token endpoint (authorization code with
/// PKCE, client credentials); Graph's few calls are in `EntraRoutes+graph.swift`. Issuer URLs are built from the
/// request's `Host` (`http://{host}/{tenant}/v2.0`), so a server on port 0 issues tokens for the port it got.
///
/// Every answer is a `Response` the handler returns (never a thrown `HTTPError`), so `AzureNotFoundMiddleware`
/// leaves these paths alone; a tenant named `openai`, `v1.0`, `oidc` or `__mock` is shadowed by those paths.
struct EntraRoutes: Sendable {
    let emulator: EntraEmulator

    /// Form bodies larger than this are read as empty.
    static let bodyLimit = 1 << 20

    func register(on router: Router<BasicRequestContext>) {
        let routes = self
        router.get("/:tenant/v2.0/.well-known/openid-configuration") { request, context in
            let document = routes.discovery(base: EntraRoutes.base(request), tenant: EntraRoutes.tenant(context))
            return EntraRoutes.json(200, document)
        }
        router.get("/:tenant/discovery/v2.0/keys") { _, _ in
            routes.keys()
        }
        router.get("/:tenant/oauth2/v2.0/authorize") { request, context in
            routes.authorize(EntraForm(encoded: request.uri.query ?? ""), tenant: EntraRoutes.tenant(context))
        }
        router.post("/:tenant/oauth2/v2.0/authorize") { request, context in
            // The sign-in form carries the query's parameters; a form posted to the page's own URL has them twice.
            let form = await EntraRoutes.form(request).adding(EntraForm(encoded: request.uri.query ?? ""))
            return routes.authorize(form, tenant: EntraRoutes.tenant(context), signIn: true)
        }
        router.post("/:tenant/oauth2/v2.0/token") { request, context in
            await routes.token(request, tenant: EntraRoutes.tenant(context))
        }
        registerGraph(on: router)
        registerIdentity(on: router)
    }

    // MARK: Discovery

    /// Entra's `openid-configuration`, for this host and tenant.
    func discovery(base: String, tenant: String) -> JSON {
        let authority = "\(base)/\(tenant)"
        let document: JSONObject = [
            "token_endpoint": .string("\(authority)/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": EntraRoutes.strings("client_secret_post", "client_secret_basic"),
            "jwks_uri": .string("\(authority)/discovery/v2.0/keys"),
            "response_modes_supported": EntraRoutes.strings("query"),
            "subject_types_supported": EntraRoutes.strings("pairwise"),
            "id_token_signing_alg_values_supported": EntraRoutes.strings("RS256"),
            "response_types_supported": EntraRoutes.strings("code"),
            "scopes_supported": EntraRoutes.strings("openid", "profile", "email", "offline_access"),
            "issuer": .string("\(authority)/v2.0"),
            "request_uri_parameter_supported": .bool(false),
            "userinfo_endpoint": .string("\(base)/oidc/userinfo"),
            "authorization_endpoint": .string("\(authority)/oauth2/v2.0/authorize"),
            "grant_types_supported": EntraRoutes.strings("authorization_code", "client_credentials"),
            "code_challenge_methods_supported": EntraRoutes.strings("S256"),
            "claims_supported": .array(
                [
                    "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "preferred_username", "name", "email", "oid",
                    "tid", "roles", "ver",
                ].map(JSON.string)
            ),
            "tenant_region_scope": .string("NA"),
            "cloud_instance_name": .string("microsoftonline.com"),
            "msgraph_host": .string(String(base.dropFirst("http://".count))),
        ]
        return .object(document)
    }

    /// `{"keys": [...]}` with the emulator's one signing key.
    func keys() -> Response {
        do {
            return EntraRoutes.json(200, try emulator.keySet())
        } catch {
            return EntraRoutes.json(500, ["error": "server_error", "error_description": "No signing key."])
        }
    }

    // MARK: Authorize

    /// The authorize endpoint. Refusals before the redirect URI is trusted are error pages; later ones go back to
    /// the client as `error` and `error_description` with its `state`. A GET shows the sign-in page; the page's
    /// POST (`signIn`, with `username`) mints a code and sends the browser back with it.
    func authorize(_ form: EntraForm, tenant: String, signIn: Bool = false) -> Response {
        guard let clientID = form.value("client_id") else { return EntraRoutes.page(.missingParameter("client_id")) }
        if let registered = emulator.configuration.clientID, registered != clientID {
            return EntraRoutes.page(.unknownApplication(clientID, tenant: tenant))
        }
        let given = form.value("redirect_uri")
        guard let redirectURI = given, EntraRoutes.isRedirectURI(redirectURI) else {
            return EntraRoutes.page(.invalidRedirectURI(given, clientID: clientID))
        }
        let state = form.value("state")
        func refuse(_ error: EntraError) -> Response {
            var query = [("error", error.error), ("error_description", error.description(EntraError.Trace()))]
            if let state { query.append(("state", state)) }
            return EntraRoutes.redirect(redirectURI, query)
        }
        guard let responseType = form.value("response_type") else {
            return refuse(.missingParameter("response_type"))
        }
        guard responseType == "code" else { return refuse(.unsupportedResponseType(responseType)) }
        guard let scope = form.value("scope") else { return refuse(.missingParameter("scope")) }
        // PKCE is optional, as at Entra; when a challenge is sent it must be S256's 43 characters.
        let challenge = form.value("code_challenge")
        if let challenge {
            let method = form.value("code_challenge_method") ?? "plain"
            guard method == "S256" else { return refuse(.unsupportedChallengeMethod(method)) }
            guard challenge.count == 43 else { return refuse(.invalidChallengeSize) }
        }
        guard signIn else {
            let page = EntraSignInPage.render(
                users: emulator.configuration.users,
                fields: form,
                hint: form.value("login_hint")
            )
            return EntraRoutes.html(200, page)
        }
        let username = form.value("username") ?? ""
        guard let user = emulator.user(named: username) else {
            return EntraRoutes.page(.unknownUser(username, tenant: tenant))
        }
        let code = emulator.issueCode(
            EntraEmulator.AuthorizationCode(
                clientID: clientID,
                redirectURI: redirectURI,
                scope: scope,
                nonce: form.value("nonce"),
                codeChallenge: challenge,
                user: user,
                tenant: tenant,
                expires: Date().addingTimeInterval(EntraEmulator.codeLifetime)
            )
        )
        var query = [("code", code)]
        if let state { query.append(("state", state)) }
        query.append(("session_state", UUID().uuidString.lowercased()))
        return EntraRoutes.redirect(redirectURI, query)
    }

    /// An absolute `http` or `https` URL with a host and no fragment, as Entra requires of a web redirect URI.
    static func isRedirectURI(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty, url.fragment == nil
        else { return false }
        return true
    }

    // MARK: Token

    /// The token endpoint: `authorization_code` and `client_credentials`, client authentication by
    /// `client_secret` in the form or HTTP Basic. Refusals are Entra's JSON, 400 (401 for `invalid_client`).
    func token(_ request: Request, tenant: String) async -> Response {
        let form = await EntraRoutes.form(request)
        let basic = EntraRoutes.basicCredentials(request.headers[.authorization])
        let clientID = form.value("client_id") ?? basic?.id
        let secret = form.value("client_secret") ?? basic?.secret
        let issuer = EntraRoutes.base(request) + "/\(tenant)/v2.0"
        let headers = [
            ("cache-control", "no-store, no-cache"), ("pragma", "no-cache"),
            ("x-ms-request-id", UUID().uuidString.lowercased()),
        ]
        do {
            if emulator.inOutage { throw EntraError.transient }
            let body: JSON
            switch form.value("grant_type") {
            case nil:
                throw EntraError.missingParameter("grant_type")
            case "authorization_code"?:
                body = try redeem(form, clientID: clientID, secret: secret, tenant: tenant, issuer: issuer)
                emulator.count(.authorizationCode)
            case "client_credentials"?:
                body = try clientCredentials(form, clientID: clientID, secret: secret, tenant: tenant, issuer: issuer)
            case let other?:
                throw EntraError.unsupportedGrantType(other)
            }
            return EntraRoutes.json(200, body, headers)
        } catch let error as EntraError {
            emulator.countRefusal(unavailable: error.status >= 500)
            return EntraRoutes.json(error.status, error.body(), headers)
        } catch {
            return EntraRoutes.json(500, ["error": "server_error", "error_description": "Token signing failed."])
        }
    }

    /// Redeems an authorization code. The code is spent first, so a second try with it fails whatever went wrong
    /// the first time.
    func redeem(_ form: EntraForm, clientID: String?, secret: String?, tenant: String, issuer: String) throws -> JSON {
        guard let code = form.value("code") else { throw EntraError.missingParameter("code") }
        let grant = emulator.redeem(code)
        guard let clientID else { throw EntraError.missingParameter("client_id") }
        try checkClient(clientID, secret: secret, tenant: tenant)
        guard let grant else { throw EntraError.codeExpired }
        guard grant.clientID == clientID else { throw EntraError.otherClient }
        guard grant.tenant.lowercased() == tenant.lowercased() else { throw EntraError.otherTenant }
        let redirectURI = form.value("redirect_uri")
        guard redirectURI == grant.redirectURI else {
            throw EntraError.replyAddressMismatch(redirectURI, expected: grant.redirectURI)
        }
        if let challenge = grant.codeChallenge {
            guard let verifier = form.value("code_verifier"), Base64URL.pkceChallenge(verifier) == challenge else {
                throw EntraError.verifierMismatch
            }
        }
        return try emulator.tokenResponse(for: grant, issuer: issuer, clientAuthenticated: secret != nil)
    }

    /// An application's own token: `scope` must be one resource's `/.default`.
    func clientCredentials(
        _ form: EntraForm,
        clientID: String?,
        secret: String?,
        tenant: String,
        issuer: String
    ) throws -> JSON {
        guard let clientID else { throw EntraError.missingParameter("client_id") }
        let assertion = form.value("client_assertion")
        if let assertion {
            guard form.value("client_assertion_type") == EntraEmulator.assertionType else {
                throw EntraError.unsupportedAssertionType
            }
            try checkClient(clientID, secret: nil, tenant: tenant, federated: true)
            try emulator.checkAssertion(assertion)
        } else {
            try checkClient(clientID, secret: secret, tenant: tenant)
        }
        guard let scope = form.value("scope") else { throw EntraError.missingParameter("scope") }
        let suffix = "/.default"
        let scopes = EntraEmulator.scopes(scope)
        guard scopes.count == 1, let only = scopes.first, only.hasSuffix(suffix), only.count > suffix.count else {
            throw EntraError.invalidScope(scope)
        }
        let answer = try emulator.applicationTokenResponse(
            clientID: clientID,
            resource: String(only.dropLast(suffix.count)),
            tenant: tenant,
            issuer: issuer,
            clientAuthenticated: secret != nil || assertion != nil
        )
        emulator.count(assertion == nil ? .clientSecret : .clientAssertion)
        return answer
    }

    /// The registered client id and secret, when the configuration names them.
    func checkClient(_ clientID: String, secret: String?, tenant: String, federated: Bool = false) throws {
        let configuration = emulator.configuration
        if let registered = configuration.clientID, registered != clientID {
            throw EntraError.unknownApplication(clientID, tenant: tenant)
        }
        if !federated, let registered = configuration.clientSecret, secret != registered {
            throw EntraError.invalidSecret(clientID)
        }
    }

    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    static func basicCredentials(_ header: String?) -> (id: String, secret: String)? {
        guard let header, header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: header.dropFirst(6).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (FormEncoding.decode(text[..<colon]), FormEncoding.decode(text[text.index(after: colon)...]))
    }

    // MARK: Requests and responses

    /// `http://{host}`: the `Host` the client used (HTTP/1's `Host` is the request's authority).
    static func base(_ request: Request) -> String {
        "http://" + (request.head.authority ?? "localhost")
    }

    static func tenant(_ context: BasicRequestContext) -> String {
        context.parameters.get("tenant") ?? "common"
    }

    /// The request's form body (empty when it is too large or unreadable).
    static func form(_ request: Request) async -> EntraForm {
        guard let buffer = try? await request.body.collect(upTo: bodyLimit) else { return EntraForm(pairs: []) }
        return EntraForm(encoded: String(buffer: buffer))
    }

    static func strings(_ values: String...) -> JSON {
        .array(values.map(JSON.string))
    }

    static func json(
        _ status: Int,
        _ body: JSON,
        _ headers: [(String, String)] = [],
        contentType: String = "application/json; charset=utf-8"
    ) -> Response {
        Response(
            status: .init(code: status),
            headers: MockAzureServer.fields([("content-type", contentType)] + headers),
            body: .init(byteBuffer: body.byteBuffer())
        )
    }

    static func html(_ status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store, no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// An authorize refusal's page (400).
    static func page(_ error: EntraError) -> Response {
        html(400, EntraSignInPage.error(error))
    }

    /// 302 to `uri` with `query` added (after `?`, or `&` when it has a query already).
    static func redirect(_ uri: String, _ query: [(String, String)]) -> Response {
        let location = uri + (uri.contains("?") ? "&" : "?") + FormEncoding.encode(query)
        return Response(status: .found, headers: [.location: location, .cacheControl: "no-store, no-cache"])
    }
}
