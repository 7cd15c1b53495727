import Foundation
import Testing
import Wire

@testable import Proxy

/// Who an SSO sign-in is and which role it gets, as LiteLLM 1.110.2 decides: Entra app roles (highest wins),
/// generic group mappings, the role attribute, `PROXY_ADMIN_ID`; and the settings read from its variables.
@Suite struct SSOIdentityTests {
    static let entra: [String: String] = [
        "MICROSOFT_CLIENT_ID": "ui-app", "MICROSOFT_CLIENT_SECRET": "s", "MICROSOFT_TENANT": "contoso.onmicrosoft.com",
    ]

    static func generic(_ extra: [String: String] = [:]) -> SSOSettings {
        SSOSettings(
            environment: [
                "GENERIC_CLIENT_ID": "ui-app", "GENERIC_AUTHORIZATION_ENDPOINT": "https://idp/auth",
                "GENERIC_TOKEN_ENDPOINT": "https://idp/token", "GENERIC_USERINFO_ENDPOINT": "https://idp/userinfo",
            ].merging(extra) { $1 }
        )!
    }

    @Test func entraEndpointsFollowTheTenantAndAuthority() throws {
        let settings = try #require(SSOSettings(environment: Self.entra))
        #expect(settings.provider == .microsoft && settings.problem == nil)
        #expect(
            settings.authorizationEndpoint
                == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
        )
        #expect(settings.userinfoEndpoint == "https://graph.microsoft.com/v1.0/me")
        let sovereign = try #require(
            SSOSettings(
                environment: Self.entra.merging([
                    "AZURE_AUTHORITY_HOST": "login.microsoftonline.us/",
                    "MICROSOFT_GRAPH_ENDPOINT": "https://graph.microsoft.us/v1.0",
                ]) { $1 }
            )
        )
        #expect(sovereign.tokenEndpoint == "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token")
        #expect(sovereign.groupsEndpoint == "https://graph.microsoft.us/v1.0/me/memberOf")
        #expect(SSOSettings(environment: [:]) == nil)
        var missing = Self.entra
        missing["MICROSOFT_TENANT"] = nil
        #expect(SSOSettings(environment: missing)?.problem == "MICROSOFT_TENANT not set. Set it in .env file")
        #expect(
            Self.generic(["GENERIC_TOKEN_ENDPOINT": ""]).problem
                == "GENERIC_TOKEN_ENDPOINT not set. Set it in .env file"
        )
    }

    @Test func aTenantIdMustMatchTheTokensTid() throws {
        var guid = Self.entra
        guid["MICROSOFT_TENANT"] = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
        let settings = try #require(SSOSettings(environment: guid))
        #expect(settings.tenantAccepts("72f988bf-86f1-41af-91ab-2d7cd011db47"))
        #expect(!settings.tenantAccepts("00000000-86f1-41af-91ab-2d7cd011db47"))
        #expect(try #require(SSOSettings(environment: Self.entra)).tenantAccepts("any-tid"))
        // `common` would let any tenant's admin grant themselves proxy_admin: it needs an allow-list.
        var common = Self.entra
        common["MICROSOFT_TENANT"] = "common"
        let open = try #require(SSOSettings(environment: common))
        #expect(open.problem?.contains("MICROSOFT_ALLOWED_TENANTS") == true)
        #expect(!open.tenantAccepts("72f988bf-86f1-41af-91ab-2d7cd011db47"))
        common["MICROSOFT_ALLOWED_TENANTS"] =
            "72F988BF-86F1-41AF-91AB-2D7CD011DB47, 11111111-86f1-41af-91ab-2d7cd011db47"
        let listed = try #require(SSOSettings(environment: common))
        #expect(listed.problem == nil)
        #expect(listed.tenantAccepts("72f988bf-86f1-41af-91ab-2d7cd011db47"))
        #expect(!listed.tenantAccepts("00000000-86f1-41af-91ab-2d7cd011db47"))
        #expect(!listed.tenantAccepts(""))
    }

    @Test func entraAppRolesGiveTheHighestRole() throws {
        let settings = try #require(SSOSettings(environment: Self.entra))
        let me: JSON = ["id": "oid-1", "userPrincipalName": "Ada@Contoso.com", "displayName": "Ada"]
        let identity = try #require(
            SSOIdentity(
                settings: settings,
                userinfo: me,
                idTokenClaims: ["roles": ["internal_user", "unknown", "proxy_admin_viewer"]],
                groups: ["g1"]
            )
        )
        #expect(identity.userID == "oid-1" && identity.email == "ada@contoso.com" && identity.groups == ["g1"])
        #expect(identity.role == .proxyAdminViewer)
        let none = SSOIdentity(settings: settings, userinfo: me, idTokenClaims: ["roles": []], groups: [])
        #expect(none?.role == nil)
        #expect(SSOIdentity(settings: settings, userinfo: ["mail": "x@y"], idTokenClaims: nil, groups: []) == nil)
        let mailOnly = SSOIdentity(
            settings: settings,
            userinfo: ["id": "2", "mail": "B@y"],
            idTokenClaims: nil,
            groups: []
        )
        #expect(mailOnly?.email == "b@y")
    }

    @Test func genericRolesComeFromGroupMappingsThenTheRoleAttribute() throws {
        let mapped = Self.generic([
            "GENERIC_ROLE_MAPPINGS_ROLES": "{'proxy_admin': ['admins'], 'internal_user': ['devs', 'ops']}",
            "GENERIC_ROLE_MAPPINGS_GROUP_CLAIM": "realm.groups",
            "GENERIC_ROLE_MAPPINGS_DEFAULT_ROLE": "internal_user_viewer",
        ])
        func role(_ settings: SSOSettings, _ info: JSON) -> UserRole? {
            SSOIdentity(settings: settings, userinfo: info, idTokenClaims: nil, groups: [])?.role
        }
        #expect(role(mapped, ["preferred_username": "u", "realm": ["groups": ["ops", "admins"]]]) == .proxyAdmin)
        #expect(role(mapped, ["preferred_username": "u", "realm": ["groups": "x, devs"]]) == .internalUser)
        #expect(role(mapped, ["preferred_username": "u", "realm": ["groups": ["other"]]]) == .internalUserViewer)
        #expect(role(mapped, ["preferred_username": "u", "role": "proxy_admin"]) == .internalUserViewer)
        let plain = Self.generic(["GENERIC_USER_ROLE_ATTRIBUTE": "app.role"])
        #expect(role(plain, ["preferred_username": "u", "app": ["role": "proxy_admin_viewer"]]) == .proxyAdminViewer)
        #expect(role(plain, ["preferred_username": "u", "app": ["role": "superuser"]]) == nil)
        // LiteLLM ignores the case; a list of role names gives the highest.
        #expect(role(plain, ["preferred_username": "u", "app": ["role": "PROXY_ADMIN"]]) == .proxyAdmin)
        #expect(
            role(plain, ["preferred_username": "u", "app": ["role": ["internal_user", "proxy_admin_viewer"]]])
                == .proxyAdminViewer
        )
        let pinned = Self.generic(["PROXY_ADMIN_ID": "boss"])
        #expect(role(pinned, ["preferred_username": "boss"]) == .proxyAdmin)
        #expect(role(pinned, ["preferred_username": "bossy"]) == nil)
    }

    @Test func aSignInIsTakenOnceAndNotAfterItsLifetime() {
        let signIns = SSOSignIns(capacity: 2, lifetime: .seconds(60))
        let now = ContinuousClock.now
        let (state, signIn) = signIns.start(redirectURI: "http://x/sso/callback", next: "/ui/keys", now: now)
        #expect(signIn.codeVerifier != signIn.nonce && state != signIn.nonce && state.count == 43)
        #expect(signIns.finish(state: state, now: now) == signIn)
        #expect(signIns.finish(state: state, now: now) == nil)
        let (late, _) = signIns.start(redirectURI: "r", next: "/ui/logs", now: now)
        #expect(signIns.finish(state: late, now: now + .seconds(61)) == nil)
        let first = signIns.start(redirectURI: "r", next: "n", now: now).state
        _ = signIns.start(redirectURI: "r", next: "n", now: now + .seconds(1))
        _ = signIns.start(redirectURI: "r", next: "n", now: now + .seconds(2))
        #expect(signIns.count == 2)
        #expect(signIns.finish(state: first, now: now + .seconds(3)) == nil)
    }
}
