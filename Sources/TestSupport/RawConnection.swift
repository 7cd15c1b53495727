import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A plain TCP connection for tests that need bytes an HTTP client would not send (pipelining, CONNECT, half-sent
/// requests) or need to see the server close.
public final class RawConnection: Sendable {
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.bytes += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            received.withLockedValue { $0.closed = true }
        }
    }

    let channel: any Channel
    let collector: Collector

    init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    public static func connect(host: String = "127.0.0.1", port: Int) async throws -> RawConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: host, port: port).get()
        return RawConnection(channel: channel, collector: collector)
    }

    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Everything received so far, and whether the server has closed the connection.
    public var received: (text: String, closed: Bool) {
        let state = collector.received.withLockedValue { $0 }
        return (String(decoding: state.bytes, as: UTF8.self), state.closed)
    }

    /// Waits until `done` holds for what was received, or `timeout` passes; returns what was received.
    @discardableResult
    public func wait(upTo timeout: Duration, until done: (String, Bool) -> Bool) async throws -> (
        text: String, closed: Bool
    ) {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let state = received
            if done(state.text, state.closed) { return state }
            try await Task.sleep(for: .milliseconds(20))
        }
        return received
    }

    public func close() async {
        try? await channel.close().get()
    }
}
