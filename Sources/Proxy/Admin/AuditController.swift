import Hummingbird
import Wire

/// `GET /audit` and `GET /audit/{id}`: the audit log of management changes, for admins and admin viewers.
struct AuditController {
    let keys: KeyService?

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.get("/audit") { request, context in
            let query = HTTPAnswer.query(request)
            return await run(request, context) { accounts throws(ProxyError) in
                .object(try await accounts.auditLogs(query))
            }
        }
        group.get("/audit/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await run(request, context) { accounts throws(ProxyError) in
                .object(try await accounts.auditLog(id))
            }
        }
    }

    func run(
        _ request: Request,
        _ context: ProxyRequestContext,
        _ operation: (AccountService) async throws(ProxyError) -> JSON
    ) async -> Response {
        await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: false) {
            accounts,
            _,
            caller,
            _ throws(ProxyError) in
            guard caller.isAdminViewer else { throw caller.adminOnly(request.uri.path) }
            return try await operation(accounts)
        }
    }
}
