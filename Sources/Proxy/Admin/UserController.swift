import Hummingbird
import Wire

/// `/user/*` in LiteLLM's shapes. Admins manage users; a user's keys read that user's info.
struct UserController {
    let keys: KeyService?

    /// Body fields of `/user/new` that go to the user's first key.
    static let keyFields = [
        "user_id", "team_id", "models", "key_alias", "duration", "metadata", "key", "max_budget", "budget_duration",
    ]

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.post("/user/new") { request, context in
            await run(request, context, adminOnly: true) { accounts, keys, caller, body throws(ProxyError) in
                var user = try await accounts.newUser(body)
                guard body["auto_create_key"]?.boolValue ?? true else { return .object(user) }
                var fields = JSONObject()
                for name in Self.keyFields { if let value = body[name] { fields[name] = value } }
                fields["user_id"] = user["user_id"]
                fields["models"] = user["models"]
                let key = try await keys.generate(fields, by: caller).objectValue ?? [:]
                for member in key where user[member.key] == nil || ["key", "token", "expires"].contains(member.key) {
                    user[member.key] = member.value
                }
                return .object(user)
            }
        }
        group.post("/user/update") { request, context in
            await run(request, context, adminOnly: true) { accounts, _, _, body throws(ProxyError) in
                try await accounts.updateUser(body)
            }
        }
        group.post("/user/delete") { request, context in
            await run(request, context, adminOnly: true) { accounts, keys, _, body throws(ProxyError) in
                let ids = try ManagementCall.ids(body, "user_ids")
                for id in ids { try await keys.deleteKeys(of: .user(id)) }
                return ["deleted_users": .array(try await accounts.deleteUsers(ids).map(JSON.string))]
            }
        }
        group.get("/user/info") { request, context in
            let id = HTTPAnswer.query(request)["user_id"]
            return await run(request, context) { accounts, keys, caller, _ throws(ProxyError) in
                guard let id = id ?? caller.userID else {
                    throw AccountService.badRequest("user_id is required", param: "user_id")
                }
                guard caller.isAdminViewer || caller.userID == id else {
                    throw .forbidden(
                        "key not allowed to access this user's info. user_id=\(id), "
                            + "key's user_id=\(caller.userID ?? "None")",
                        param: "user_id"
                    )
                }
                return [
                    "user_id": .string(id), "user_info": .object(try await accounts.user(id)),
                    "keys": .array(try await keys.keys(of: .user(id)).map(\.json)),
                    "teams": .array(try await accounts.teams(member: id).map(JSON.object)),
                ]
            }
        }
        for path in ["/user/list", "/user/get_users"] {
            group.get(RouterPath(path)) { request, context in
                let query = HTTPAnswer.query(request)
                return await run(request, context) { accounts, _, caller, _ throws(ProxyError) in
                    guard caller.isAdminViewer else { throw caller.adminOnly("/user/list") }
                    let page = Paging.page(query["page"]), size = min(100, max(1, Int(query["page_size"] ?? "") ?? 25))
                    let all = try await accounts.users(limit: 10_000)
                    let shown = all.dropFirst((page - 1) * size).prefix(size)
                    return [
                        "users": .array(shown.map(JSON.object)), "total": .int(all.count), "page": .int(page),
                        "page_size": .int(size), "total_pages": .int((all.count + size - 1) / size),
                    ]
                }
            }
        }
    }

    func run(
        _ request: Request,
        _ context: ProxyRequestContext,
        adminOnly: Bool = false,
        _ operation: (AccountService, KeyService, Caller, JSONObject) async throws(ProxyError) -> JSON
    ) async -> Response {
        await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: adminOnly, operation)
    }
}
