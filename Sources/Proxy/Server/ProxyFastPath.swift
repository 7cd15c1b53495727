import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// The data plane: the proxied routes answered straight from the connection's channel pipeline, without the HTTP
/// framework's request/response objects, router and async channel in between (those cost more CPU per request than
/// the whole gateway logic). Everything else — management API, UI, health, metrics, oversize or unreadable bodies —
/// is handed on untouched to Hummingbird, which sits after this handler.
///
/// It sits after Hummingbird's connection-state handler, so idle timeouts and graceful shutdown see its requests.
/// One request at a time: while a request is with Hummingbird, or an answer is being written, the next request waits
/// (pipelined requests keep their order). The gateway runs in a task that prefers this connection's event loop, so
/// a request and its upstream exchange stay on one thread.
final class ProxyFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum State {
        case idle
        case collecting(HTTPRequest, ProxyRoute, ByteBuffer, ContinuousClock.Instant)
        case responding
    }

    let gateway: Gateway
    let executor: EventLoopTaskExecutor
    let limit: Int
    var state = State.idle
    /// Requests handed to Hummingbird whose answer has not ended yet.
    var handedOn = 0
    /// Parts that arrived while an answer was being written (pipelining), replayed after it.
    var waiting: [HTTPRequestPart] = []
    /// A read held back while parts wait, so a client that pipelines cannot fill memory.
    var heldRead = false
    var task: Task<Void, Never>?
    /// Ends a request whose body is not complete in time (`request_body_timeout`): a byte every few seconds keeps
    /// the connection's idle timer from firing, but not this.
    var bodyDeadline: Scheduled<Void>?
    let bodyTimeout: TimeAmount

    init(gateway: Gateway, executor: EventLoopTaskExecutor) {
        self.gateway = gateway
        self.executor = executor
        self.limit = gateway.config.settings.maximumRequestBodySize
        self.bodyTimeout = .milliseconds(Int64(gateway.config.settings.requestBodyTimeout * 1000))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .responding:
            waiting.append(part)
        case .collecting(let head, let route, var body, let started):
            switch part {
            case .body(let buffer):
                if body.readableBytes + buffer.readableBytes > limit {
                    handOn(context, head: head, body: body, then: part)
                } else {
                    state = .responding  // no copy-on-write of `body` while it is appended to
                    if body.readableBytes == 0 { body = buffer } else { body.writeImmutableBuffer(buffer) }
                    state = .collecting(head, route, body, started)
                }
            case .end:
                state = .responding
                disarmBodyDeadline()
                respond(context, head: head, route: route, body: body, started: started)
            case .head:
                handOn(context, head: head, body: body, then: part)
            }
        case .idle:
            if case .head(let head) = part, handedOn == 0, head.method == .post, let path = head.path,
                let route = ProxyRoute(path: path[...])
            {
                state = .collecting(head, route, ByteBuffer(), .now)
                armBodyDeadline(context)
                return
            }
            switch part {
            case .head:
                handedOn += 1
                armBodyDeadline(context)
            case .end: disarmBodyDeadline()
            case .body: break
            }
            context.fireChannelRead(data)
        }
    }

    /// Gives a request to Hummingbird: its head, what was read of its body,
    /// and the part that made it leave the fast path.
    func handOn(_ context: ChannelHandlerContext, head: HTTPRequest, body: ByteBuffer, then part: HTTPRequestPart) {
        handOn(context, head: head, body: body)
        channelRead(context: context, data: wrapInboundOut(part))
    }

    /// Gives a request to Hummingbird with what was read of its body; its further parts follow as they come.
    func handOn(_ context: ChannelHandlerContext, head: HTTPRequest, body: ByteBuffer) {
        state = .idle
        handedOn += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A body that cannot be read: Hummingbird answers it (400) with what it has.
        if case .collecting(let head, _, let body, _) = state {
            handOn(context, head: head, body: body)
            context.fireChannelReadComplete()
        }
        context.fireErrorCaught(error)
    }

    func read(context: ChannelHandlerContext) {
        if waiting.isEmpty {
            context.read()
        } else {
            heldRead = true
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            handedOn -= 1
            context.write(data, promise: promise)
            if handedOn == 0, case .idle = state { replayWaiting(context) }
            return
        }
        context.write(data, promise: promise)
    }

    /// From a request's head to its end, on either path: Hummingbird's body reads have no deadline of their own.
    func armBodyDeadline(_ context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        bodyDeadline = context.eventLoop.scheduleTask(in: bodyTimeout) {
            let (handler, context) = bound.value
            handler.bodyTimedOut(context)
        }
    }

    func disarmBodyDeadline() {
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }

    /// The body did not arrive in time: 408 in the OpenAI shape, and the connection closes (what is still on its way
    /// belongs to no request). A request already with Hummingbird cannot be answered in its place: its connection
    /// just closes.
    func bodyTimedOut(_ context: ChannelHandlerContext) {
        bodyDeadline = nil
        guard case .collecting = state else {
            context.close(promise: nil)
            return
        }
        state = .responding
        let error = ProxyError.bodyTimeout(seconds: gateway.config.settings.requestBodyTimeout)
        let body = error.error.json.byteBuffer()
        var fields = HTTPAnswer.fields([("content-type", "application/json")])
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        fields[.date] = HTTPDate.now()
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .requestTimeout, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        task?.cancel()
        context.fireChannelInactive()
    }

    /// Outside a read cycle: what is handed on to Hummingbird reaches it with the read-complete it waits for.
    func replayWaiting(_ context: ChannelHandlerContext) {
        let parts = waiting
        waiting = []
        if !parts.isEmpty {
            for part in parts { channelRead(context: context, data: wrapInboundOut(part)) }
            context.fireChannelReadComplete()
        }
        if heldRead, waiting.isEmpty {
            heldRead = false
            context.read()
        }
    }

    func respond(
        _ context: ChannelHandlerContext,
        head: HTTPRequest,
        route: ProxyRoute,
        body: ByteBuffer,
        started: ContinuousClock.Instant
    ) {
        var call = ProxyCall(
            operation: route.operation,
            route: route.operation.route,
            pathModel: route.pathModel,
            headers: HTTPAnswer.headers(head.headerFields),
            body: body,
            started: started
        )
        call.eventLoop = context.eventLoop
        call.clientIP = gateway.config.settings.auth.forwardedFor.clientIP(
            forwardedFor: call.header("x-forwarded-for"),
            peer: context.channel.remoteAddress?.ipAddress
        )
        let close = head.headerFields[.connection]?.lowercased().contains("close") == true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let gateway = self.gateway
        task = Task(executorPreference: executor) {
            let outcome = await gateway.handle(call)
            // On this connection's event loop (the task's executor).
            let (handler, context) = bound.value
            var head = outcome.head
            head.headerFields[.date] = HTTPDate.now()
            switch outcome {
            case .complete(_, _, let body):
                // Written without waiting: a whole answer is three writes and one flush.
                context.write(handler.wrapOutboundOut(.head(head)), promise: nil)
                context.write(handler.wrapOutboundOut(.body(body)), promise: nil)
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
            case .stream, .forward:
                context.writeAndFlush(handler.wrapOutboundOut(.head(head)), promise: nil)
                try? await outcome.writeBody { buffer in
                    let (handler, context) = bound.value
                    try await context.writeAndFlush(handler.wrapOutboundOut(.body(buffer))).get()
                }
                let (handler, context) = bound.value
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
            }
            handler.finished(context, close: close)
        }
    }

    /// An answer has been written: the connection takes the next request (or closes, if the client asked).
    func finished(_ context: ChannelHandlerContext, close: Bool) {
        task = nil
        state = .idle
        if close {
            context.close(promise: nil)
            return
        }
        replayWaiting(context)
    }
}
