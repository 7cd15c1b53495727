import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The upstream HTTP client as a Service: a pool sized for a gateway (AsyncHTTPClient's default of 8 connections
/// per host would cap throughput), TCP_NODELAY on (NIO's client default), certificates verified unless
/// `ssl_verify: false`. It shuts down after the server, when the ServiceGroup stops in reverse order.
public final class UpstreamClient: Service, Sendable {
    public let http: HTTPClient
    /// Keep-alive connections pinned to each event loop, for non-streaming calls.
    public let pinned: PinnedHTTPClient

    public struct Configuration: Sendable {
        /// A stream holds its connection for as long as it lasts: 1,000 concurrent streams to one Azure resource
        /// must not queue behind a smaller pool.
        public var connectionsPerHost: Int = 4096
        public var connectTimeout: TimeAmount = .seconds(10)
        public var idleTimeout: TimeAmount = .seconds(60)
        public var verifyCertificates: Bool = true

        public init() {}
    }

    public init(configuration: Configuration = Configuration()) {
        var http = HTTPClient.Configuration()
        http.connectionPool = .init(
            idleTimeout: configuration.idleTimeout,
            concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost
        )
        // A refused connection fails the request at once (LiteLLM does the same); retrying is the router's job,
        // preferably on another deployment, not the pool's for the whole connect timeout.
        http.connectionPool.retryConnectionEstablishment = false
        http.timeout = .init(connect: configuration.connectTimeout)
        http.decompression = .disabled
        // A redirect would carry the deployment's api-key (and on 307 the prompt) to whatever origin it names.
        http.redirectConfiguration = .disallow
        // The request path traces its attempts itself (Gateway+tracing): no span of AsyncHTTPClient's own.
        http.tracing.tracer = nil
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.verifyCertificates { tls.certificateVerification = .none }
        http.tlsConfiguration = tls
        self.http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: http)
        // As many idle connections kept as the pool may open: fewer closes one after each answer under high
        // concurrency and opens another for the next request (at 1,000 connections, 3 of 4 requests did).
        self.pinned = PinnedHTTPClient(
            verifyCertificates: configuration.verifyCertificates,
            connectTimeout: configuration.connectTimeout,
            maximumIdlePerHost: configuration.connectionsPerHost
        )
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await pinned.closeIdleConnections()
        try await http.shutdown()
    }
}
