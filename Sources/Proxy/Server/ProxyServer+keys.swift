import Hummingbird
import NIOCore
import Wire

extension ProxyServer {
    /// `/key/*`: master key only (a virtual key gets 403), LiteLLM's shapes.
    func addKeyRoutes(to router: Router<ProxyRequestContext>) {
        let engine = self.engine
        router.post("/key/generate") { request, context in
            try await self.master(request, context) { keys, body throws(ProxyError) in try await keys.generate(body) }
        }
        router.get("/key/info") { request, context in
            let key = ProxyServer.query(request)["key"] ?? ""
            return try await self.master(request, context) { keys, _ throws(ProxyError) in try await keys.info(key) }
        }
        router.post("/key/update") { request, context in
            try await self.master(request, context) { keys, body throws(ProxyError) in try await keys.update(body) }
        }
        router.post("/key/delete") { request, context in
            try await self.master(request, context) { keys, body throws(ProxyError) in try await keys.delete(body) }
        }
        router.get("/key/list") { request, context in
            let query = ProxyServer.query(request)
            return try await self.master(request, context) { keys, _ throws(ProxyError) in
                try await keys.list(page: ProxyEngine.page(query["page"]), size: Int(query["size"] ?? "") ?? 10)
            }
        }
        router.post("/key/regenerate") { request, context in
            try await self.master(request, context) { keys, body throws(ProxyError) in
                guard let key = body["key"]?.stringValue else {
                    throw KeyService.badRequest("key is required", param: "key")
                }
                return try await keys.regenerate(key, body: body)
            }
        }
        router.post("/key/:key/regenerate") { request, context in
            let key = context.parameters.get("key") ?? ""
            return try await self.master(request, context) { keys, body throws(ProxyError) in
                try await keys.regenerate(key, body: body)
            }
        }
        router.post("/key/block") { request, context in
            try await self.master(request, context) { keys, body throws(ProxyError) in
                try await keys.setBlocked(body, blocked: true)
            }
        }
        router.post("/key/unblock") { request, context in
            try await self.master(request, context) { keys, body throws(ProxyError) in
                try await keys.setBlocked(body, blocked: false)
            }
        }
        _ = engine
    }

    /// The largest management body read (a key's `metadata` included).
    static let maximumManagementBody = 1024 * 1024

    /// Runs a master-key operation on a JSON body (empty for GETs).
    func master(
        _ request: Request,
        _ context: ProxyRequestContext,
        _ operation: (KeyService, JSONObject) async throws(ProxyError) -> JSON
    ) async throws -> Response {
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: ProxyServer.maximumManagementBody)
        } catch is NIOTooManyBytesError {
            // Never ignored: a key made from half a body would have no models, budget, limits or expiry.
            return ProxyServer.error(.bodyTooLarge(limit: ProxyServer.maximumManagementBody))
        } catch {
            return ProxyServer.error(.unreadableBody)
        }
        return await ProxyServer.answer { () async throws(ProxyError) in
            _ = try await engine.authenticateMaster(ProxyServer.headers(request), clientIP: clientIP(request, context))
            guard let keys = engine.keys else {
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
