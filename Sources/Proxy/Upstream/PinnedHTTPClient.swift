import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The non-streaming hot path's upstream client: HTTP/1.1 keep-alive connections owned by each event loop, so a
/// request and its upstream exchange run on the thread that owns the client's connection with no hop, lock or
/// state machine in between. Measured here: AsyncHTTPClient's leg cost ~190 µs per request on loopback; this one
/// a fraction of it. Streams (long-lived, back-pressured) keep using AsyncHTTPClient.
///
/// A pool's connections are touched only on their own event loop. TLS (Azure is https) uses NIOSSL with
/// certificate verification unless `ssl_verify: false`.
public final class PinnedHTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: HTTPHeaders
        public var body: ByteBuffer
    }

    public enum Failure: Error, Sendable, Equatable {
        case timeout
        case bodyTooLarge
        case connectionClosed
        case invalidURL
    }

    struct Key: Hashable, Sendable {
        var https: Bool
        var host: String
        var port: Int
    }

    /// Idle connections of one event loop; only ever touched on that loop (`loop`).
    final class LoopPool: @unchecked Sendable {
        let loop: any EventLoop
        var idle: [Key: [Exchange]] = [:]
        /// Parsed URLs (a deployment's URL is the same on every call).
        var targets: [String: Target] = [:]

        init(loop: any EventLoop) {
            self.loop = loop
        }
    }

    /// Where a URL points: the connection key, the request target and the `host` header.
    struct Target {
        var key: Key
        var path: String
        var host: String

        init?(url: String) {
            guard let components = URLComponents(string: url), let host = components.host,
                let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
            else {
                return nil
            }
            key = Key(https: scheme == "https", host: host, port: components.port ?? (scheme == "https" ? 443 : 80))
            path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            if let query = components.percentEncodedQuery { path += "?" + query }
            self.host = components.port.map { "\(host):\($0)" } ?? host
        }
    }

    final class Exchange: @unchecked Sendable {
        let channel: any Channel
        let handler: ExchangeHandler
        init(channel: any Channel, handler: ExchangeHandler) {
            self.channel = channel
            self.handler = handler
        }
    }

    let pools = NIOLockedValueBox<[ObjectIdentifier: LoopPool]>([:])
    let tlsContext: NIOSSLContext?
    let connectTimeout: TimeAmount
    let maximumIdlePerHost: Int

    public init(
        verifyCertificates: Bool = true,
        connectTimeout: TimeAmount = .seconds(10),
        maximumIdlePerHost: Int = 256
    ) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !verifyCertificates { tls.certificateVerification = .none }
        self.tlsContext = try? NIOSSLContext(configuration: tls)
        self.connectTimeout = connectTimeout
        self.maximumIdlePerHost = maximumIdlePerHost
    }

    /// Closes every idle connection (at shutdown), each pool on its own loop: a response that has just completed
    /// may be putting its connection back into the pool on that loop at this moment.
    public func closeIdleConnections() async {
        let all = pools.withLockedValue { Array($0.values) }
        for pool in all {
            try? await pool.loop.submit {
                for exchange in pool.idle.values.joined() { exchange.channel.close(promise: nil) }
                pool.idle.removeAll()
            }.get()
        }
    }

    func pool(for loop: any EventLoop) -> LoopPool {
        pools.withLockedValue { pools in
            let id = ObjectIdentifier(loop)
            if let pool = pools[id] { return pool }
            let pool = LoopPool(loop: loop)
            pools[id] = pool
            return pool
        }
    }

    /// POSTs `body` to `url` on `loop` and reads the whole answer, bounded by `deadline` and `maximumBodySize`.
    public func post(
        url: String,
        headers: [(String, String)],
        body: ByteBuffer,
        on loop: any EventLoop,
        deadline: NIODeadline,
        maximumBodySize: Int
    ) -> EventLoopFuture<Response> {
        if loop.inEventLoop {
            return start(
                url: url,
                headers: headers,
                body: body,
                loop: loop,
                deadline: deadline,
                maximumBodySize: maximumBodySize
            )
        }
        return loop.flatSubmit {
            self.start(
                url: url,
                headers: headers,
                body: body,
                loop: loop,
                deadline: deadline,
                maximumBodySize: maximumBodySize
            )
        }
    }

    func start(
        url: String,
        headers: [(String, String)],
        body: ByteBuffer,
        loop: any EventLoop,
        deadline: NIODeadline,
        maximumBodySize: Int
    ) -> EventLoopFuture<Response> {
        let pool = pool(for: loop)
        let target: Target
        if let known = pool.targets[url] {
            target = known
        } else {
            guard let parsed = Target(url: url) else { return loop.makeFailedFuture(Failure.invalidURL) }
            if pool.targets.count >= 1024 { pool.targets.removeAll() }
            pool.targets[url] = parsed
            target = parsed
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path)
        head.headers.reserveCapacity(headers.count + 2)
        head.headers.add(name: "host", value: target.host)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        return start(
            key: target.key,
            pool: pool,
            head: head,
            body: body,
            loop: loop,
            deadline: deadline,
            maximumBodySize: maximumBodySize
        )
    }

    func start(
        key: Key,
        pool: LoopPool,
        head: HTTPRequestHead,
        body: ByteBuffer,
        loop: any EventLoop,
        deadline: NIODeadline,
        maximumBodySize: Int
    ) -> EventLoopFuture<Response> {
        // In place (`default:`): a copy of the array per check-out would cost O(idle connections) per request.
        while let exchange = pool.idle[key, default: []].popLast() {
            if exchange.channel.isActive {
                return run(
                    exchange,
                    key: key,
                    pool: pool,
                    head: head,
                    body: body,
                    loop: loop,
                    deadline: deadline,
                    maximumBodySize: maximumBodySize
                )
            }
        }
        return connect(key: key, loop: loop).flatMap { exchange in
            self.run(
                exchange,
                key: key,
                pool: pool,
                head: head,
                body: body,
                loop: loop,
                deadline: deadline,
                maximumBodySize: maximumBodySize
            )
        }
    }

    func connect(key: Key, loop: any EventLoop) -> EventLoopFuture<Exchange> {
        let tls = key.https ? tlsContext : nil
        if key.https, tls == nil { return loop.makeFailedFuture(Failure.connectionClosed) }
        let handler = ExchangeHandler()
        return ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                do {
                    if let tls {
                        let sslHandler = try NIOSSLClientHandler(
                            context: tls,
                            serverHostname: key.host.first?.isNumber == true ? nil : key.host
                        )
                        try channel.pipeline.syncOperations.addHandler(sslHandler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: key.host, port: key.port)
            .map { Exchange(channel: $0, handler: handler) }
    }

    func run(
        _ exchange: Exchange,
        key: Key,
        pool: LoopPool,
        head: HTTPRequestHead,
        body: ByteBuffer,
        loop: any EventLoop,
        deadline: NIODeadline,
        maximumBodySize: Int
    ) -> EventLoopFuture<Response> {
        let promise = loop.makePromise(of: Response.self)
        let timeout = loop.scheduleTask(deadline: deadline) {
            exchange.handler.fail(Failure.timeout)
            exchange.channel.close(promise: nil)
        }
        exchange.handler.begin(promise: promise, limit: maximumBodySize) { reusable in
            timeout.cancel()
            guard reusable, exchange.channel.isActive else {
                exchange.channel.close(promise: nil)
                return
            }
            if pool.idle[key, default: []].count < self.maximumIdlePerHost {
                pool.idle[key, default: []].append(exchange)
            } else {
                exchange.channel.close(promise: nil)
            }
        }
        exchange.channel.write(HTTPClientRequestPart.head(head), promise: nil)
        exchange.channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
        exchange.channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return promise.futureResult
    }
}

/// Reads one response at a time off a keep-alive connection.
final class ExchangeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<PinnedHTTPClient.Response>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var limit = 0
    private var finished: ((Bool) -> Void)?

    func begin(promise: EventLoopPromise<PinnedHTTPClient.Response>, limit: Int, finished: @escaping (Bool) -> Void) {
        self.promise = promise
        self.limit = limit
        self.finished = finished
        self.head = nil
        self.body.clear()
    }

    func fail(_ error: any Error) {
        guard let promise else { return }
        self.promise = nil
        let finished = self.finished
        self.finished = nil
        promise.fail(error)
        finished?(false)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(var buffer):
            guard promise != nil else { return }
            if body.readableBytes + buffer.readableBytes > limit {
                fail(PinnedHTTPClient.Failure.bodyTooLarge)
                context.close(promise: nil)
                return
            }
            body.writeBuffer(&buffer)
        case .end:
            guard let promise, let head else { return }
            self.promise = nil
            let finished = self.finished
            self.finished = nil
            let response = PinnedHTTPClient.Response(status: head.status, headers: head.headers, body: body)
            body = ByteBuffer()
            promise.succeed(response)
            finished?(head.isKeepAlive)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(PinnedHTTPClient.Failure.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }
}
