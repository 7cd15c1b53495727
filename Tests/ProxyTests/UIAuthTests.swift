import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The UI's login, session cookie, CSRF checks and logout.
@Suite struct UIAuthTests {
    static let pages = [
        "/ui", "/ui/", "/ui/logs", "/ui/logs/chatcmpl-x", "/ui/keys", "/ui/models", "/ui/usage",
        "/ui/usage?start=2025-01-01",
    ]
    static let actions = ["/ui/keys", "/ui/keys/block", "/ui/keys/unblock", "/ui/keys/delete", "/ui/logout"]

    @Test func everyPageAndFormRefusesWithoutASession() async throws {
        try await withUIInMemory(loggedIn: false) { proxy, browser in
            for path in Self.pages {
                let page = try await browser.get(path)
                #expect(page.status == 303, "\(path)")
                #expect(page.location?.hasPrefix("/ui/login") == true, "\(path) → \(page.location ?? "")")
            }
            // A forged session id is no session.
            browser.setCookie(AdminUI.sessionCookie, UISessionStore.randomToken())
            #expect(try await browser.get("/ui/logs").status == 303)
            for path in Self.actions {
                let page = try await browser.post(
                    path,
                    [("csrf_token", "x"), ("key_alias", "sneaky"), ("token", String(repeating: "a", count: 64))]
                )
                #expect(page.status == 303 && page.location == "/ui/login", "\(path)")
            }
            #expect(try await proxy.gateway.keys?.store.countKeys() == 0, "no form did anything")
            // The login page comes back to the page asked for.
            let login = try await browser.get("/ui/login?next=%2Fui%2Fkeys")
            #expect(login.status == 200 && login.text.contains(#"name="next" value="/ui/keys""#))
        }
    }

    @Test func loginSetsAStrictHttpOnlyExpiringCookie() async throws {
        try await withUIInMemory(loggedIn: false) { _, browser in
            let wrong = try await browser.login(password: "sk-wrong")
            #expect(wrong.status == 401 && wrong.text.contains("Invalid username or password"))
            #expect(browser.sessionCookie == nil)
            #expect(try await browser.login(username: "root").status == 401)

            let ok = try await browser.login()
            #expect(ok.status == 303 && ok.location == "/ui/logs")
            let cookie = try #require(ok.setCookies.first { $0.hasPrefix("\(AdminUI.sessionCookie)=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=28800"] {
                #expect(cookie.contains(attribute), "\(cookie)")
            }
            #expect(!cookie.contains("Secure"), "plain HTTP: a Secure cookie would never come back")
            let logs = try await browser.get("/ui/logs")
            #expect(logs.status == 200 && logs.text.contains("<h1>Logs</h1>"))
            #expect(logs.headers.first(name: "content-security-policy")?.contains("script-src 'self'") == true)
            #expect(
                logs.headers.first(name: "cache-control") == "no-store"
                    && logs.headers.first(name: "x-frame-options") == "DENY"
            )
            // The session id is nowhere in the page (HttpOnly keeps it from scripts; the page must not leak it either).
            #expect(!logs.text.contains(try #require(browser.sessionCookie)))

            // Behind a TLS-terminating proxy the cookie is Secure.
            let tls = browser.newSession()
            let secure = try await tls.login(headers: [("x-forwarded-proto", "https")])
            #expect(secure.setCookies.first { $0.hasPrefix("\(AdminUI.sessionCookie)=") }?.contains("Secure") == true)
        }
    }

    @Test func loginNeedsItsFormToken() async throws {
        try await withUIInMemory(loggedIn: false) { _, browser in
            let page = try await browser.post(
                "/ui/login",
                [("username", "admin"), ("password", TestConfigs.masterKey), ("csrf_token", "forged")]
            )
            #expect(page.status == 403 && browser.sessionCookie == nil)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        try await withUIInMemory { _, browser in
            let id = try #require(browser.sessionCookie)
            let refused = try await browser.post("/ui/logout", [("csrf_token", "wrong")])
            #expect(refused.status == 403, "logout is a form too")
            let out = try await browser.submit("/ui/logout", [], from: "/ui/logs")
            #expect(out.status == 303 && out.location == "/ui/login" && browser.sessionCookie == nil)
            browser.setCookie(AdminUI.sessionCookie, id)
            #expect(try await browser.get("/ui/keys").status == 303, "the old id is dead server-side")
        }
    }

    @Test func credentialsFollowLiteLLM() {
        let both = UICredentials(masterKey: "sk-master-1", environment: ["UI_USERNAME": "ops", "UI_PASSWORD": "pw-2"])
        #expect(both.check(username: "ops", password: "pw-2") && both.check(username: "admin", password: "sk-master-1"))
        #expect(
            !both.check(username: "ops", password: "sk-master-1") && !both.check(username: "admin", password: "pw-2")
        )
        let masterOnly = UICredentials(masterKey: "sk-master-1", environment: [:])
        #expect(
            masterOnly.check(username: "admin", password: "sk-master-1")
                && !masterOnly.check(username: "admin", password: "sk-master-")
        )
        let none = UICredentials(masterKey: nil, environment: [:])
        #expect(!none.enabled && !none.check(username: "admin", password: ""))
        #expect(
            UICredentials(masterKey: nil, environment: ["UI_PASSWORD": "pw"]).check(username: "admin", password: "pw")
        )
    }

    @Test func sessionsKeepOnlyHashesAndExpire() {
        let store = UISessionStore(ttl: 60, capacity: 2)
        let now = Date()
        let (id, session) = store.create(username: "admin", now: now)
        #expect(id.count == 43 && session.csrfToken.count == 43 && id != session.csrfToken)
        #expect(store.storedHashes == [SecretHash.sha256Hex(id)], "the table holds the hash, not the id")
        #expect(store.session(id: id, now: now.addingTimeInterval(59)) == session)
        #expect(store.session(id: id, now: now.addingTimeInterval(61)) == nil, "expired")
        #expect(store.session(id: id, now: now) == nil, "and gone")
        let a = store.create(username: "a", now: now).id,
            b = store.create(username: "b", now: now.addingTimeInterval(1)).id
        let c = store.create(username: "c", now: now.addingTimeInterval(2)).id
        #expect(
            store.session(id: a, now: now) == nil && store.session(id: b, now: now) != nil
                && store.session(id: c, now: now) != nil,
            "oldest evicted at capacity"
        )
    }

    @Test func afterLoginOnlyUIPathsAreFollowed() {
        #expect(AdminUI.safeNext("/ui/keys?page=2") == "/ui/keys?page=2")
        for hostile in [
            "https://evil.example/", "//evil.example", "/ui\\..\\x", "/spend/logs", "/ui/login",
            "/ui/x\r\nSet-Cookie: a=b", nil,
        ] {
            #expect(AdminUI.safeNext(hostile) == "/ui/logs", "\(hostile ?? "nil")")
        }
    }
}
