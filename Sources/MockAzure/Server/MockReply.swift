import Foundation
import Wire

/// What the simulator decided to send, before any HTTP framework renders it.
public enum MockReply: Sendable {
    /// A complete body (JSON, or text sent verbatim).
    case body(status: Int, headers: [(String, String)], text: [UInt8])
    /// An SSE stream: each frame written and flushed on its own after its delay.
    case stream(status: Int, headers: [(String, String)], frames: [StreamFrame], ending: ScenarioResponse.Ending)
    /// A body cut off after `sentBytes` bytes by a dropped connection.
    case truncatedBody(status: Int, headers: [(String, String)], text: [UInt8], sentBytes: Int)
    /// No answer until the hang time runs out.
    case hang(seconds: Double)

    static func json(_ status: Int, _ body: JSON, headers: [(String, String)] = []) -> MockReply {
        .body(status: status, headers: headers, text: body.serializedBytes())
    }

    public var status: Int? {
        switch self {
        case .body(let status, _, _), .stream(let status, _, _, _), .truncatedBody(let status, _, _, _): status
        case .hang: nil
        }
    }
}

/// A request as it came off the wire, framework-free.
public struct IncomingRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String
    /// Header names in lower case, in arrival order.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The body was larger than the configured maximum (and `body` holds only its start).
    public var bodyTooLarge: Bool

    public init(
        method: String,
        path: String,
        query: String,
        headers: [(String, String)],
        body: [UInt8],
        bodyTooLarge: Bool = false
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }

    public func queryItem(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init)?.removingPercentEncoding == name {
                return parts.count > 1
                    ? String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" : ""
            }
        }
        return nil
    }
}
