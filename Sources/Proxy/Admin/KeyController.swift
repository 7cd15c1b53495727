import Hummingbird
import NIOCore
import Wire

/// `/key/*` in LiteLLM's shapes, behind the master key.
struct KeyController {
    /// nil without a database: every key route answers LiteLLM's `no_db_connection`.
    let keys: KeyService?

    /// The largest management body read (a key's `metadata` included).
    static let maximumBody = 1024 * 1024

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.post("/key/generate") { request, _ in
            await run(request) { keys, body throws(ProxyError) in try await keys.generate(body) }
        }
        group.get("/key/info") { request, _ in
            let key = HTTPAnswer.query(request)["key"] ?? ""
            return await run(request) { keys, _ throws(ProxyError) in try await keys.info(key) }
        }
        group.post("/key/update") { request, _ in
            await run(request) { keys, body throws(ProxyError) in try await keys.update(body) }
        }
        group.post("/key/delete") { request, _ in
            await run(request) { keys, body throws(ProxyError) in try await keys.delete(body) }
        }
        group.get("/key/list") { request, _ in
            let query = HTTPAnswer.query(request)
            return await run(request) { keys, _ throws(ProxyError) in
                try await keys.list(page: Paging.page(query["page"]), size: Int(query["size"] ?? "") ?? 10)
            }
        }
        group.post("/key/regenerate") { request, _ in
            await run(request) { keys, body throws(ProxyError) in
                guard let key = body["key"]?.stringValue else {
                    throw KeyService.badRequest("key is required", param: "key")
                }
                return try await keys.regenerate(key, body: body)
            }
        }
        group.post("/key/:key/regenerate") { request, context in
            let key = context.parameters.get("key") ?? ""
            return await run(request) { keys, body throws(ProxyError) in try await keys.regenerate(key, body: body) }
        }
        group.post("/key/block") { request, _ in
            await run(request) { keys, body throws(ProxyError) in try await keys.setBlocked(body, blocked: true) }
        }
        group.post("/key/unblock") { request, _ in
            await run(request) { keys, body throws(ProxyError) in try await keys.setBlocked(body, blocked: false) }
        }
    }

    /// Runs a key operation on a JSON body (empty for GETs), read whole and bounded.
    func run(_ request: Request, _ operation: (KeyService, JSONObject) async throws(ProxyError) -> JSON) async
        -> Response
    {
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: Self.maximumBody)
        } catch is NIOTooManyBytesError {
            // Never ignored: a key made from half a body would have no models, budget, limits or expiry.
            return HTTPAnswer.error(.bodyTooLarge(limit: Self.maximumBody))
        } catch {
            return HTTPAnswer.error(.unreadableBody)
        }
        return await HTTPAnswer.answer { () async throws(ProxyError) in
            guard let keys else {
                throw ProxyError(OpenAIError(status: 400, message: "No connected db.", type: "no_db_connection"))
            }
            var body = JSONObject()
            if bytes.readableBytes > 0 {
                guard case .object(let object)? = try? JSON.parse(bytes.readableBytesView) else {
                    throw ProxyError.invalidJSON("expected a JSON object")
                }
                body = object
            }
            return try await operation(keys, body)
        }
    }
}
