import Foundation
import NIOConcurrencyHelpers
import Wire

/// What the simulator received, for tests and the conformance runner to check what a proxy sent upstream.
/// A bounded ring: the oldest entries go first. Secrets never enter it: `api-key`, `Authorization`, cookies and
/// similar headers are replaced by `sha256:<hex>` of their value (for `Authorization`, of the token after `Bearer `).
public final class Journal: Sendable {
    public struct Entry: Sendable {
        public var sequence: Int
        public var time: Double
        public var method: String
        public var path: String
        public var query: String
        public var headers: [(String, String)]
        public var body: JSON?
        /// The body text when it was not JSON (truncated to `maximumBodyText`).
        public var rawBody: String?

        public var json: JSON {
            [
                "sequence": .int(sequence),
                "time": .double(time),
                "method": .string(method),
                "path": .string(path),
                "query": .string(query),
                "headers": .array(headers.map { [.string($0.0), .string($0.1)] }),
                "body": body ?? nil,
                "raw_body": rawBody.map(JSON.string) ?? nil,
            ]
        }
    }

    static let secretHeaders: Set<String> = [
        "api-key", "authorization", "x-api-key", "x-litellm-api-key", "cookie", "set-cookie", "proxy-authorization",
        "ocp-apim-subscription-key",
    ]
    static let maximumBodyText = 64 * 1024

    private struct State {
        var entries: [Entry] = []
        var next = 0
    }

    private let state = NIOLockedValueBox(State())
    public let capacity: Int

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Replaces a secret header's value by its hash; other values pass unchanged.
    public static func redact(name: String, value: String) -> String {
        guard secretHeaders.contains(name.lowercased()) else { return value }
        if value.lowercased().hasPrefix("bearer ") {
            return "Bearer sha256:" + SecretHash.sha256Hex(String(value.dropFirst(7)))
        }
        return "sha256:" + SecretHash.sha256Hex(value)
    }

    public func record(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8]) {
        let redacted = headers.map { ($0.0, Journal.redact(name: $0.0, value: $0.1)) }
        let json = try? JSON.parse(body)
        let raw =
            json == nil && !body.isEmpty ? String(decoding: body.prefix(Journal.maximumBodyText), as: UTF8.self) : nil
        state.withLockedValue { state in
            let entry = Entry(
                sequence: state.next,
                time: Date().timeIntervalSince1970,
                method: method,
                path: path,
                query: query,
                headers: redacted,
                body: json,
                rawBody: raw
            )
            state.next += 1
            state.entries.append(entry)
            if state.entries.count > capacity { state.entries.removeFirst(state.entries.count - capacity) }
        }
    }

    public var entries: [Entry] { state.withLockedValue { $0.entries } }

    public func clear() { state.withLockedValue { $0.entries.removeAll() } }
}
