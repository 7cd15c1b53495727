import Foundation
import Hummingbird
import Wire

/// LiteLLM's `/cache/ping`, `/cache/delete` and `/cache/flushall`, for admins. Without a cache each answers LiteLLM's
/// 503. Deleting and flushing work for every store here (LiteLLM does them for Redis only).
struct CacheController {
    let cache: ResponseCache?

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.get("/cache/ping") { request, context in
            await ManagementCall.run(request, context, adminOnly: true) { _, _ throws(ProxyError) in
                try await ping(try enabled())
            }
        }
        group.post("/cache/delete") { request, context in
            await ManagementCall.run(request, context, adminOnly: true) { _, body throws(ProxyError) in
                let cache = try enabled()
                let keys = try ManagementCall.ids(body, "keys")
                do {
                    _ = try await cache.store.delete(keys: keys)
                } catch {
                    throw Self.failed("Cache Delete Failed", error)
                }
                return ["status": "success"]
            }
        }
        group.post("/cache/flushall") { request, context in
            await ManagementCall.run(request, context, adminOnly: true) { _, _ throws(ProxyError) in
                do {
                    try await enabled().store.flush()
                } catch let error as ProxyError {
                    throw error
                } catch {
                    throw Self.failed("Service Unhealthy", error, status: 503)
                }
                return ["status": "success"]
            }
        }
    }

    func enabled() throws(ProxyError) -> ResponseCache {
        guard let cache else {
            throw ProxyError(
                OpenAIError(
                    status: 503,
                    message: "Service Unhealthy ({'message': 'Cache not initialized. litellm.cache is None'})",
                    type: "internal_server_error"
                )
            )
        }
        return cache
    }

    /// The store answers a write and a read of a test entry; the settings as LiteLLM shows its `cache_params`.
    func ping(_ cache: ResponseCache) async throws(ProxyError) -> JSON {
        let scope = "ping"
        let key = "litellm-cache-ping-" + UUID().uuidString
        do {
            try await cache.store.store(
                scope: scope,
                key: key,
                CachedAnswer(body: Array("{}".utf8), storedAt: Date(), modelID: ""),
                expires: Date().addingTimeInterval(60)
            )
            let found = try await cache.store.entry(scope: scope, key: key, now: Date())
            _ = try await cache.store.delete(keys: [key])
            guard found != nil else { throw Deadline.Expired() }
        } catch {
            throw Self.failed("Service Unhealthy", error, status: 503)
        }
        let settings = cache.settings
        let params: JSON = [
            "type": .string(settings.requestedType), "backend": .string(settings.backend.rawValue),
            "ttl": settings.ttl.map(JSON.double) ?? .null, "namespace": settings.namespace.map(JSON.string) ?? .null,
            "mode": settings.defaultOn ? "default_on" : "default_off", "scope": .string(settings.scope.rawValue),
            "supported_call_types": .array(settings.callTypes.sorted().map(JSON.string)),
        ]
        return [
            "status": "healthy", "cache_type": .string(settings.backend.rawValue), "ping_response": true,
            "set_cache_response": "success", "litellm_cache_params": .string(params.serialized()),
        ]
    }

    /// A store failure as LiteLLM words it, naming the error's type only (a driver's message may hold a host).
    static func failed(_ what: String, _ error: any Error, status: Int = 500) -> ProxyError {
        ProxyError(
            OpenAIError(status: status, message: "\(what)(\(type(of: error)))", type: "internal_server_error")
        )
    }
}
