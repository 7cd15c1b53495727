import AsyncHTTPClient
import Foundation
import NIOCore

/// Relays an upstream body to the client as it arrives, chunk by chunk, unchanged (pass-through, files, images,
/// audio): nothing is parsed on the way. The first `captureLimit` bytes are kept for the spend row (usage and cost are
/// read from them once the body has ended). When the client goes away, writing fails and the upstream body is
/// abandoned, which cancels the upstream request.
public struct ByteRelay: Sendable {
    let body: HTTPClientResponse.Body
    var captureLimit = 1024 * 1024
    /// Called once when the relay ends.
    var onFinish: @Sendable (Summary) -> Void = { _ in }

    /// The upstream's body ended early (reset, timeout).
    struct UpstreamCut: Error {}

    public struct Summary: Sendable {
        /// The body's start, up to the capture limit.
        public var captured: [UInt8] = []
        public var bytes = 0
        /// The whole body was read and written.
        public var completed = false
        public var clientGone = false
        public var upstreamError: String?
        public var firstByteDate: Date?
    }

    public func run(write: @escaping @Sendable (ByteBuffer) async throws -> Void) async -> Summary {
        var summary = Summary()
        do {
            for try await chunk in body {
                if summary.firstByteDate == nil { summary.firstByteDate = Date() }
                summary.bytes += chunk.readableBytes
                if summary.captured.count < captureLimit {
                    summary.captured += chunk.readableBytesView.prefix(captureLimit - summary.captured.count)
                }
                do { try await write(chunk) } catch {
                    summary.clientGone = true
                    break
                }
            }
            summary.completed = !summary.clientGone
        } catch {
            summary.upstreamError = String(describing: type(of: error))
        }
        onFinish(summary)
        return summary
    }
}
