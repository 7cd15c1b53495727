import HTTPTypes
import NIOCore

extension ProxyOutcome {
    /// The response head both HTTP paths write: the status, the headers, and a complete body's length.
    var head: HTTPResponse {
        switch self {
        case .complete(let status, let headers, let body):
            var fields = HTTPAnswer.fields(headers)
            fields[.contentLength] = String(body.readableBytes)
            return HTTPResponse(status: .init(code: status), headerFields: fields)
        case .stream(let headers, _):
            return HTTPResponse(status: .ok, headerFields: HTTPAnswer.fields(headers))
        case .forward(let status, let headers, _):
            return HTTPResponse(status: .init(code: status), headerFields: HTTPAnswer.fields(headers))
        }
    }

    /// Writes the body: a complete one at once, a stream event by event as the relay reads it (never buffered).
    func writeBody(_ write: @escaping @Sendable (ByteBuffer) async throws -> Void) async throws {
        switch self {
        case .complete(_, _, let body): try await write(body)
        case .stream(_, let relay): _ = await relay.run(write: write)
        case .forward(_, _, let relay):
            // An upstream that broke off mid-body: the client's connection is cut too (no clean end it could take for
            // the whole answer).
            if await relay.run(write: write).upstreamError != nil { throw ByteRelay.UpstreamCut() }
        }
    }
}
