import Hummingbird
import Wire

/// `/customer/*` and `/end_user/*` (end users, the body's `user`) and `/budget/*`, for admins.
struct CustomerController {
    let keys: KeyService?

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        for prefix in ["/customer", "/end_user"] {
            post("\(prefix)/new", group) { accounts, caller, body throws(ProxyError) in
                .object(try await accounts.newCustomer(body, by: caller.userID ?? Caller.adminUserID))
            }
            post("\(prefix)/update", group) { accounts, _, body throws(ProxyError) in
                .object(try await accounts.updateCustomer(body))
            }
            post("\(prefix)/delete", group) { accounts, _, body throws(ProxyError) in
                let ids = try ManagementCall.ids(body, "user_ids")
                return ["deleted_customers": .array(try await accounts.deleteCustomers(ids).map(JSON.string))]
            }
            for (path, blocked) in [("block", true), ("unblock", false)] {
                post("\(prefix)/\(path)", group) { accounts, _, body throws(ProxyError) in
                    let ids = try ManagementCall.ids(body, "user_ids")
                    return [
                        "blocked_users": .array(
                            try await accounts.setCustomersBlocked(ids, blocked: blocked).map(JSON.object)
                        )
                    ]
                }
            }
            group.get(RouterPath("\(prefix)/info")) { request, context in
                let id = HTTPAnswer.query(request)["end_user_id"] ?? ""
                return await run(request, context) { accounts, _, _ throws(ProxyError) in
                    .object(try await accounts.customer(id))
                }
            }
            group.get(RouterPath("\(prefix)/list")) { request, context in
                await run(request, context) { accounts, _, _ throws(ProxyError) in
                    .array(try await accounts.customers().map(JSON.object))
                }
            }
        }
        post("/budget/new", group) { accounts, caller, body throws(ProxyError) in
            .object(try await accounts.newBudget(body, by: caller.userID ?? Caller.adminUserID))
        }
        post("/budget/update", group) { accounts, caller, body throws(ProxyError) in
            .object(try await accounts.updateBudget(body, by: caller.userID ?? Caller.adminUserID))
        }
        post("/budget/delete", group) { accounts, _, body throws(ProxyError) in
            guard let id = body["id"]?.stringValue ?? body["budget_id"]?.stringValue else {
                throw AccountService.badRequest("id is required", param: "id")
            }
            return .object(try await accounts.deleteBudget(id))
        }
        post("/budget/info", group) { accounts, _, body throws(ProxyError) in
            let ids = try ManagementCall.ids(body, "budgets")
            var found: [JSON] = []
            for id in ids { found.append(.object(try await accounts.budget(id))) }
            return .array(found)
        }
        group.get("/budget/list") { request, context in
            await run(request, context) { accounts, _, _ throws(ProxyError) in
                .array(try await accounts.budgets().map(JSON.object))
            }
        }
    }

    func post(
        _ path: String,
        _ group: RouterGroup<ProxyRequestContext>,
        _ operation: @escaping @Sendable (AccountService, Caller, JSONObject) async throws(ProxyError) -> JSON
    ) {
        group.post(RouterPath(path)) { request, context in await run(request, context, operation) }
    }

    func run(
        _ request: Request,
        _ context: ProxyRequestContext,
        _ operation: (AccountService, Caller, JSONObject) async throws(ProxyError) -> JSON
    ) async -> Response {
        await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: true) {
            accounts,
            _,
            caller,
            body throws(ProxyError) in
            try await operation(accounts, caller, body)
        }
    }
}
