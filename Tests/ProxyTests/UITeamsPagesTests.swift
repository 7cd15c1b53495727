import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The Teams, team, Users and Tags pages: what they list from the account tables and the daily rollups, that they
/// show no key, hash or master key, and what each role sees of them.
@Suite struct UITeamsPagesTests {
    typealias Call = KeyAccessTests

    static let alphaAlias = "<i>alpha</i>"
    static let escapedAlpha = "&lt;i&gt;alpha&lt;/i&gt;"
    static let betaAlias = "beta-secret-team"

    /// Two teams (alpha with `u-dev` as its admin, beta with `u-other`), a key of alpha, and spend rows of today:
    /// alpha 2 × $0.25 tagged `nightly`, beta 1 × $1 tagged `beta-only-tag`. Answers alpha's key.
    static func seed(_ proxy: ProxyRouterClient) async throws -> String {
        let alpha = #"""
            {"team_id": "t-alpha", "team_alias": "<i>alpha</i>", "models": ["gpt-4o"], "max_budget": 10,
             "budget_duration": "30d", "rpm_limit": 100, "tpm_limit": 5000,
             "members_with_roles": [{"role": "admin", "user_id": "u-dev", "user_email": "dev@example.com"}]}
            """#
        let made = try await Call.post(proxy, "/team/new", alpha)
        #expect(made.status == 200, "\(made.text)")
        let beta = #"""
            {"team_id": "t-beta", "team_alias": "beta-secret-team",
             "members_with_roles": [{"role": "user", "user_id": "u-other"}]}
            """#
        #expect(try await Call.post(proxy, "/team/new", beta).status == 200)
        let key = try await Call.newKey(proxy, #"{"team_id": "t-alpha", "key_alias": "alpha-key", "user_id": "u-dev"}"#)
        func rows(_ count: Int, _ prefix: String, team: String, user: String, tag: String, spend: Double)
            -> [SpendRow]
        {
            SpendWriterTests.markedRows(count, prefix: prefix, marker: "hash-\(prefix)").map { row in
                var row = row
                row.teamID = team
                row.user = user
                row.requestTags = [tag]
                row.spend = spend
                row.startTime = Date()
                return row
            }
        }
        let store = try #require(proxy.gateway.spend?.writer.database.spend)
        try await store.insert(
            rows(2, "ui-alpha", team: "t-alpha", user: "u-dev", tag: "nightly", spend: 0.25)
                + rows(1, "ui-beta", team: "t-beta", user: "u-other", tag: "beta-only-tag", spend: 1)
        )
        return key
    }

    /// A browser with a session of `role` for `userID`, opened in the proxy's UI session store as an SSO sign-in
    /// opens one.
    static func browser(_ proxy: ProxyRouterClient, role: UserRole, userID: String?) -> UIBrowser {
        let (id, _) = proxy.server.uiSessions.create(username: userID ?? role.rawValue, role: role, userID: userID)
        let browser = UIBrowser(router: proxy)
        browser.setCookie(AdminUI.sessionCookie, id)
        return browser
    }

    /// No page shows a key, a key's hash or the master key.
    static func expectNoSecret(_ page: UIPage, key: String, _ path: String) {
        #expect(!page.text.contains(key), "\(path) shows the key")
        #expect(!page.text.contains(SecretHash.sha256Hex(key)), "\(path) shows the key's hash")
        #expect(!page.text.contains(TestConfigs.masterKey), "\(path) shows the master key")
    }

    @Test func anAdminSeesEveryTeamUserAndTag() async throws {
        try await withUIInMemory { proxy, browser in
            let key = try await Self.seed(proxy)
            let day = UIFormat.inputDate(Date())

            let teams = try await browser.get("/ui/teams")
            #expect(teams.status == 200)
            for text in [
                Self.escapedAlpha, Self.betaAlias, #"href="/ui/teams/t-alpha""#, "$10.0000", "resets every 30d",
                "100 RPM", "5,000 TPM", "$0.5000", "$1.0000", "Teams: 2", #"href="/ui/users""#, #"href="/ui/tags""#,
            ] {
                #expect(teams.text.contains(text), "\(text)")
            }
            #expect(!teams.text.contains(Self.alphaAlias), "the alias is escaped")
            Self.expectNoSecret(teams, key: key, "/ui/teams")

            let team = try await browser.get("/ui/teams/t-alpha")
            #expect(team.status == 200)
            for text in [
                "Team \(Self.escapedAlpha)", "<code>u-dev</code>", "dev@example.com",
                #"<span class="status">admin</span>"#, #"<td class="alias">alpha-key</td>"#, "sk-..." + key.suffix(4),
                "<td>o4-mini</td>", "<td>\(day)</td>", "<svg", #"class="s0""#,
            ] {
                #expect(team.text.contains(text), "\(text)")
            }
            // The per-model total: two requests, $0.50.
            #expect(team.text.contains(#"<th>Total</th><th class="num">2</th>"#), "\(team.text)")
            #expect(!team.text.contains(Self.betaAlias) && !team.text.contains("u-other"))
            Self.expectNoSecret(team, key: key, "/ui/teams/t-alpha")
            let missing = try await browser.get("/ui/teams/no-such-team")
            #expect(missing.status == 404 && missing.text.contains("No team with id no-such-team."))

            let users = try await browser.get("/ui/users")
            #expect(users.status == 200)
            for text in ["<code>u-dev</code>", "<code>u-other</code>", "dev@example.com", "internal_user"] {
                #expect(users.text.contains(text), "\(text)")
            }
            #expect(users.text.contains(#"<a href="/ui/teams/t-alpha">\#(Self.escapedAlpha)</a>"#), "\(users.text)")
            Self.expectNoSecret(users, key: key, "/ui/users")

            let tags = try await browser.get("/ui/tags")
            #expect(tags.status == 200)
            let beta = try #require(tags.text.range(of: "<td>beta-only-tag</td>"), "\(tags.text)")
            let nightly = try #require(tags.text.range(of: "<td>nightly</td>"), "\(tags.text)")
            #expect(beta.lowerBound < nightly.lowerBound, "highest spend first")
            #expect(tags.text.contains("$1.0000") && tags.text.contains("$0.5000"))
            Self.expectNoSecret(tags, key: key, "/ui/tags")
        }
    }

    @Test func anInternalUserSeesOnlyTheirOwnTeamsAndRow() async throws {
        try await withUIInMemory { proxy, admin in
            let key = try await Self.seed(proxy)
            let dev = Self.browser(proxy, role: .internalUser, userID: "u-dev")

            let teams = try await dev.get("/ui/teams")
            #expect(teams.status == 200 && teams.text.contains(Self.escapedAlpha), "\(teams.text)")
            #expect(!teams.text.contains(Self.betaAlias) && !teams.text.contains("t-beta"), "another team is hidden")
            #expect(teams.text.contains("Teams: 1"))
            // Tags and Audit are not linked for them, and refused.
            #expect(teams.text.contains(#"href="/ui/teams""#) && teams.text.contains(#"href="/ui/users""#))
            #expect(!teams.text.contains(#"href="/ui/tags""#) && !teams.text.contains(#"href="/ui/audit""#))

            let own = try await dev.get("/ui/teams/t-alpha")
            #expect(own.status == 200 && own.text.contains("sk-..." + key.suffix(4)), "\(own.text)")
            #expect(own.text.contains(#"<span class="status">you</span>"#))
            Self.expectNoSecret(own, key: key, "/ui/teams/t-alpha")
            // Another team's page is the same 404 as a team that does not exist.
            let other = try await dev.get("/ui/teams/t-beta")
            #expect(other.status == 404 && other.text.contains("No team with id t-beta."), "\(other.text)")
            #expect(!other.text.contains(Self.betaAlias) && !other.text.contains("u-other"))
            #expect(try await admin.get("/ui/teams/t-beta").status == 200, "the admin does see it")

            let users = try await dev.get("/ui/users")
            #expect(users.status == 200 && users.text.contains("<code>u-dev</code>"), "\(users.text)")
            #expect(!users.text.contains("u-other") && users.text.contains("Users: 1"), "\(users.text)")

            let tags = try await dev.get("/ui/tags")
            #expect(tags.status == 403 && !tags.text.contains("nightly"), "\(tags.text)")
            #expect(try await dev.get("/ui/audit").status == 403)
        }
    }

    @Test func eachRoleSeesItsScope() async throws {
        try await withUIInMemory { proxy, _ in
            _ = try await Self.seed(proxy)
            // An admin viewer sees everything, as the password login does.
            let viewer = Self.browser(proxy, role: .proxyAdminViewer, userID: "u-viewer")
            let all = try await viewer.get("/ui/teams")
            #expect(all.text.contains(Self.escapedAlpha) && all.text.contains(Self.betaAlias), "\(all.text)")
            #expect(try await viewer.get("/ui/teams/t-beta").status == 200)
            #expect(try await viewer.get("/ui/tags").text.contains("beta-only-tag"))

            // An internal viewer who is in no team sees no team and only a row of their own (none here).
            let outsider = Self.browser(proxy, role: .internalUserViewer, userID: "u-outsider")
            let none = try await outsider.get("/ui/teams")
            #expect(none.status == 200 && none.text.contains("No teams yet."), "\(none.text)")
            #expect(!none.text.contains(Self.escapedAlpha) && !none.text.contains(Self.betaAlias))
            #expect(try await outsider.get("/ui/teams/t-alpha").status == 404)
            let users = try await outsider.get("/ui/users")
            #expect(users.text.contains("No users yet.") && !users.text.contains("u-dev"), "\(users.text)")

            // A session without a user row sees nobody's rows, not every row without a user.
            let anonymous = Self.browser(proxy, role: .internalUser, userID: nil)
            #expect(try await anonymous.get("/ui/teams").text.contains("No teams yet."))
            #expect(try await anonymous.get("/ui/users").text.contains("No users yet."))

            // Without a session, every page sends the browser to log in.
            let stranger = UIBrowser(router: proxy)
            for path in ["/ui/teams", "/ui/teams/t-alpha", "/ui/users", "/ui/tags"] {
                let page = try await stranger.get(path)
                #expect(page.status == 303 && page.location?.hasPrefix("/ui/login") == true, "\(path)")
            }
        }
    }

    @Test func teamsAreListedEmptyAndPaged() async throws {
        try await withUIInMemory { proxy, browser in
            #expect(try await browser.get("/ui/teams").text.contains("No teams yet."))
            #expect(try await browser.get("/ui/tags").text.contains("No tagged requests in the last 30 days."))
            for index in 0 ..< 51 {
                let body = #"{"team_id": "t-\#(String(format: "%02d", index))"}"#
                #expect(try await Call.post(proxy, "/team/new", body).status == 200)
            }
            let first = try await browser.get("/ui/teams")
            #expect(first.text.contains("Teams: 51") && first.text.contains("Page 1 of 2"), "\(first.text)")
            #expect(first.text.contains(#"href="/ui/teams?page=2""#) && !first.text.contains("<code>t-50</code>"))
            let second = try await browser.get("/ui/teams?page=2")
            #expect(second.text.contains("<code>t-50</code>") && !second.text.contains("<code>t-00</code>"))
            // A team without an alias is linked by its id, and has no usage yet.
            let team = try await browser.get("/ui/teams/t-00")
            #expect(team.status == 200 && team.text.contains("No requests in the last 30 days."), "\(team.text)")
            #expect(team.text.contains("No keys for this team.") && team.text.contains("No members."))
        }
    }
}
