import Hummingbird
import NIOCore

/// Reads a request body up to a limit. A body over the limit is refused at once (413) and what follows of it is read
/// on and discarded after the answer, bounded in bytes and time: a client that sends its whole body before reading
/// (most SDKs) then gets its 413 instead of blocking on a full socket, and one that declared a body it never sends
/// gets it too (nginx's lingering close does the same). A body that goes on past the bounds has its connection closed.
struct RequestBodyReader {
    enum Outcome {
        case complete(ByteBuffer)
        case tooLarge(Remainder)
    }

    /// The unread rest of a body over the limit. Used by one task at a time (the request's, then its answer's).
    final class Remainder: @unchecked Sendable {
        var iterator: RequestBody.AsyncIterator
        let channel: (any Channel)?

        init(iterator: RequestBody.AsyncIterator, channel: (any Channel)?) {
            self.iterator = iterator
            self.channel = channel
        }

        /// Reads and discards the rest, up to `bytes` and `time`; past them the connection is closed.
        func discard(upTo bytes: Int = 1 << 30, for time: Duration = .seconds(30)) async {
            let end = ContinuousClock.now + time
            var read = 0
            do {
                while let part = try await iterator.next() {
                    read += part.readableBytes
                    if read > bytes || ContinuousClock.now > end {
                        channel?.close(promise: nil)
                        return
                    }
                }
            } catch {
                channel?.close(promise: nil)
            }
        }
    }

    var limit: Int

    func read(_ body: RequestBody, channel: (any Channel)?) async throws -> Outcome {
        var iterator = body.makeAsyncIterator()
        var collected = ByteBuffer()
        while let part = try await iterator.next() {
            guard collected.readableBytes + part.readableBytes <= limit else {
                return .tooLarge(Remainder(iterator: iterator, channel: channel))
            }
            if collected.readableBytes == 0 { collected = part } else { collected.writeImmutableBuffer(part) }
        }
        return .complete(collected)
    }
}
