import NIOCore
import Wire

/// Answers a connection that opens with `CONNECT` (a proxy tunnel request: this is not a forward proxy) with LiteLLM's
/// 404 in the OpenAI shape, then closes it. It sits before NIO's HTTP codec because NIO's encoder drops the body of
/// every response to `CONNECT`; after the first bytes of a connection it removes itself.
final class ConnectRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let method = Array("CONNECT ".utf8)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard buffer.readableBytesView.starts(with: ConnectRefusal.method) else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        let line = buffer.readableBytesView.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let target = line.dropFirst(ConnectRefusal.method.count).prefix { $0 != UInt8(ascii: " ") }
        let path = String(decoding: target.prefix(256), as: UTF8.self)
        let body = OpenAIError(
            status: 404,
            message: "Route not found: CONNECT \(path)",
            type: "not_found_error",
            param: "None"
        ).json.serialized()
        var response = context.channel.allocator.buffer(capacity: 160 + body.utf8.count)
        response.writeString(
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                + "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n"
        )
        response.writeString(body)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
