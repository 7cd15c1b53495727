import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection's event loop: the upstream call runs on the same loop as the
/// client's connection, so a request and its upstream leg never hop threads.
public struct ProxyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let eventLoop: any EventLoop
    /// The client's connection.
    public let channel: any Channel
    /// The peer's IP address.
    public let remoteIP: String?
    /// Who called a management route, set by its key check (nil on the proxied paths, which authenticate later).
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
        self.channel = source.channel
        self.remoteIP = source.channel.remoteAddress?.ipAddress
    }
}
