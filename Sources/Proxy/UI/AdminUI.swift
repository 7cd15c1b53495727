import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Wire

/// The admin UI at `/ui`: server-rendered pages over the spend logs, keys and models. Every page needs a
/// session (else a redirect to the login page); every POST needs the session's CSRF token. Its log lines name the
/// user and the action, never a key or a session id.
struct AdminUI: Sendable {
    let services: ManagementServices
    let settings: ProxySettings
    let sessions: UISessionStore
    let credentials: UICredentials
    let templates: UITemplates
    let logger: Logger
    /// Failed logins per client address.
    let loginThrottle: FailureThrottle
    /// Single sign-on, when `MICROSOFT_CLIENT_ID` or `GENERIC_CLIENT_ID` configures it, and its sign-ins in flight.
    let sso: SSOClient?
    let signIns: SSOSignIns

    static let sessionCookie = "ui_session"
    static let loginCookie = "ui_login_csrf"

    init(
        services: ManagementServices,
        settings: ProxySettings,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        sessions: UISessionStore = UISessionStore(),
        templates: UITemplates = .shipped
    ) {
        self.services = services
        self.settings = settings
        self.sessions = sessions
        self.credentials = UICredentials(masterKey: settings.masterKey, environment: environment)
        self.templates = templates
        self.loginThrottle = FailureThrottle(settings.auth.uiLoginThrottle)
        let sso = SSOSettings(environment: environment)
        self.sso = sso.map { SSOClient(settings: $0) }
        self.signIns = SSOSignIns(
            capacity: sso?.pendingCapacity ?? 1,
            lifetime: sso?.pendingLifetime ?? .seconds(600)
        )
        var logger = logger
        logger[metadataKey: "component"] = "ui"
        self.logger = logger
    }

    // MARK: the session gate

    /// The session id and session of a request, when its cookie names a live session.
    func session(of request: Request) -> (id: String, session: UISession)? {
        guard let id = request.cookies[AdminUI.sessionCookie]?.value, !id.isEmpty,
            let session = sessions.session(id: id)
        else { return nil }
        return (id, session)
    }

    /// A page: without a session, a redirect to the login page (which comes back here); a role not in `roles` gets
    /// a 403 page; failures render their page.
    func page(
        _ request: Request,
        roles: Set<UserRole>? = nil,
        _ body: (String, UISession) async throws -> Response
    ) async -> Response {
        guard let (id, session) = session(of: request) else {
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return AdminUI.redirect("/ui/login?" + UIForm.encode([("next", next)]))
        }
        do {
            if let roles, !roles.contains(session.role) {
                throw UIFailure(status: 403, message: "Your role (\(session.role.rawValue)) may not see this page.")
            }
            return try await body(id, session)
        } catch {
            return failure(UIFailure(error), session: session, id: id)
        }
    }

    /// Who may change things from the UI; the other roles only look (LiteLLM's viewer roles, and internal users,
    /// whose own keys are made through the API).
    static let changingRoles: Set<UserRole> = [.proxyAdmin]
    /// Who sees every team, user, key and log; the others see their own.
    static let seeingRoles: Set<UserRole> = [.proxyAdmin, .proxyAdminViewer]

    /// A form post: refused without a session (a redirect to log in), without the session's CSRF token (403), or
    /// from a role that may not change things (403) unless `anyRole` (logging out).
    func action(
        _ request: Request,
        anyRole: Bool = false,
        _ body: (String, UISession, UIForm) async throws -> Response
    ) async -> Response {
        guard let (id, session) = session(of: request) else { return AdminUI.redirect("/ui/login") }
        do {
            let form = try await UIForm.body(request)
            guard let token = form["csrf_token"], SecretHash.constantTimeEquals(token, session.csrfToken) else {
                logger.warning(
                    "ui form refused: missing or wrong CSRF token",
                    metadata: ["user": "\(session.username)", "path": "\(request.uri.path)"]
                )
                throw UIFailure(
                    status: 403,
                    message: "This form has expired or did not come from this site (CSRF token missing or wrong). "
                        + "Reload the page and try again."
                )
            }
            guard anyRole || AdminUI.changingRoles.contains(session.role) else {
                throw UIFailure(
                    status: 403,
                    message: "Your role (\(session.role.rawValue)) may look but not change anything here."
                )
            }
            // The audit log names the signed-in user as who made the change (there is no key behind a UI session):
            // an SSO user by id, as LiteLLM does (the email is the user's to edit in Entra).
            let actor = AuditActor(changedBy: session.userID ?? session.username, apiKeyHash: "")
            return try await AuditActor.$current.withValue(actor) {
                try await body(id, session, form)
            }
        } catch {
            return failure(UIFailure(error), session: session, id: id)
        }
    }

    // MARK: responses

    /// Renders a page inside the layout; a logged-in page gets the chrome and takes the session's flash messages.
    func render(
        _ template: String,
        title: String,
        page: Any,
        status: HTTPResponse.Status = .ok,
        session: (id: String, session: UISession, path: String)?,
        cookies: [Cookie] = []
    ) -> Response {
        var chrome: UIChrome?
        if let session {
            chrome = UIChrome(
                current: session.path,
                session: session.session,
                flash: sessions.takeFlash(id: session.id)
            )
        }
        guard let html = templates.render(template, UIView(title: title, chrome: chrome, page: page)) else {
            return AdminUI.plain(
                .internalServerError,
                "UI template \(template) unavailable: \(templates.problem ?? "not found")"
            )
        }
        return AdminUI.html(status, html, cookies: cookies)
    }

    func failure(_ failure: UIFailure, session: UISession, id: String) -> Response {
        render("error", title: "Error", page: failure, status: .init(code: failure.status), session: (id, session, ""))
    }

    /// Headers on every UI response: no caching, no framing, no sniffing, and scripts/styles only from /ui/static.
    static func securityHeaders() -> HTTPFields {
        [
            .contentSecurityPolicy: """
            default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; \
            frame-ancestors 'none'; base-uri 'none'
            """,
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("referrer-policy")!: "no-referrer",
            HTTPField.Name("x-frame-options")!: "DENY",
            .cacheControl: "no-store",
        ]
    }

    static func html(_ status: HTTPResponse.Status, _ html: String, cookies: [Cookie] = []) -> Response {
        var headers = securityHeaders()
        headers[.contentType] = "text/html; charset=utf-8"
        var response = Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = securityHeaders()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other (a form post answers with the page to GET next).
    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var headers = securityHeaders()
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// A cookie scoped to /ui: HttpOnly, SameSite=Strict, Secure when the browser reached us over TLS.
    static func cookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> Cookie {
        Cookie(
            name: name,
            value: value,
            maxAge: maxAge,
            path: "/ui",
            secure: overTLS(request),
            httpOnly: true,
            sameSite: .strict
        )
    }

    /// The request came over TLS: directly, or through a proxy that says so (`x-forwarded-proto: https`).
    static func overTLS(_ request: Request) -> Bool {
        if request.head.scheme?.lowercased() == "https" { return true }
        let forwarded = request.headers[HTTPField.Name("x-forwarded-proto")!]?.split(separator: ",").first
        return forwarded?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }
}
