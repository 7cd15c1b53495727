import Foundation
import Hummingbird
import NIOCore

extension AdminUI {
    /// The admin UI under `/ui`. Login with `admin` + the master key, or `UI_USERNAME`/`UI_PASSWORD`.
    func addRoutes(to router: Router<ProxyRequestContext>) {
        let ui = self
        // Also answers `/ui/`: the router ignores a trailing slash.
        router.get("/ui") { request, _ in
            ui.session(of: request) == nil ? AdminUI.redirect("/ui/login") : AdminUI.redirect("/ui/logs")
        }
        router.get("/ui/login") { request, _ in ui.loginPage(request) }
        router.post("/ui/login") { request, context in await ui.login(request, remoteIP: context.remoteIP) }
        router.get("/sso/key/generate") { request, _ in ui.ssoStart(request) }
        router.get("/sso/callback") { request, _ in await ui.ssoCallback(request) }
        router.post("/ui/logout") { request, _ in
            await ui.action(request, anyRole: true) { id, _, _ in ui.logout(request, id: id) }
        }
        router.get("/ui/logs") { request, _ in
            await ui.page(request) { id, session in try await ui.logsPage(request, id: id, session: session) }
        }
        router.get("/ui/logs/:request_id") { request, context in
            let requestID = context.parameters.get("request_id").map { $0.removingPercentEncoding ?? $0 } ?? ""
            return await ui.page(request) { id, session in
                try await ui.logDetailPage(requestID, id: id, session: session)
            }
        }
        router.get("/ui/keys") { request, _ in
            await ui.page(request) { id, session in try await ui.keysPage(request, id: id, session: session) }
        }
        router.post("/ui/keys") { request, _ in
            await ui.action(request) { id, session, form in try await ui.createKey(form, id: id, session: session) }
        }
        for operation in ["block", "unblock", "delete"] {
            router.post(RouterPath("/ui/keys/\(operation)")) { request, _ in
                await ui.action(request) { id, session, form in
                    try await ui.changeKey(operation, form: form, id: id, session: session)
                }
            }
        }
        router.get("/ui/models") { request, _ in
            await ui.page(request) { id, session in await ui.modelsPage(request, id: id, session: session) }
        }
        router.get("/ui/usage") { request, _ in
            await ui.page(request) { id, session in try await ui.usagePage(request, id: id, session: session) }
        }
        // Teams, users and tags: every role may open them; each page shows what the session's `UIScope` sees.
        router.get("/ui/teams") { request, _ in
            await ui.page(request) { id, session in try await ui.teamsPage(request, id: id, session: session) }
        }
        router.get("/ui/teams/:team_id") { request, context in
            let teamID = context.parameters.get("team_id").map { $0.removingPercentEncoding ?? $0 } ?? ""
            return await ui.page(request) { id, session in try await ui.teamPage(teamID, id: id, session: session) }
        }
        router.get("/ui/users") { request, _ in
            await ui.page(request) { id, session in try await ui.usersPage(request, id: id, session: session) }
        }
        router.get("/ui/tags") { request, _ in
            await ui.page(request, roles: AdminUI.seeingRoles) { id, session in
                try await ui.tagsPage(request, id: id, session: session)
            }
        }
        router.get("/ui/audit") { request, _ in
            await ui.page(request, roles: AdminUI.seeingRoles) { id, session in
                try await ui.auditPage(request, id: id, session: session)
            }
        }
        router.get("/ui/static/:file") { _, context in
            let name = context.parameters.get("file") ?? ""
            guard let body = ui.templates.statics[name] else { return AdminUI.plain(.notFound, "Not found") }
            var headers = AdminUI.securityHeaders()
            headers[.contentType] =
                name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
    }
}
