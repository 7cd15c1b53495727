import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Wire

/// A response read whole.
public struct ObservedResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var json: JSON? { try? JSON.parse(body) }
    public func header(_ name: String) -> String? { headers.first(name: name) }

    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// One SSE event as it arrived, with the time since the request was sent and the network read that carried it.
public struct TimedEvent: Sendable {
    public var event: SSEEvent
    public var elapsed: Duration
    public var readIndex: Int
}

/// A stream read to its end or until the connection dropped, with its raw bytes for wire-level checks.
public struct ObservedStream: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var events: [TimedEvent]
    public var raw: [UInt8]
    /// The body ended with an error (connection dropped) rather than cleanly.
    public var failed: Bool
    /// Bytes were left after the last complete event.
    public var truncated: Bool

    public var json: [JSON] { events.compactMap(\.event.json) }
}

/// HTTP for checks and tests, over AsyncHTTPClient: whole responses, and streams timed event by event.
public enum HTTPProbe {
    public static func request(
        _ method: HTTPMethod = .POST,
        _ url: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> ObservedResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "content-type", value: "application/json")
            }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return ObservedResponse(
            status: Int(response.status.code),
            headers: response.headers,
            body: Array(bytes.readableBytesView)
        )
    }

    public static func stream(
        _ url: String,
        headers: [(String, String)] = [],
        body: String,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> ObservedStream {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let start = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        var parser = SSEParser()
        var events: [TimedEvent] = []
        var raw: [UInt8] = []
        var failed = false
        var reads = 0
        do {
            for try await chunk in response.body {
                let elapsed = ContinuousClock.now - start
                raw.append(contentsOf: chunk.readableBytesView)
                for event in try parser.feed(chunk.readableBytesView) {
                    events.append(TimedEvent(event: event, elapsed: elapsed, readIndex: reads))
                }
                reads += 1
            }
        } catch {
            failed = true
        }
        let truncated = parser.finish()
        return ObservedStream(
            status: Int(response.status.code),
            headers: response.headers,
            events: events,
            raw: raw,
            failed: failed,
            truncated: truncated
        )
    }
}
