import AsyncHTTPClient
import Foundation
import NIOCore

/// Relays an upstream body to the client as it arrives, chunk by chunk, unchanged (pass-through, files, images,
/// audio): nothing is parsed on the way. The first `captureLimit` bytes, and for a stream the last `tailLimit`, are
/// kept for the spend row (usage and cost are read from them once the body has ended: a stream's usage is in its last
/// events).
/// An upstream silent for `idleTimeout` while the relay waits for it ends the relay. When the client goes away,
/// writing fails and the upstream body is abandoned, which cancels the upstream request.
public struct ByteRelay: Sendable {
    let body: HTTPClientResponse.Body
    var captureLimit = 1024 * 1024
    /// 0: no tail kept (only a stream's tail is read afterwards).
    var tailLimit = 0
    var idleTimeout: Duration?
    /// Called once when the relay ends.
    var onFinish: @Sendable (Summary) -> Void = { _ in }

    /// The upstream's body ended early (reset, timeout).
    struct UpstreamCut: Error {}

    public struct Summary: Sendable {
        /// The body's start, up to the capture limit.
        public var captured: [UInt8] = []
        /// The body's end, when it is longer than the capture limit.
        public var tail: [UInt8] = []
        public var bytes = 0
        /// The whole body was read and written.
        public var completed = false
        public var clientGone = false
        public var upstreamError: String?
        public var firstByteDate: Date?

        /// The whole body, when it was kept whole.
        public var whole: [UInt8]? { completed && captured.count == bytes ? captured : nil }
    }

    public func run(write: @escaping @Sendable (ByteBuffer) async throws -> Void) async -> Summary {
        let summary = await IdleWatch.race(idleTimeout, empty: Summary()) { watch in
            await self.relay(write: write, watch: watch)
        }
        onFinish(summary)
        return summary
    }

    func relay(write: (ByteBuffer) async throws -> Void, watch: IdleWatch?) async -> Summary {
        var summary = Summary()
        defer { watch?.finish() }
        do {
            for try await chunk in body {
                watch?.received()
                if summary.firstByteDate == nil { summary.firstByteDate = Date() }
                summary.bytes += chunk.readableBytes
                let view = chunk.readableBytesView
                if summary.captured.count < captureLimit {
                    summary.captured += view.prefix(captureLimit - summary.captured.count)
                }
                if tailLimit > 0, summary.bytes > captureLimit {
                    summary.tail += view.suffix(tailLimit)
                    if summary.tail.count > tailLimit { summary.tail.removeFirst(summary.tail.count - tailLimit) }
                }
                do { try await write(chunk) } catch {
                    summary.clientGone = true
                    break
                }
                watch?.waiting()
            }
            summary.completed = !summary.clientGone
        } catch {
            summary.upstreamError = watch?.expired == true ? "idle timeout" : String(describing: type(of: error))
        }
        return summary
    }
}
