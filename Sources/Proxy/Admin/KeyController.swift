import Hummingbird
import Wire

/// `/key/*` in LiteLLM's shapes. Admins manage every key; any other key may read itself, and a user's keys are
/// theirs to read, update and delete (LiteLLM's internal users).
struct KeyController {
    /// nil without a database: every key route answers LiteLLM's `no_db_connection`.
    let keys: KeyService?

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.post("/key/generate") { request, context in
            await run(request, context) { keys, caller, body throws(ProxyError) in
                try await keys.generate(body, by: caller)
            }
        }
        group.get("/key/info") { request, context in
            let key = HTTPAnswer.query(request)["key"]
            return await run(request, context) { keys, caller, _ throws(ProxyError) in
                try await keys.info(key, by: caller)
            }
        }
        group.post("/key/update") { request, context in
            await run(request, context) { keys, caller, body throws(ProxyError) in
                try await keys.update(body, by: caller)
            }
        }
        group.post("/key/delete") { request, context in
            await run(request, context) { keys, caller, body throws(ProxyError) in
                try await keys.delete(body, by: caller)
            }
        }
        group.get("/key/list") { request, context in
            let query = HTTPAnswer.query(request)
            return await run(request, context) { keys, caller, _ throws(ProxyError) in
                try await keys.list(
                    page: Paging.page(query["page"]),
                    size: Int(query["size"] ?? "") ?? 10,
                    by: caller
                )
            }
        }
        group.post("/key/regenerate") { request, context in
            await run(request, context, adminOnly: true) { keys, _, body throws(ProxyError) in
                guard let key = body["key"]?.stringValue else {
                    throw KeyService.badRequest("key is required", param: "key")
                }
                return try await keys.regenerate(key, body: body)
            }
        }
        group.post("/key/:key/regenerate") { request, context in
            let key = context.parameters.get("key") ?? ""
            return await run(request, context, adminOnly: true) { keys, _, body throws(ProxyError) in
                try await keys.regenerate(key, body: body)
            }
        }
        group.post("/key/block") { request, context in
            await run(request, context, adminOnly: true) { keys, _, body throws(ProxyError) in
                try await keys.setBlocked(body, blocked: true)
            }
        }
        group.post("/key/unblock") { request, context in
            await run(request, context, adminOnly: true) { keys, _, body throws(ProxyError) in
                try await keys.setBlocked(body, blocked: false)
            }
        }
    }

    /// Runs a key operation (`no_db_connection` without a database).
    func run(
        _ request: Request,
        _ context: ProxyRequestContext,
        adminOnly: Bool = false,
        _ operation: (KeyService, Caller, JSONObject) async throws(ProxyError) -> JSON
    ) async -> Response {
        await ManagementCall.run(request, context, adminOnly: adminOnly) { caller, body throws(ProxyError) in
            guard let keys else { throw ManagementCall.noDatabase }
            return try await operation(keys, caller, body)
        }
    }
}
