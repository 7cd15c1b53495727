import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// Single sign-on at LiteLLM's paths: `/sso/key/generate` sends the browser to the provider, `/sso/callback`
/// brings it back. The state travels in a cookie bound to this browser (login CSRF), the PKCE verifier and nonce
/// stay here, and the signed-in user is kept in `LiteLLM_UserTable` with the role the provider grants.
extension AdminUI {
    static let ssoStateCookie = "sso_state"

    /// The login page's "Sign in with …" label, when SSO is configured.
    var ssoLabel: String? {
        guard let sso else { return nil }
        return sso.settings.provider == .microsoft ? "Microsoft" : "SSO"
    }

    func ssoStart(_ request: Request) -> Response {
        guard let sso else { return AdminUI.redirect("/ui/login") }
        if let problem = sso.settings.problem { return AdminUI.plain(.internalServerError, problem) }
        let base = sso.settings.proxyBaseURL ?? AdminUI.origin(request)
        let (state, signIn) = signIns.start(
            redirectURI: base + "/sso/callback",
            next: AdminUI.safeNext(UIForm.query(request)["next"])
        )
        // Lax, not Strict: the provider's redirect back is a cross-site navigation, which Strict cookies skip.
        let cookie = Cookie(
            name: AdminUI.ssoStateCookie,
            value: state,
            maxAge: Int(sso.settings.pendingLifetime.components.seconds),
            path: "/sso",
            secure: AdminUI.overTLS(request),
            httpOnly: true,
            sameSite: .lax
        )
        return AdminUI.redirect(sso.authorizationURL(state: state, signIn: signIn), cookies: [cookie])
    }

    func ssoCallback(_ request: Request) async -> Response {
        guard let sso else { return AdminUI.redirect("/ui/login") }
        let query = UIForm.query(request)
        let clearState = Cookie(
            name: AdminUI.ssoStateCookie,
            value: "",
            maxAge: 0,
            path: "/sso",
            secure: AdminUI.overTLS(request),
            httpOnly: true,
            sameSite: .lax
        )
        func refuse(_ message: String, _ status: HTTPResponse.Status) -> Response {
            var response = loginForm(request, next: "/ui/logs", username: "", error: message, status: status)
            response.setCookie(clearState)
            return response
        }
        guard let state = query["state"], let cookie = request.cookies[AdminUI.ssoStateCookie]?.value,
            SecretHash.constantTimeEquals(cookie, state), let signIn = signIns.finish(state: state)
        else {
            logger.warning("ui sso refused: unknown, replayed or foreign state")
            return refuse("The sign-in expired or did not start in this browser. Please try again.", .forbidden)
        }
        if let error = query["error"] {
            logger.warning("ui sso refused by the provider", metadata: ["error": "\(error.prefix(64))"])
            return refuse("The identity provider refused the sign-in (\(error.prefix(64))).", .unauthorized)
        }
        guard let code = query["code"] else { return refuse("The identity provider sent no code.", .badRequest) }
        let identity: SSOIdentity
        do {
            identity = try await sso.identity(code: code, signIn: signIn)
        } catch {
            logger.warning("ui sso failed", metadata: ["reason": "\(error.message)"])
            return refuse(error.message, .unauthorized)
        }
        if let problem = identity.groupsProblem {
            logger.warning("ui sso: groups unread, teams not synced", metadata: ["reason": "\(problem)"])
        }
        let role = await ssoRole(of: identity)
        let (id, _) = sessions.create(username: identity.email ?? identity.userID, role: role, userID: identity.userID)
        logger.info("ui sso login", metadata: ["user_id": "\(identity.userID)", "role": "\(role.rawValue)"])
        // A 200 page that moves on by itself: the session cookie is SameSite=Strict, so the next page must be
        // reached by a navigation this site starts, not by a redirect that the provider's navigation started.
        let link = "<a href=\"\(HTMLText.escape(signIn.next))\">Continue</a>"
        var response = AdminUI.html(
            .ok,
            "<!doctype html><title>Signed in</title><p>Signed in. \(link)</p>",
            cookies: [AdminUI.cookie(AdminUI.sessionCookie, id, maxAge: Int(sessions.ttl), request: request)]
        )
        response.headers[HTTPField.Name("refresh")!] = "0; url=\(signIn.next)"
        response.setCookie(clearState)
        return response
    }

    /// The role of the session, as LiteLLM decides it: the provider's role, else the stored one, else
    /// `internal_user_viewer`. The user row is created or updated to match, and joins the teams its Entra groups
    /// name (LiteLLM's team sync); without a database the session alone carries the role.
    func ssoRole(of identity: SSOIdentity) async -> UserRole {
        guard let accounts = services.keys?.accounts else { return identity.role ?? .internalUserViewer }
        return await AuditActor.$current.withValue(AuditActor(changedBy: identity.userID, apiKeyHash: "")) {
            let stored: JSONObject?
            do {
                stored = try await accounts.user(identity.userID)
            } catch let error as ProxyError where error.status == 404 {
                stored = nil
            } catch {
                // Not "no such user": creating one now would fail or duplicate it; the provider's role still holds.
                logger.error("ui sso: the user row could not be read", metadata: ["user_id": "\(identity.userID)"])
                return identity.role ?? .internalUserViewer
            }
            let storedRole = stored?["user_role"]?.stringValue.flatMap(UserRole.init(rawValue:))
            let role = identity.role ?? storedRole ?? .internalUserViewer
            var fields: JSONObject = ["user_id": .string(identity.userID), "user_role": .string(role.rawValue)]
            if let email = identity.email { fields["user_email"] = .string(email) }
            do {
                if stored == nil {
                    fields["metadata"] = ["auth_provider": .string(sso?.settings.provider.rawValue ?? "")]
                    if let name = identity.displayName { fields["user_alias"] = .string(name) }
                    // As LiteLLM's SSO sign-up writes it, so a LiteLLM rolled back onto the table finds the user.
                    fields["sso_user_id"] = .string(identity.userID)
                    _ = try await accounts.newUser(fields)
                } else if storedRole != role || (identity.email != nil && stored?["user_email"] != fields["user_email"])
                {
                    _ = try await accounts.updateUser(fields)
                }
                for group in identity.groups {
                    guard let team = try? await accounts.team(group),
                        !AccountService.memberIDs(team).contains(identity.userID)
                    else { continue }
                    let member: JSONObject = [
                        "role": "user", "user_id": .string(identity.userID),
                        "user_email": fields["user_email"] ?? .null,
                    ]
                    _ = try await accounts.addMembers([member], to: team)
                }
            } catch {
                logger.error("ui sso: the user row could not be saved", metadata: ["user_id": "\(identity.userID)"])
            }
            return role
        }
    }

    /// `scheme://host` of the request (for the redirect URI when `PROXY_BASE_URL` is not set).
    static func origin(_ request: Request) -> String {
        let host = request.head.authority ?? "localhost"
        return (overTLS(request) ? "https://" : "http://") + host
    }
}
