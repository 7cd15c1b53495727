import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Wire

/// The proxy's HTTP surface on Hummingbird: LiteLLM's paths (each with and without `/v1`), Azure-style paths,
/// the model listings and the health probes. Handlers only translate between HTTP and `ProxyEngine`.
public struct ProxyServer: Sendable {
    public let engine: ProxyEngine

    public init(engine: ProxyEngine) { self.engine = engine }

    public func buildRouter() -> Router<ProxyRequestContext> {
        let router = Router(context: ProxyRequestContext.self)
        router.add(middleware: ProxyErrorMiddleware())
        for prefix in ["", "/v1"] {
            for operation in [ProxyOperation.chatCompletions, .completions, .embeddings] {
                router.post("\(prefix)/\(operation.rawValue)") { request, context in
                    try await self.proxy(request, context: context, operation: operation, pathModel: nil)
                }
            }
            router.get("\(prefix)/models") { request, context in
                try await self.management(request, context) { ProxyServer.json(200, engine.modelList()) }
            }
            router.get("\(prefix)/models/:id") { request, context in
                let id = context.parameters.get("id") ?? ""
                return try await self.management(request, context) {
                    guard let model = engine.model(named: id) else {
                        return ProxyServer.error(
                            ProxyError(
                                OpenAIError(
                                    status: 404,
                                    message: "The model `\(id)` does not exist",
                                    type: "invalid_request_error",
                                    param: "model"
                                )
                            )
                        )
                    }
                    return ProxyServer.json(200, model)
                }
            }
            router.get("\(prefix)/model/info") { request, context in
                try await self.management(request, context) { ProxyServer.json(200, engine.modelInfo()) }
            }
        }
        for operation in [ProxyOperation.chatCompletions, .completions, .embeddings] {
            router.post("/openai/deployments/:model/\(operation.rawValue)") { request, context in
                try await self.proxy(
                    request,
                    context: context,
                    operation: operation,
                    pathModel: context.parameters.get("model")
                )
            }
        }
        router.get("/health/liveliness") { _, _ in ProxyServer.json(200, "I'm alive!") }
        router.get("/health/liveness") { _, _ in ProxyServer.json(200, "I'm alive!") }
        router.get("/health/readiness") { _, _ in
            let (status, body) = await engine.readiness()
            return ProxyServer.json(status, body)
        }
        addKeyRoutes(to: router)
        addUIRoutes(to: router)
        router.get("/spend/logs") { request, context in
            try await self.masterOnly(request, context) {
                await ProxyServer.answer { () async throws(ProxyError) in
                    try await engine.spendLogs(ProxyServer.query(request))
                }
            }
        }
        router.get("/spend/logs/ui") { request, context in
            try await self.masterOnly(request, context) {
                await ProxyServer.answer { () async throws(ProxyError) in
                    try await engine.spendLogsPage(ProxyServer.query(request))
                }
            }
        }
        router.get("/spend/logs/ui/:request_id") { request, context in
            let id = context.parameters.get("request_id") ?? ""
            return try await self.masterOnly(request, context) {
                await ProxyServer.answer { () async throws(ProxyError) in
                    guard let detail = try await engine.spendLogDetail(id) else {
                        throw ProxyError(
                            OpenAIError(
                                status: 404,
                                message: "No spend log with request_id \(id)",
                                type: "not_found_error"
                            )
                        )
                    }
                    return detail
                }
            }
        }
        if engine.config.settings.prometheusCallback, engine.metrics != nil {
            router.get("/metrics") { _, _ in ProxyServer.metrics(engine) }
        }
        router.get("/health") { request, context in
            try await self.management(request, context) { ProxyServer.json(200, await engine.health()) }
        }
        return router
    }

    /// Runs a handler for the master key only (virtual keys get 403).
    func masterOnly(_ request: Request, _ context: ProxyRequestContext, _ body: () async -> Response) async throws
        -> Response
    {
        do {
            _ = try await engine.authenticateMaster(ProxyServer.headers(request), clientIP: clientIP(request, context))
        } catch {
            return ProxyServer.error(error)
        }
        return await body()
    }

    /// Runs a management handler after checking the key.
    func management(_ request: Request, _ context: ProxyRequestContext, _ body: () async -> Response) async throws
        -> Response
    {
        do {
            _ = try await engine.authenticate(ProxyServer.headers(request), clientIP: clientIP(request, context))
        } catch {
            return ProxyServer.error(error)
        }
        return await body()
    }

    func proxy(_ request: Request, context: ProxyRequestContext, operation: ProxyOperation, pathModel: String?)
        async throws -> Response
    {
        let started = ContinuousClock.now
        let read: RequestBodyReader.Outcome
        do {
            read = try await RequestBodyReader(limit: engine.config.settings.maximumRequestBodySize).read(
                request.body,
                channel: context.channel
            )
        } catch {
            // A body that cannot be read (bad chunked framing, the client half-closing mid-body) is the client's error.
            return ProxyServer.error(.unreadableBody)
        }
        var body = ByteBuffer()
        var remainder: RequestBodyReader.Remainder?
        switch read {
        case .complete(let complete): body = complete
        case .tooLarge(let rest): remainder = rest
        }
        let tooLarge = remainder != nil
        var call = ProxyCall(
            operation: operation,
            route: operation.route,
            pathModel: pathModel,
            headers: ProxyServer.headers(request),
            body: body,
            bodyTooLarge: tooLarge,
            started: started
        )
        call.eventLoop = context.eventLoop
        call.clientIP = clientIP(request, context)
        switch await engine.handle(call) {
        case .complete(let status, let headers, let body):
            guard let remainder else {
                return Response(
                    status: .init(code: status),
                    headers: ProxyServer.fields(headers),
                    body: .init(byteBuffer: body)
                )
            }
            // Refused for its size: the answer goes out first, then the rest of the body is read and dropped.
            var fields = ProxyServer.fields(headers)
            fields[.contentLength] = String(body.readableBytes)
            return Response(
                status: .init(code: status),
                headers: fields,
                body: .init { writer in
                    try await writer.write(body)
                    try await writer.finish(nil)
                    await remainder.discard()
                }
            )
        case .stream(let headers, let relay):
            return Response(
                status: .ok,
                headers: ProxyServer.fields(headers),
                body: .init { writer in
                    // The relay writes from its own child task while this one waits for it: one writer at a time.
                    let out = WriterBox(writer)
                    _ = await relay.run { buffer in try await out.writer.write(buffer) }
                    try await out.writer.finish(nil)
                }
            )
        }
    }

    /// The caller's address (`X-Forwarded-For` only from a trusted proxy).
    func clientIP(_ request: Request, _ context: ProxyRequestContext) -> String? {
        engine.config.settings.auth.forwardedFor.clientIP(
            forwardedFor: request.headers[.xForwardedFor],
            peer: context.remoteIP
        )
    }

    /// `GET /metrics`: the Prometheus text format.
    static func metrics(_ engine: ProxyEngine) -> Response {
        let bytes = engine.metrics?.render(writer: engine.spend?.writer.counters) ?? []
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// The router of the separate metrics port (`--metrics-port`): `/metrics` only.
    public static func metricsRouter(engine: ProxyEngine) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { _, _ in metrics(engine) }
        return router
    }

    /// A JSON answer, or the error's own response.
    static func answer(_ body: () async throws(ProxyError) -> JSON) async -> Response {
        do {
            return json(200, try await body())
        } catch {
            return ProxyServer.error(error)
        }
    }

    static func query(_ request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { result[String(key)] = String(value) }
        return result
    }

    static func headers(_ request: Request) -> [(String, String)] {
        headers(request.headers)
    }

    /// Header fields as the engine takes them: (lower-case name, value).
    static func headers(_ fields: HTTPFields) -> [(String, String)] {
        fields.map { ($0.name.canonicalName, $0.value) }
    }

    static func fields(_ headers: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    static func json(_ status: Int, _ body: JSON) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: body.byteBuffer())
        )
    }

    static func error(_ error: ProxyError) -> Response {
        Response(
            status: .init(code: error.status),
            headers: fields([("content-type", "application/json")] + error.headers),
            body: .init(byteBuffer: error.error.json.byteBuffer())
        )
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("x-forwarded-for")!
}

/// A response body's writer handed to the stream relay's task (only that task writes until the relay returns).
final class WriterBox: @unchecked Sendable {
    var writer: any ResponseBodyWriter

    init(_ writer: any ResponseBodyWriter) { self.writer = writer }
}

/// Unknown routes and methods, and anything a handler did not turn into a response, answer in the OpenAI error
/// shape rather than an empty body.
struct ProxyErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let message =
                status == 404
                ? "Route not found: \(request.method.rawValue) \(request.uri.path)"
                : (error.body ?? error.status.reasonPhrase)
            return ProxyServer.error(
                ProxyError(
                    OpenAIError(
                        status: status,
                        message: message,
                        type: status == 404 ? "not_found_error" : "invalid_request_error",
                        param: "None"
                    )
                )
            )
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(describing: type(of: error)))"])
            return ProxyServer.error(
                ProxyError(
                    OpenAIError(
                        status: 500,
                        message: "Internal server error",
                        type: "internal_server_error",
                        param: "None"
                    )
                )
            )
        }
    }
}

/// Hummingbird's basic context plus the connection's event loop: the upstream call runs on the same loop as the
/// client's connection, so a request and its upstream leg never hop threads.
public struct ProxyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let eventLoop: any EventLoop
    /// The client's connection.
    public let channel: any Channel
    /// The peer's IP address.
    public let remoteIP: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
        self.channel = source.channel
        self.remoteIP = source.channel.remoteAddress?.ipAddress
    }
}
