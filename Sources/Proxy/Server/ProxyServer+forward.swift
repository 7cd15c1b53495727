import HTTPTypes
import Hummingbird

/// The routes whose bodies and answers go through as they are: images and audio (by model, also under Azure's
/// `/openai/deployments/{model}/…`), files and batches (also under `/azure/v1` and `/openai/v1`, which name the
/// provider), and pass-through (`/azure/{endpoint}`, `/openai/{endpoint}`: any method, registered after the
/// specific routes, which win).
extension ProxyServer {
    static let mediaOperations: [ProxyOperation] = [.imageGeneration, .transcription, .speech]

    static let fileCalls: [(path: String, method: HTTPRequest.Method, operation: ProxyOperation)] = [
        ("/files", .post, .createFile), ("/files", .get, .listFiles), ("/files/:id", .get, .retrieveFile),
        ("/files/:id", .delete, .deleteFile), ("/files/:id/content", .get, .fileContent),
        ("/batches", .post, .createBatch), ("/batches", .get, .listBatches), ("/batches/:id", .get, .retrieveBatch),
        ("/batches/:id/cancel", .post, .cancelBatch),
    ]

    func addForwardedRoutes(to router: Router<ProxyRequestContext>) {
        for operation in ProxyServer.mediaOperations {
            let path = "/" + operation.rawValue
            for prefix in ["", "/v1"] {
                router.post(RouterPath(prefix + path)) { request, context in
                    try await self.proxy(request, context: context, operation: operation, pathModel: nil)
                }
            }
            router.post(RouterPath(ProxyRoute.azurePrefix + ":model" + path)) { request, context in
                try await self.proxy(
                    request,
                    context: context,
                    operation: operation,
                    pathModel: context.parameters.get("model")
                )
            }
        }
        for (prefix, provider) in [("", nil), ("/v1", nil), ("/azure/v1", "azure"), ("/openai/v1", "openai")] {
            for (path, method, operation) in ProxyServer.fileCalls {
                router.on(RouterPath(prefix + path), method: method) { request, context in
                    try await self.proxy(request, context: context, operation: operation, pathModel: nil) { call in
                        call.resourceID = context.parameters.get("id").map { $0.removingPercentEncoding ?? $0 }
                        if let provider, call.header("custom-llm-provider") == nil {
                            call.headers.append(("custom-llm-provider", provider))
                        }
                    }
                }
            }
        }
        for (prefix, operation) in [("/azure", ProxyOperation.azurePassThrough), ("/openai", .openaiPassThrough)] {
            for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
                router.on(RouterPath(prefix + "/**"), method: method) { request, context in
                    try await self.proxy(request, context: context, operation: operation, pathModel: nil) { call in
                        call.endpoint = String(request.uri.path.dropFirst(prefix.count + 1))
                    }
                }
            }
        }
    }
}
