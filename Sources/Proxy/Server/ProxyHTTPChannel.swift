import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel, with four changes for a gateway:
/// - the proxied routes are answered by ``ProxyFastPath`` in the channel pipeline; everything else goes on to
///   Hummingbird's router;
/// - each connection's task prefers its own event loop as executor (``EventLoopTaskExecutor``), so neither path
///   hops threads;
/// - connections idle for `keepAliveTimeout` (uvicorn's `timeout_keep_alive`, LiteLLM's `--keepalive_timeout`,
///   5 s by default) are closed, and so are connections that send half a request and stop (slow-loris);
/// - `CONNECT` gets an OpenAI-shaped error body (``ConnectRefusal``), which NIO's encoder would otherwise drop.
public struct ProxyHTTPChannel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let gateway: Gateway?

    /// Without a gateway, Hummingbird serves every route.
    public init(responder: @escaping HTTPChannelHandler.Responder, gateway: Gateway?, keepAliveTimeout: TimeAmount?) {
        self.inner = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: keepAliveTimeout))
        self.gateway = gateway
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ConnectRefusal(), position: .first)
            if let gateway {
                let state = try pipeline.context(handlerType: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(
                    ProxyFastPath(gateway: gateway, executor: .of(channel.eventLoop)),
                    position: .after(state.handler)
                )
            }
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor.of(value.channel.eventLoop)
        await withTaskExecutorPreference(executor) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// The proxy's HTTP/1 server (``ProxyHTTPChannel``).
    public static func proxyHTTP1(gateway: Gateway?, keepAliveTimeout: TimeAmount?) -> HTTPServerBuilder {
        .init { responder in
            ProxyHTTPChannel(responder: responder, gateway: gateway, keepAliveTimeout: keepAliveTimeout)
        }
    }
}
