import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// Login and logout. The login form has its own CSRF token (a double-submit cookie), since there is no session yet.
extension AdminUI {
    struct LoginPage {
        var csrf: String
        var next: String
        var username: String
        var error: String?
        var disabled: Bool
        /// The username/password form is offered (no setting turns it off).
        var passwordLogin: Bool
        /// Why the form is not offered.
        var passwordOff: String?
        /// "Microsoft" or "SSO" when single sign-on is configured.
        var sso: String?
        var ssoQuery: String
    }

    func loginPage(_ request: Request) -> Response {
        let next = AdminUI.safeNext(UIForm.query(request)["next"])
        if session(of: request) != nil { return AdminUI.redirect(next) }
        if sso != nil, settings.auth.uiLogin.autoRedirectToSSO {
            return AdminUI.redirect("/sso/key/generate?" + UIForm.encode([("next", next)]))
        }
        return loginForm(request, next: next, username: "", error: nil, status: .ok)
    }

    func loginForm(_ request: Request, next: String, username: String, error: String?, status: HTTPResponse.Status)
        -> Response
    {
        let token = UISessionStore.randomToken()
        let page = LoginPage(
            csrf: token,
            next: next,
            username: username,
            error: error,
            disabled: !credentials.enabled && sso == nil,
            passwordLogin: passwordLoginRefusal == nil,
            passwordOff: passwordLoginRefusal,
            sso: ssoLabel,
            ssoQuery: UIForm.encode([("next", next)])
        )
        return render(
            "login",
            title: "Log in",
            page: page,
            status: status,
            session: nil,
            cookies: [AdminUI.cookie(AdminUI.loginCookie, token, maxAge: 3600, request: request)]
        )
    }

    func login(_ request: Request, remoteIP: String?) async -> Response {
        let form: UIForm
        do {
            form = try await UIForm.body(request)
        } catch {
            return AdminUI.plain(.contentTooLarge, "Form too large.")
        }
        let next = AdminUI.safeNext(form["next"])
        let address = clientIP(request, remoteIP: remoteIP)
        guard let cookie = request.cookies[AdminUI.loginCookie]?.value, let token = form["csrf_token"],
            SecretHash.constantTimeEquals(cookie, token)
        else {
            logger.warning("ui login refused: missing or wrong CSRF token", metadata: ["client_ip": "\(address)"])
            return loginForm(
                request,
                next: next,
                username: "",
                error: "The login form expired. Please try again.",
                status: .forbidden
            )
        }
        if let refusal = passwordLoginRefusal {
            logger.warning("ui login refused: password login is disabled", metadata: ["client_ip": "\(address)"])
            return loginForm(request, next: next, username: "", error: refusal, status: .forbidden)
        }
        if let wait = loginThrottle.retryAfter(address) {
            logger.warning("ui login throttled", metadata: ["client_ip": "\(address)"])
            var response = loginForm(
                request,
                next: next,
                username: "",
                error: "Too many failed logins. Try again in \(wait) seconds.",
                status: .tooManyRequests
            )
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let username = form["username"] ?? ""
        // The password field is used as typed (a key has no surrounding spaces, but a password might).
        let password = form.fields.first { $0.name == "password" }?.value ?? ""
        guard credentials.check(username: username, password: password) else {
            // Neither the username nor the password is logged: either may be a pasted key.
            logger.warning("ui login failed", metadata: ["client_ip": "\(address)"])
            loginThrottle.failed(address)
            try? await Task.sleep(for: .milliseconds(250))
            return loginForm(
                request,
                next: next,
                username: "",
                error: credentials.enabled
                    ? "Invalid username or password." : "Login is disabled: no master key and no UI_PASSWORD are set.",
                status: .unauthorized
            )
        }
        let (id, _) = sessions.create(username: username)
        logger.info("ui login", metadata: ["user": "\(username)", "client_ip": "\(address)"])
        return AdminUI.redirect(
            next,
            cookies: [
                AdminUI.cookie(AdminUI.sessionCookie, id, maxAge: Int(sessions.ttl), request: request),
                AdminUI.cookie(AdminUI.loginCookie, "", maxAge: 0, request: request),
            ]
        )
    }

    func logout(_ request: Request, id: String) -> Response {
        let user = sessions.session(id: id)?.username ?? ""
        sessions.end(id: id)
        logger.info("ui logout", metadata: ["user": "\(user)"])
        return AdminUI.redirect(
            "/ui/login",
            cookies: [AdminUI.cookie(AdminUI.sessionCookie, "", maxAge: 0, request: request)]
        )
    }

    /// Why username/password login is refused by LiteLLM's settings, or nil when they allow it.
    var passwordLoginRefusal: String? {
        let login = settings.auth.uiLogin
        if !login.envCredentialLogin {
            return "Username/password login is disabled because 'disable_env_credential_login' is set."
        }
        if sso != nil, !login.passwordLoginWhenSSO {
            return "Username/password login is disabled because SSO is configured and "
                + "'disable_password_login_when_sso_enabled' is set. Sign in via SSO."
        }
        return nil
    }

    /// Where to go after login: a UI path only (no open redirect to another site).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui/"), !next.hasPrefix("//"), !next.contains("\\"),
            !next.hasPrefix("/ui/login"),
            !next.contains(where: { $0.isNewline || $0 == "\0" })
        else { return "/ui/logs" }
        return next
    }

    func clientIP(_ request: Request, remoteIP: String?) -> String {
        settings.auth.forwardedFor.clientIP(forwardedFor: request.headers[.xForwardedFor], peer: remoteIP)
            ?? "-"
    }
}
