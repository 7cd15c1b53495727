import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MockAzure
import NIOCore
import TestSupport
import Testing
import Wire

/// MockAzure's Entra ID and Graph emulation through its router in memory (HummingbirdTesting's `.router` mode, whose
/// requests arrive for host `localhost`): discovery and keys, the authorization code flow with PKCE from the sign-in
/// page to Graph, each refusal, and client credentials.
@Suite struct EntraEmulationTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let issuer = "http://localhost/\(tenant)/v2.0"
    static let clientID = "gateway-admin-ui"
    static let redirectURI = "http://localhost:4000/sso/callback"
    static let authorizePath = "/\(tenant)/oauth2/v2.0/authorize"
    static let tokenPath = "/\(tenant)/oauth2/v2.0/token"
    /// A PKCE pair computed outside the code under test (Python's hashlib): S256 of the verifier is the challenge.
    static let verifier = "entra-emulation-test-verifier-0123456789-abcdefghijklmnop"
    static let challenge = "eLGGhOJyCyQ5vJLpdjh3dWlGXTb_gcnNS-mrvfh2v9E"
    /// A state with characters that must survive the round trip unchanged.
    static let state = "st+ate/with spaces&odd=chars"
    static let nonce = "nonce-7f3a"

    /// One answer: status, headers, body text and JSON.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPFields
        var text: String
        var json: JSON? { try? JSON.parse(text) }

        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

        /// The redirect's query parameters (decoded), when this is one.
        var locationQuery: [String: String] {
            guard let location = header("location"), let url = URLComponents(string: location) else { return [:] }
            return Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        }
    }

    /// Requests to the router, as a browser or an OAuth client sends them.
    struct Browser: Sendable {
        let client: any TestClientProtocol
        let server: MockAzureServer

        func send(
            _ method: HTTPRequest.Method,
            _ uri: String,
            headers: [(String, String)] = [],
            form: [(String, String)]? = nil,
            json: String? = nil
        ) async throws -> Answer {
            var fields = HTTPFields()
            for (name, value) in headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            var body = json.map { ByteBuffer(string: $0) }
            if let form {
                fields[.contentType] = "application/x-www-form-urlencoded"
                body = ByteBuffer(string: EntraEmulationTests.encode(form))
            }
            let response = try await client.execute(uri: uri, method: method, headers: fields, body: body)
            return Answer(
                status: Int(response.status.code),
                headers: response.headers,
                text: String(buffer: response.body)
            )
        }

        func get(_ uri: String, bearer: String? = nil) async throws -> Answer {
            try await send(.get, uri, headers: bearer.map { [("authorization", "Bearer \($0)")] } ?? [])
        }

        /// The keys endpoint's key set.
        func keys() async throws -> JSONWebKeySet {
            let answer = try await get("/\(EntraEmulationTests.tenant)/discovery/v2.0/keys")
            return JSONWebKeySet(json: try #require(answer.json))
        }

        /// Posts the sign-in page's form for `username`; returns the redirect.
        func signIn(as username: String, _ query: [(String, String)]) async throws -> Answer {
            try await send(.post, EntraEmulationTests.authorizePath, form: query + [("username", username)])
        }

        /// Signs `username` in and returns the code the redirect carries.
        func code(for username: String, _ query: [(String, String)] = EntraEmulationTests.query()) async throws
            -> String
        {
            let answer = try await signIn(as: username, query)
            #expect(answer.status == 302)
            return try #require(answer.locationQuery["code"])
        }

        func redeem(_ code: String, verifier: String? = EntraEmulationTests.verifier, extra: [(String, String)] = [])
            async throws -> Answer
        {
            var form = [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", EntraEmulationTests.redirectURI),
                ("client_id", EntraEmulationTests.clientID),
            ]
            if let verifier { form.append(("code_verifier", verifier)) }
            return try await send(.post, EntraEmulationTests.tokenPath, form: form + extra)
        }
    }

    /// The authorize request the proxy's admin UI makes.
    static func query(
        scope: String = "openid email profile offline_access User.Read",
        challenge: String? = EntraEmulationTests.challenge
    ) -> [(String, String)] {
        var query = [
            ("client_id", clientID), ("response_type", "code"), ("redirect_uri", redirectURI),
            ("response_mode", "query"), ("scope", scope), ("state", state), ("nonce", nonce),
        ]
        if let challenge { query += [("code_challenge", challenge), ("code_challenge_method", "S256")] }
        return query
    }

    /// `application/x-www-form-urlencoded`, written here rather than borrowed from the code under test.
    static func encode(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return pairs.map { name, value in
            name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }

    /// MockAzure's router with `entra` as its tenant.
    static func withEntra<T: Sendable>(
        _ entra: EntraConfiguration = EntraConfiguration(),
        _ body: @escaping @Sendable (Browser) async throws -> T
    ) async throws -> T {
        let configuration = MockAzureConfiguration(
            port: 0,
            fixturesDirectory: TestPaths.fixtures,
            speed: 0,
            entra: entra
        )
        let server = MockAzureServer(engine: try MockAzureEngine(configuration: configuration))
        return try await Application(router: server.buildRouter()).test(.router) { client in
            try await body(Browser(client: client, server: server))
        }
    }

    /// Entra's token error body: the OAuth code, the AADSTS number first in the description, and the trace fields.
    static func expectEntraError(_ answer: Answer, status: Int, error: String, code: Int) {
        #expect(answer.status == status, "\(answer.text)")
        let json = answer.json
        #expect(json?["error"]?.stringValue == error)
        #expect(json?["error_codes"]?[0]?.intValue == code)
        let description = json?["error_description"]?.stringValue ?? ""
        #expect(description.hasPrefix("AADSTS\(code): "), "\(description)")
        #expect(description.contains("\r\nTrace ID: ") && description.contains("\r\nCorrelation ID: "))
        #expect(UUID(uuidString: json?["trace_id"]?.stringValue ?? "") != nil)
        #expect(UUID(uuidString: json?["correlation_id"]?.stringValue ?? "") != nil)
        let timestamp = json?["timestamp"]?.stringValue ?? ""
        #expect(timestamp.count == 20 && timestamp.hasSuffix("Z") && timestamp.contains(" "), "\(timestamp)")
    }

    // MARK: Discovery

    @Test func discoveryNamesThisHostAndTenantAndTheKeysVerify() async throws {
        try await Self.withEntra { browser in
            let discovery = try await browser.get("/\(Self.tenant)/v2.0/.well-known/openid-configuration")
            #expect(discovery.status == 200)
            let document = try #require(discovery.json)
            #expect(document["issuer"]?.stringValue == Self.issuer)
            #expect(document["authorization_endpoint"]?.stringValue == "http://localhost\(Self.authorizePath)")
            #expect(document["token_endpoint"]?.stringValue == "http://localhost\(Self.tokenPath)")
            #expect(document["jwks_uri"]?.stringValue == "http://localhost/\(Self.tenant)/discovery/v2.0/keys")
            #expect(document["userinfo_endpoint"]?.stringValue == "http://localhost/oidc/userinfo")
            #expect(document["response_types_supported"]?.arrayValue?.compactMap(\.stringValue) == ["code"])
            #expect(document["code_challenge_methods_supported"]?.arrayValue?.compactMap(\.stringValue) == ["S256"])
            let algorithms = document["id_token_signing_alg_values_supported"]?.arrayValue?.compactMap(\.stringValue)
            #expect(algorithms == ["RS256"])
            let common = try await browser.get("/common/v2.0/.well-known/openid-configuration")
            #expect(common.json?["issuer"]?.stringValue == "http://localhost/common/v2.0")

            let keys = try await browser.get("/\(Self.tenant)/discovery/v2.0/keys")
            #expect(keys.status == 200)
            let entries = try #require(keys.json?["keys"]?.arrayValue)
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry["kty"]?.stringValue == "RSA" && entry["use"]?.stringValue == "sig")
            #expect(entry["alg"]?.stringValue == "RS256")
            #expect(entry["kid"]?.stringValue == browser.server.entra.keyID)
            #expect(entry["e"]?.stringValue == "AQAB" && (entry["n"]?.stringValue?.count ?? 0) > 300)
            #expect(JSONWebKeySet(json: try #require(keys.json)).keys.count == 1)
            // The key is made once: the same key is published to every later request, whatever the tenant.
            let again = try await browser.get("/common/discovery/v2.0/keys")
            #expect(again.json == keys.json)
        }
    }

    // MARK: The authorization code flow

    @Test func anAdminSignsInWithPKCEAndGraphKnowsThem() async throws {
        try await Self.withEntra { browser in
            let page = try await browser.get(Self.authorizePath + "?" + Self.encode(Self.query()))
            #expect(page.status == 200)
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<title>Sign in to your account</title>"))
            for user in EntraConfiguration.defaultUsers {
                #expect(page.text.contains("Sign in as \(user.username)</button>"), "\(user.username)")
            }
            #expect(page.text.components(separatedBy: "<form method=\"post\">").count == 5)
            #expect(page.text.contains("name=\"state\" value=\"st+ate/with spaces&amp;odd=chars\""))
            #expect(page.text.contains("name=\"code_challenge\" value=\"\(Self.challenge)\""))

            let back = try await browser.signIn(as: "admin@contoso.com", Self.query())
            #expect(back.status == 302)
            let location = try #require(back.header("location"))
            #expect(location.hasPrefix(Self.redirectURI + "?code="))
            #expect(back.locationQuery["state"] == Self.state)
            let code = try #require(back.locationQuery["code"])
            #expect(code.count == 43)

            let tokens = try await browser.redeem(code, extra: [("client_secret", "any-secret")])
            #expect(tokens.status == 200, "\(tokens.text)")
            let json = try #require(tokens.json)
            #expect(json["token_type"]?.stringValue == "Bearer")
            #expect(json["expires_in"]?.intValue == 3599 && json["ext_expires_in"]?.intValue == 3599)
            let scopes = Set((json["scope"]?.stringValue ?? "").split(separator: " ").map(String.init))
            #expect(scopes == ["User.Read", "openid", "email", "profile"])

            let keys = try await browser.keys()
            let idToken = try JSONWebToken(parsing: try #require(json["id_token"]?.stringValue)).verified(by: keys)
            #expect(idToken.header["kid"]?.stringValue == browser.server.entra.keyID)
            let claims = idToken.claims
            #expect(claims["aud"]?.stringValue == Self.clientID)
            #expect(claims["iss"]?.stringValue == Self.issuer)
            #expect(claims["tid"]?.stringValue == Self.tenant)
            #expect(claims["nonce"]?.stringValue == Self.nonce)
            #expect(claims["roles"]?.arrayValue?.compactMap(\.stringValue) == ["proxy_admin"])
            #expect(claims["oid"]?.stringValue == "0b7c9a1e-1111-4000-8000-000000000001")
            #expect(claims["preferred_username"]?.stringValue == "admin@contoso.com")
            #expect(claims["email"]?.stringValue == "admin@contoso.com")
            #expect(claims["name"]?.stringValue == "Ada Admin" && claims["ver"]?.stringValue == "2.0")
            let issuedAt = try #require(claims["iat"]?.intValue)
            #expect(claims["exp"]?.intValue == issuedAt + 3600)
            #expect(abs(Double(issuedAt) - Date().timeIntervalSince1970) < 60)

            let accessToken = try #require(json["access_token"]?.stringValue)
            let access = try JSONWebToken(parsing: accessToken).verified(by: keys)
            #expect(access.isAudience("00000003-0000-0000-c000-000000000000"))
            #expect(access.claims["scp"]?.stringValue == "User.Read")
            #expect(access.claims["tid"]?.stringValue == Self.tenant)

            let me = try await browser.get("/v1.0/me", bearer: accessToken)
            #expect(me.status == 200)
            let profile = try #require(me.json)
            let context = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
            #expect(profile["@odata.context"]?.stringValue == context)
            #expect(profile["userPrincipalName"]?.stringValue == "admin@contoso.com")
            #expect(profile["mail"]?.stringValue == "admin@contoso.com")
            #expect(profile["displayName"]?.stringValue == "Ada Admin")
            #expect(profile["givenName"]?.stringValue == "Ada")
            #expect(profile["surname"]?.stringValue == "Admin" && profile["jobTitle"]?.isNull == true)
            #expect(profile["id"]?.stringValue == claims["oid"]?.stringValue)

            let memberOf = try await browser.get("/v1.0/me/memberOf", bearer: accessToken)
            #expect(memberOf.status == 200)
            let groups = try #require(memberOf.json?["value"]?.arrayValue)
            #expect(groups.count == 1)
            #expect(groups.first?["@odata.type"]?.stringValue == "#microsoft.graph.group")
            #expect(groups.first?["id"]?.stringValue == "a1b2c3d4-0000-4000-8000-000000000001")
            #expect(groups.first?["displayName"]?.stringValue == "platform-team")

            let userinfo = try await browser.get("/oidc/userinfo", bearer: accessToken)
            #expect(userinfo.status == 200 && userinfo.json?["sub"] == claims["sub"])
        }
    }

    @Test func aGuestWithoutPKCEOrEmailScopeGetsNoRolesNorEmail() async throws {
        try await Self.withEntra { browser in
            let query = Self.query(scope: "openid profile", challenge: nil)
            let code = try await browser.code(for: "GUEST@contoso.com", query)
            let tokens = try await browser.redeem(code, verifier: nil)
            #expect(tokens.status == 200, "\(tokens.text)")
            let idToken = try JSONWebToken(parsing: try #require(tokens.json?["id_token"]?.stringValue))
                .verified(by: try await browser.keys())
            #expect(idToken.claims["preferred_username"]?.stringValue == "guest@contoso.com")
            #expect(idToken.claims.objectValue?.keys.contains("roles") == false)
            #expect(idToken.claims.objectValue?.keys.contains("email") == false)
            let accessToken = try #require(tokens.json?["access_token"]?.stringValue)
            let groups = try await browser.get("/v1.0/me/memberOf", bearer: accessToken)
            #expect(groups.status == 200 && groups.json?["value"]?.arrayValue?.isEmpty == true)

            // Without openid there is no ID token, only Graph's access token.
            let plain = try await browser.code(for: "dev@contoso.com", Self.query(scope: "User.Read", challenge: nil))
            let graphOnly = try await browser.redeem(plain, verifier: nil)
            #expect(graphOnly.status == 200 && graphOnly.json?.objectValue?.keys.contains("id_token") == false)
            #expect(graphOnly.json?["access_token"]?.stringValue != nil)
        }
    }

    // MARK: Refusals

    @Test func theTokenEndpointRefusesAsEntraDoes() async throws {
        try await Self.withEntra { browser in
            // A wrong verifier spends the code: the right one afterwards finds it gone.
            let first = try await browser.code(for: "admin@contoso.com")
            let wrong = try await browser.redeem(first, verifier: "another-verifier-0123456789-abcdefghijklmnopqrstu")
            Self.expectEntraError(wrong, status: 400, error: "invalid_grant", code: 501481)
            #expect(wrong.text.contains("The Code_Verifier does not match the code_challenge"))
            Self.expectEntraError(try await browser.redeem(first), status: 400, error: "invalid_grant", code: 70008)
            let missing = try await browser.redeem(try await browser.code(for: "admin@contoso.com"), verifier: nil)
            Self.expectEntraError(missing, status: 400, error: "invalid_grant", code: 501481)

            // A code is good once.
            let second = try await browser.code(for: "viewer@contoso.com")
            #expect(try await browser.redeem(second).status == 200)
            Self.expectEntraError(try await browser.redeem(second), status: 400, error: "invalid_grant", code: 70008)
            Self.expectEntraError(
                try await browser.redeem("never-issued"),
                status: 400,
                error: "invalid_grant",
                code: 70008
            )

            // The redirect URI must be the one the code was issued for.
            let third = try await browser.code(for: "dev@contoso.com")
            let otherRedirect = try await browser.send(
                .post,
                Self.tokenPath,
                form: [
                    ("grant_type", "authorization_code"), ("code", third),
                    ("redirect_uri", "http://localhost:4000/elsewhere"), ("client_id", Self.clientID),
                    ("code_verifier", Self.verifier),
                ]
            )
            Self.expectEntraError(otherRedirect, status: 400, error: "invalid_grant", code: 500112)

            let password = try await browser.send(.post, Self.tokenPath, form: [("grant_type", "password")])
            Self.expectEntraError(password, status: 400, error: "unsupported_grant_type", code: 70003)
            let noGrant = try await browser.send(.post, Self.tokenPath, form: [("client_id", Self.clientID)])
            Self.expectEntraError(noGrant, status: 400, error: "invalid_request", code: 900144)
        }
    }

    @Test func aRegisteredSecretIsRequired() async throws {
        let entra = EntraConfiguration(clientID: Self.clientID, clientSecret: "the-registered-secret")
        try await Self.withEntra(entra) { browser in
            let wrong = try await browser.redeem(
                try await browser.code(for: "admin@contoso.com"),
                extra: [("client_secret", "not-it")]
            )
            Self.expectEntraError(wrong, status: 401, error: "invalid_client", code: 7000215)
            #expect(!wrong.text.contains("not-it") && !wrong.text.contains("the-registered-secret"))
            let none = try await browser.redeem(try await browser.code(for: "admin@contoso.com"))
            Self.expectEntraError(none, status: 401, error: "invalid_client", code: 7000215)

            let right = try await browser.redeem(
                try await browser.code(for: "admin@contoso.com"),
                extra: [("client_secret", "the-registered-secret")]
            )
            #expect(right.status == 200, "\(right.text)")
            // HTTP Basic client authentication works too.
            let basic = Data("\(Self.clientID):the-registered-secret".utf8).base64EncodedString()
            let code = try await browser.code(for: "admin@contoso.com")
            let viaBasic = try await browser.send(
                .post,
                Self.tokenPath,
                headers: [("authorization", "Basic \(basic)")],
                form: [
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI),
                    ("code_verifier", Self.verifier),
                ]
            )
            #expect(viaBasic.status == 200, "\(viaBasic.text)")

            // Another application is not registered in the tenant.
            var other = Self.query()
            other[0] = ("client_id", "<script>someone-else</script>")
            let page = try await browser.get(Self.authorizePath + "?" + Self.encode(other))
            #expect(page.status == 400 && page.text.contains("AADSTS700016"))
            #expect(!page.text.contains("<script>") && page.text.contains("&lt;script&gt;someone-else"))
        }
    }

    @Test func theAuthorizeEndpointRefusesAsEntraDoes() async throws {
        try await Self.withEntra { browser in
            let base = Self.query()
            func without(_ name: String) -> [(String, String)] { base.filter { $0.0 != name } }
            func replacing(_ name: String, _ value: String) -> [(String, String)] {
                base.map { $0.0 == name ? (name, value) : $0 }
            }
            func authorize(_ query: [(String, String)]) async throws -> Answer {
                try await browser.get(Self.authorizePath + "?" + Self.encode(query))
            }

            let noClient = try await authorize(without("client_id"))
            #expect(noClient.status == 400 && noClient.text.contains("AADSTS900144"))
            #expect(noClient.header("content-type") == "text/html; charset=utf-8")
            for redirect in ["not a url", "ftp://example.com/back", "/relative/callback"] {
                let bad = try await authorize(replacing("redirect_uri", redirect))
                #expect(bad.status == 400 && bad.text.contains("AADSTS50011"), "\(redirect)")
            }
            #expect(try await authorize(without("redirect_uri")).text.contains("AADSTS50011"))

            // Once the redirect URI is known, refusals go back to the client with its state.
            let token = try await authorize(replacing("response_type", "token"))
            #expect(token.status == 302 && token.header("location")?.hasPrefix(Self.redirectURI + "?") == true)
            #expect(token.locationQuery["error"] == "unsupported_response_type")
            #expect(token.locationQuery["state"] == Self.state && token.locationQuery["code"] == nil)
            #expect(token.locationQuery["error_description"]?.hasPrefix("AADSTS") == true)
            let plain = try await authorize(replacing("code_challenge_method", "plain"))
            #expect(plain.status == 302 && plain.locationQuery["error"] == "invalid_request")
            let short = try await authorize(replacing("code_challenge", "too-short"))
            #expect(short.status == 302 && short.locationQuery["error"] == "invalid_request")

            let stranger = try await browser.signIn(as: "mallory@contoso.com", base)
            #expect(stranger.status == 400 && stranger.text.contains("AADSTS50034"))
            #expect(stranger.header("location") == nil)
        }
    }

    @Test func graphRefusesMissingAndUnknownTokens() async throws {
        try await Self.withEntra { browser in
            let empty = try await browser.get("/v1.0/me")
            #expect(empty.status == 401)
            #expect(empty.json?["error"]?["code"]?.stringValue == "InvalidAuthenticationToken")
            #expect(empty.json?["error"]?["message"]?.stringValue == "Access token is empty.")
            let inner = empty.json?["error"]?["innerError"]
            #expect(UUID(uuidString: inner?["request-id"]?.stringValue ?? "") != nil)
            #expect(inner?["client-request-id"]?.stringValue != nil && inner?["date"]?.stringValue != nil)
            #expect(empty.header("www-authenticate")?.hasPrefix("Bearer") == true)

            let unknown = try await browser.get("/v1.0/me/memberOf", bearer: "eyJhbGciOiJub25lIn0.e30.")
            #expect(unknown.status == 401)
            #expect(unknown.json?["error"]?["code"]?.stringValue == "InvalidAuthenticationToken")
            #expect(try await browser.get("/oidc/userinfo", bearer: "made-up").status == 401)
        }
    }

    // MARK: Client credentials

    @Test func clientCredentialsNeedADefaultScope() async throws {
        try await Self.withEntra { browser in
            func credentials(_ scope: String?) async throws -> Answer {
                var form = [("grant_type", "client_credentials"), ("client_id", "batch-job"), ("client_secret", "s")]
                if let scope { form.append(("scope", scope)) }
                return try await browser.send(.post, Self.tokenPath, form: form)
            }
            let granted = try await credentials("api://my-api/.default")
            #expect(granted.status == 200, "\(granted.text)")
            let json = try #require(granted.json)
            #expect(json["token_type"]?.stringValue == "Bearer")
            #expect(json["expires_in"]?.intValue == 3599 && json["ext_expires_in"]?.intValue == 3599)
            #expect(json.objectValue?.keys.contains("id_token") == false)
            let token = try JSONWebToken(parsing: try #require(json["access_token"]?.stringValue))
                .verified(by: try await browser.keys())
            #expect(token.claims["aud"]?.stringValue == "api://my-api" && token.claims["idtyp"]?.stringValue == "app")
            #expect(token.claims["tid"]?.stringValue == Self.tenant)
            #expect(token.claims.objectValue?.keys.contains("roles") == false)
            #expect(token.claims["iss"]?.stringValue == Self.issuer)
            let principal = try #require(token.claims["oid"]?.stringValue)
            #expect(UUID(uuidString: principal) != nil)
            let again = try await credentials("api://my-api/.default")
            let second = try JSONWebToken(parsing: try #require(again.json?["access_token"]?.stringValue))
            #expect(second.claims["oid"]?.stringValue == principal, "one service principal per client")

            Self.expectEntraError(
                try await credentials("api://my-api/read"),
                status: 400,
                error: "invalid_scope",
                code: 1002012
            )
            Self.expectEntraError(try await credentials(nil), status: 400, error: "invalid_request", code: 900144)

            // An application's Graph token is not a user's: /me has no one to describe.
            let graph = try await credentials("https://graph.microsoft.com/.default")
            let appToken = try #require(graph.json?["access_token"]?.stringValue)
            let me = try await browser.get("/v1.0/me", bearer: appToken)
            #expect(me.status == 400 && me.json?["error"]?["code"]?.stringValue == "BadRequest")
        }
    }

    @Test func clientCredentialsCheckTheRegisteredSecret() async throws {
        let entra = EntraConfiguration(clientSecret: "registered")
        try await Self.withEntra(entra) { browser in
            func credentials(_ secret: String) async throws -> Answer {
                try await browser.send(
                    .post,
                    Self.tokenPath,
                    form: [
                        ("grant_type", "client_credentials"), ("client_id", "batch-job"), ("client_secret", secret),
                        ("scope", "api://my-api/.default"),
                    ]
                )
            }
            Self.expectEntraError(try await credentials("wrong"), status: 401, error: "invalid_client", code: 7000215)
            #expect(try await credentials("registered").status == 200)
        }
    }
}
