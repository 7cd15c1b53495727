import AsyncHTTPClient
import Foundation
import MockAzure
import NIOCore
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The admin UI's Entra ID sign-in against MockAzure's emulation (a real server): the authorization code flow with
/// PKCE, state and nonce, the role from the app roles, the user row and team sync, what each role may see and do,
/// and the refusals.
@Suite struct SSOLoginTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let secret = "sso-client-secret-never-shown"

    static func environment(_ mock: String) -> [String: String] {
        [
            "MICROSOFT_CLIENT_ID": "gateway-admin-ui", "MICROSOFT_CLIENT_SECRET": secret, "MICROSOFT_TENANT": tenant,
            "AZURE_AUTHORITY_HOST": mock, "MICROSOFT_GRAPH_ENDPOINT": mock + "/v1.0",
        ]
    }

    /// The proxy's UI in memory, SSO pointed at a running MockAzure.
    static func withSSO<T: Sendable>(
        general settings: String = "",
        mock configuration: MockAzureConfiguration = MockAzureConfiguration(
            port: 0,
            fixturesDirectory: TestPaths.fixtures,
            speed: 0
        ),
        _ body: @escaping @Sendable (ProxyRouterClient, UIBrowser) async throws -> T
    ) async throws -> T {
        try await withMockAzure(configuration) { _, mock in
            try await withProxyRouter(
                config: TestConfigs.standard(mockBase: mock) + settings,
                environment: environment(mock)
            ) {
                try await body($0, UIBrowser(router: $0))
            }
        }
    }

    /// The browser's visit to the provider: MockAzure's sign-in form posted for `username`; returns the callback's
    /// path and query the provider sends the browser back to.
    static func signInAtProvider(_ authorize: String, username: String) async throws -> String {
        let url = try #require(URLComponents(string: authorize))
        var request = HTTPClientRequest(url: "\(url.scheme!)://\(url.host!):\(url.port!)\(url.path)")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        let fields = (url.queryItems ?? []).map { ($0.name, $0.value) } + [("username", username)]
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields)))
        // A browser would follow the redirect to the proxy; here the proxy is in memory, so the test takes it.
        var settings = HTTPClient.Configuration()
        settings.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(10))
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(response.status.code == 302)
        let location = try #require(response.headers.first(name: "location"))
        let back = try #require(URLComponents(string: location))
        return back.path + "?" + (back.percentEncodedQuery ?? "")
    }

    /// Starts a sign-in from the login page's link and finishes it as `username`.
    static func signIn(_ browser: UIBrowser, as username: String, next: String = "/ui/keys") async throws -> UIPage {
        let start = try await browser.get("/sso/key/generate?" + UIForm.encode([("next", next)]))
        #expect(start.status == 303)
        let callback = try await signInAtProvider(try #require(start.location), username: username)
        return try await browser.get(callback)
    }

    @Test func anEntraAdminSignsInWithPKCEAndGetsTheAppRole() async throws {
        try await Self.withSSO { router, browser in
            let login = try await browser.get("/ui/login")
            #expect(login.text.contains("Sign in with Microsoft"))
            let start = try await browser.get("/sso/key/generate?next=%2Fui%2Fkeys")
            let startLocation = try #require(start.location)
            let authorize = try #require(URLComponents(string: startLocation))
            let query = Dictionary((authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
            #expect(authorize.path == "/\(Self.tenant)/oauth2/v2.0/authorize")
            #expect(query["code_challenge_method"] == "S256" && query["code_challenge"]?.count == 43)
            #expect(query["response_type"] == "code" && query["client_id"] == "gateway-admin-ui")
            // The in-memory request has no Host, so the origin falls back to localhost (PROXY_BASE_URL sets it).
            #expect(query["redirect_uri"] == "http://localhost/sso/callback")
            #expect(query["nonce"]?.count == 43 && query["state"]?.count == 43)
            let cookie = try #require(start.setCookies.first { $0.hasPrefix("sso_state=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/sso"))
            #expect(!start.location!.contains(Self.secret))

            let callback = try await Self.signInAtProvider(start.location!, username: "admin@contoso.com")
            let done = try await browser.get(callback)
            #expect(done.status == 200)
            #expect(done.headers.first(name: "refresh") == "0; url=/ui/keys")
            #expect(browser.sessionCookie != nil)
            let keys = try await browser.get("/ui/keys")
            #expect(keys.status == 200 && keys.text.contains("admin@contoso.com") && keys.text.contains("key_alias"))
            // The code and state are spent: the same callback again signs nobody in.
            let again = UIBrowser(router: router)
            again.setCookie("sso_state", query["state"])
            #expect(try await again.get(callback).status == 403)

            let users = try await router.get("/user/list")
            #expect(users.text.contains("admin@contoso.com") && users.text.contains("\"proxy_admin\""))
            let admin = try #require(
                users.json?["users"]?.arrayValue?.first { $0["user_email"]?.stringValue == "admin@contoso.com" }
            )
            #expect(admin["sso_user_id"] == admin["user_id"] && admin["user_alias"]?.stringValue?.isEmpty == false)
            #expect(!users.text.contains(Self.secret))
        }
    }

    @Test func anInternalUserSeesOnlyTheirOwnAndChangesNothing() async throws {
        try await Self.withSSO { router, browser in
            // Entra group ids name teams: the user joins the team whose id is one of their groups.
            let team = "a1b2c3d4-0000-4000-8000-000000000001"
            #expect(
                try await router.post("/team/new", #"{"team_id": "\#(team)", "team_alias": "platform"}"#).status == 200
            )
            let done = try await Self.signIn(browser, as: "dev@contoso.com")
            #expect(done.status == 200)
            let users = try #require(try await router.get("/user/list").json)
            let dev = try #require(
                users["users"]?.arrayValue?.first { $0["user_email"]?.stringValue == "dev@contoso.com" }
            )
            let devID = try #require(dev["user_id"]?.stringValue)
            #expect(dev["user_role"] == "internal_user")
            let info = try await router.get("/team/info?team_id=\(team)").text
            #expect(info.contains(devID))

            let own = #"{"key_alias": "dev-own", "user_id": "\#(devID)"}"#
            #expect(try await router.post("/key/generate", own).status == 200)
            let elses = try await router.post("/key/generate", #"{"key_alias": "someone-else", "user_id": "u-2"}"#)
            #expect(elses.status == 200)
            let keys = try await browser.get("/ui/keys")
            #expect(keys.text.contains("dev-own") && !keys.text.contains("someone-else"))
            #expect(!keys.text.contains("id=\"key_alias\""))
            let refused = try await browser.post("/ui/keys", [("csrf_token", keys.csrf ?? ""), ("key_alias", "x")])
            #expect(refused.status == 403 && refused.text.contains("may look but not change"))
            #expect(try await browser.get("/ui/audit").status == 403)
            #expect(try await browser.get("/ui/tags").status == 403)
            // Someone else's key may not be blocked or deleted either, even with a valid form token.
            let token = try #require(elses.json?["token_id"]?.stringValue)
            for operation in ["block", "unblock", "delete"] {
                let change = try await browser.post(
                    "/ui/keys/\(operation)",
                    [("csrf_token", keys.csrf ?? ""), ("token", token)]
                )
                #expect(change.status == 403, "\(operation)")
            }
            #expect(try await router.get("/key/info?key=\(token)").json?["info"]?["blocked"] != true)
            // A health check is a paid call to every deployment: not for a role that only looks.
            let models = try await browser.get("/ui/models?health=1")
            #expect(models.status == 200 && !models.text.contains("check-health") && !models.text.contains("Health:"))
        }
    }

    /// LiteLLM's `auto_redirect_ui_login_to_sso` and `disable_password_login_when_sso_enabled`.
    @Test func theLoginSwitchesLeaveSSOAsTheOnlyWayIn() async throws {
        try await Self.withSSO(general: "\n  auto_redirect_ui_login_to_sso: true\n") { _, browser in
            let login = try await browser.get("/ui/login?next=%2Fui%2Fusage")
            #expect(login.status == 303 && login.location == "/sso/key/generate?next=%2Fui%2Fusage")
        }
        try await Self.withSSO(general: "\n  disable_password_login_when_sso_enabled: true\n") { _, browser in
            let login = try await browser.get("/ui/login")
            #expect(login.status == 200 && login.text.contains("Sign in with Microsoft"))
            #expect(!login.text.contains(#"name="password""#) && login.text.contains("Sign in via SSO."))
            // The master key is the right password, and still refused: the form's token is valid, the way is shut.
            let token = try #require(browser.cookie(AdminUI.loginCookie))
            let refused = try await browser.post(
                "/ui/login",
                [("csrf_token", token), ("username", "admin"), ("password", TestConfigs.masterKey)]
            )
            #expect(refused.status == 403 && refused.text.contains("disable_password_login_when_sso_enabled"))
            #expect(browser.sessionCookie == nil)
        }
        // Without SSO configured the switch cannot lock the admin out.
        let config =
            TestConfigs.standard(mockBase: "http://127.0.0.1:1")
            + "\n  disable_password_login_when_sso_enabled: true\n  auto_redirect_ui_login_to_sso: true\n"
        try await withProxyRouter(config: config) { router in
            let browser = UIBrowser(router: router)
            let login = try await browser.login()
            #expect(login.status == 303 && browser.sessionCookie != nil)
        }
    }

    @Test func signInsThatMustFail() async throws {
        var strict = MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0)
        strict.entra.clientSecret = "the-registered-secret"
        try await Self.withSSO(mock: strict) { _, browser in
            // The proxy's secret is not the registered one: the token endpoint refuses the code.
            let wrongSecret = try await Self.signIn(browser, as: "admin@contoso.com")
            #expect(wrongSecret.status == 401 && wrongSecret.text.contains("invalid_client"))
            #expect(!wrongSecret.text.contains(Self.secret) && browser.sessionCookie == nil)

            // A callback this browser did not start (no state cookie, or another one) is refused before any call.
            let start = try await browser.get("/sso/key/generate")
            let callback = try await Self.signInAtProvider(try #require(start.location), username: "guest@contoso.com")
            browser.setCookie("sso_state", "another-browsers-state")
            #expect(try await browser.get(callback).status == 403)

            // The provider's own refusal is shown, not followed.
            let next = try await browser.get("/sso/key/generate")
            let nextLocation = try #require(next.location)
            let state = try #require(
                URLComponents(string: nextLocation)?.queryItems?.first { $0.name == "state" }?.value
            )
            let denied = try await browser.get(
                "/sso/callback?" + UIForm.encode([("error", "access_denied"), ("state", state)])
            )
            #expect(denied.status == 401 && denied.text.contains("refused the sign-in (access_denied)"))
            #expect(browser.sessionCookie == nil)
        }
    }

    @Test func aGuestWithoutRolesIsAViewerOfTheirOwn() async throws {
        try await Self.withSSO { router, browser in
            #expect(try await Self.signIn(browser, as: "guest@contoso.com", next: "/ui/logs").status == 200)
            let users = try await router.get("/user/list").text
            #expect(users.contains("guest@contoso.com") && users.contains("internal_user_viewer"))
            #expect(try await browser.get("/ui/logs").status == 200)
            #expect(try await browser.get("/ui/audit").status == 403)
        }
    }
}
