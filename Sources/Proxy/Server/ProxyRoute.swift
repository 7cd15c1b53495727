import HTTPTypes

/// The proxied routes, matched on a path without the framework's router: `/chat/completions`, `/completions`,
/// `/embeddings` (each also under `/v1`) and Azure's `/openai/deployments/{model}/…`; `/responses` also under `/v1`
/// and `/openai/v1` (LiteLLM has no deployment form for it).
public struct ProxyRoute: Sendable, Equatable {
    public var operation: ProxyOperation
    /// The model named by an Azure-style path.
    public var pathModel: String?

    /// nil for any other path, and for paths the HTTP router should see (percent-encoded, trailing slash).
    public init?(path rawPath: Substring) {
        let path = rawPath.prefix { $0 != "?" && $0 != "#" }
        guard !path.utf8.contains(UInt8(ascii: "%")) else { return nil }
        var rest = path
        if rest.hasPrefix("/v1/") { rest = rest.dropFirst(3) }
        if let operation = ProxyRoute.operations[String(rest)] {
            self.init(operation: operation, pathModel: nil)
            return
        }
        if path == "/openai/v1/responses" {
            self.init(operation: .responses, pathModel: nil)
            return
        }
        guard path.hasPrefix(ProxyRoute.azurePrefix) else { return nil }
        let tail = path.dropFirst(ProxyRoute.azurePrefix.count)
        guard let slash = tail.firstIndex(of: "/"), slash != tail.startIndex,
            let operation = ProxyRoute.operations[String(tail[slash...])], operation != .responses
        else { return nil }
        self.init(operation: operation, pathModel: String(tail[..<slash]))
    }

    init(operation: ProxyOperation, pathModel: String?) {
        self.operation = operation
        self.pathModel = pathModel
    }

    /// The proxied paths as the HTTP router registers them: each operation with and without `/v1`, and under
    /// Azure's `/openai/deployments/{model}` (`azure`: the path names the model).
    static let routerPaths: [(path: String, operation: ProxyOperation, azure: Bool)] =
        operations.sorted { $0.key < $1.key }.flatMap { path, operation in
            [
                (path, operation, false), ("/v1" + path, operation, false),
                operation == .responses
                    ? ("/openai/v1" + path, operation, false) : (azurePrefix + ":model" + path, operation, true),
            ]
        }

    static let azurePrefix = "/openai/deployments/"

    static let operations: [String: ProxyOperation] = [
        "/chat/completions": .chatCompletions, "/completions": .completions, "/embeddings": .embeddings,
        "/responses": .responses,
    ]

    /// The calls on a stored response, after `…/responses/{response_id}`.
    static let storedResponseCalls: [(suffix: String, method: HTTPRequest.Method, operation: ProxyOperation)] = [
        ("", .get, .retrieveResponse), ("", .delete, .deleteResponse), ("/input_items", .get, .listInputItems),
        ("/cancel", .post, .cancelResponse),
    ]
}
