import Foundation
import NIOCore
import Wire

/// A request as it came off the wire, free of any HTTP framework.
public struct ProxyCall: Sendable {
    public var operation: ProxyOperation
    /// The route as LiteLLM names it in messages (`/chat/completions`).
    public var route: String
    /// The model named by an Azure-style path (`/openai/deployments/{model}/…`), which wins over the body's.
    public var pathModel: String?
    /// Header names in lower case.
    public var headers: [(String, String)]
    public var body: ByteBuffer
    public var bodyTooLarge: Bool
    public var started: ContinuousClock.Instant
    /// The client connection's event loop, when known: the upstream call is pinned to it.
    public var eventLoop: (any EventLoop)?
    /// Wall-clock start, for the spend row.
    public var startedAt = Date()
    /// The caller's address (`ForwardedFor`: the peer, or what a trusted proxy forwarded).
    public var clientIP: String?
    /// The response a call on a stored response names (`GET /v1/responses/{id}` …), and the client's query.
    public var responseID: String?
    public var query: [(String, String)] = []
    /// The method, the path after `/azure/` or `/openai/` (pass-through), and the file or batch a call names.
    public var method = "POST"
    public var endpoint: String?
    public var resourceID: String?

    public init(
        operation: ProxyOperation,
        route: String,
        pathModel: String? = nil,
        headers: [(String, String)],
        body: ByteBuffer,
        bodyTooLarge: Bool = false,
        started: ContinuousClock.Instant = .now
    ) {
        self.operation = operation
        self.route = route
        self.pathModel = pathModel
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.started = started
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }
}

/// What the proxy answers: a complete body, or a stream the HTTP layer drives event by event.
public enum ProxyOutcome: Sendable {
    case complete(status: Int, headers: [(String, String)], body: ByteBuffer)
    case stream(headers: [(String, String)], relay: StreamRelay)
    /// An upstream answer relayed as it is, with its status.
    case forward(status: Int, headers: [(String, String)], relay: ByteRelay)

    static func json(_ status: Int, _ body: JSON, headers: [(String, String)] = []) -> ProxyOutcome {
        .complete(status: status, headers: [("content-type", "application/json")] + headers, body: body.byteBuffer())
    }

    static func error(_ error: ProxyError, headers: [(String, String)] = []) -> ProxyOutcome {
        .json(error.status, error.error.json, headers: error.headers + headers)
    }
}
