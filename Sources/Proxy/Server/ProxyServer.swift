import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Wire

/// The proxy's HTTP surface on Hummingbird: the proxied paths (the same table the fast path matches), the health
/// probes, and the management and UI controllers behind their key checks. Handlers only translate between HTTP and
/// the services they are given.
public struct ProxyServer: Sendable {
    public let gateway: Gateway
    let services: ManagementServices
    /// Where the admin UI reads `UI_USERNAME`/`UI_PASSWORD` and its SSO settings.
    let environment: [String: String]
    /// Signed-in admin UI sessions; one store per server so tests can open a session for a role.
    let uiSessions = UISessionStore()

    public init(
        gateway: Gateway,
        services: ManagementServices,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.gateway = gateway
        self.services = services
        self.environment = environment
    }

    public func buildRouter() -> Router<ProxyRequestContext> {
        let router = Router(context: ProxyRequestContext.self)
        router.add(middleware: ProxyErrorMiddleware())
        for path in ProxyRoute.routerPaths {
            router.post(RouterPath(path.path)) { request, context in
                try await self.proxy(
                    request,
                    context: context,
                    operation: path.operation,
                    pathModel: path.azure ? context.parameters.get("model") : nil
                )
            }
        }
        for prefix in ["/responses", "/v1/responses", "/openai/v1/responses"] {
            for (suffix, method, operation) in ProxyRoute.storedResponseCalls {
                router.on(RouterPath(prefix + "/:response_id" + suffix), method: method) { request, context in
                    try await self.storedResponse(request, context: context, operation: operation)
                }
            }
        }
        let settings = gateway.config.settings
        let health = HealthController(
            writer: gateway.spend?.writer,
            settings: settings,
            report: services.health
        )
        health.addProbes(to: router)
        let anyKey = router.group().add(middleware: auth(.anyKey))
        ModelController(catalog: services.catalog).addRoutes(to: anyKey)
        KeyController(keys: gateway.keys).addRoutes(to: anyKey)
        TeamController(keys: gateway.keys).addRoutes(to: anyKey)
        UserController(keys: gateway.keys).addRoutes(to: anyKey)
        CustomerController(keys: gateway.keys).addRoutes(to: anyKey)
        DailyActivityController(keys: gateway.keys).addRoutes(to: anyKey)
        AuditController(keys: gateway.keys).addRoutes(to: anyKey)
        GuardrailController(guardrails: gateway.config.guardrails).addRoutes(to: anyKey)
        health.addRoutes(to: anyKey)
        let master = router.group().add(middleware: auth(.admin))
        SpendLogController(reader: services.spendLogs).addRoutes(to: master)
        CacheController(cache: gateway.cache).addRoutes(to: master)
        AdminUI(
            services: services,
            settings: settings,
            logger: services.logger,
            environment: environment,
            sessions: uiSessions
        )
        .addRoutes(to: router)
        if settings.prometheusCallback, let metrics = gateway.metrics {
            MetricsController(metrics: metrics, writer: gateway.spend?.writer).addRoutes(to: router)
        }
        RouteListController().addRoutes(to: router)
        addForwardedRoutes(to: router)
        return router
    }

    func auth(_ access: AuthMiddleware.Access) -> AuthMiddleware {
        AuthMiddleware(
            authenticator: gateway.authenticator,
            forwardedFor: gateway.config.settings.auth.forwardedFor,
            access: access
        )
    }

    /// `configure` adds what the route names (a pass-through path, a file id) to the call.
    func proxy(
        _ request: Request,
        context: ProxyRequestContext,
        operation: ProxyOperation,
        pathModel: String?,
        configure: (inout ProxyCall) -> Void = { _ in }
    ) async throws -> Response {
        let started = ContinuousClock.now
        let read: RequestBodyReader.Outcome
        do {
            read = try await RequestBodyReader(limit: gateway.config.settings.maximumRequestBodySize).read(
                request.body,
                channel: context.channel
            )
        } catch {
            // A body that cannot be read (bad chunked framing, the client half-closing mid-body) is the client's error.
            return HTTPAnswer.error(.unreadableBody)
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
            headers: HTTPAnswer.headers(request.headers),
            body: body,
            bodyTooLarge: tooLarge,
            started: started
        )
        call.eventLoop = context.eventLoop
        call.clientIP = clientIP(request, context)
        call.method = request.method.rawValue
        call.query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        configure(&call)
        let unread = remainder
        // Refused for its size: the answer goes out first, then the rest of the body is read and dropped.
        return respond(await gateway.handle(call)) { await unread?.discard() }
    }

    /// The outcome as Hummingbird's response; `then` runs once the body is written.
    func respond(_ outcome: ProxyOutcome, then: @escaping @Sendable () async -> Void = {}) -> Response {
        let head = outcome.head
        return Response(
            status: head.status,
            headers: head.headerFields,
            body: .init { writer in
                // The relay writes from its own child task while this one waits for it: one writer at a time.
                let out = WriterBox(writer)
                try await outcome.writeBody { buffer in try await out.writer.write(buffer) }
                try await out.writer.finish(nil)
                await then()
            }
        )
    }

    /// A call on a stored response: no body read, the id and the query go to the gateway.
    func storedResponse(_ request: Request, context: ProxyRequestContext, operation: ProxyOperation)
        async throws -> Response
    {
        var call = ProxyCall(
            operation: operation,
            route: operation.route,
            headers: HTTPAnswer.headers(request.headers),
            body: ByteBuffer()
        )
        call.responseID = context.parameters.get("response_id").map { $0.removingPercentEncoding ?? $0 }
        call.query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        call.eventLoop = context.eventLoop
        call.clientIP = clientIP(request, context)
        return respond(await gateway.handle(call))
    }

    /// The caller's address (`X-Forwarded-For` only from a trusted proxy).
    func clientIP(_ request: Request, _ context: ProxyRequestContext) -> String? {
        gateway.config.settings.auth.forwardedFor.clientIP(
            forwardedFor: request.headers[.xForwardedFor],
            peer: context.remoteIP
        )
    }
}

/// A response body's writer handed to the stream relay's task (only that task writes until the relay returns).
final class WriterBox: @unchecked Sendable {
    var writer: any ResponseBodyWriter

    init(_ writer: any ResponseBodyWriter) { self.writer = writer }
}
