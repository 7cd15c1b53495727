import Foundation
import AsyncHTTPClient
import Logging
import NIOCore
import Wire

/// Relays an upstream SSE stream to the client: every event is shaped and written the moment it is parsed — never
/// merged with the next, never held. Azure's prompt-filter and annotation frames pass through. The usage frame
/// the proxy asked for is removed when the client did not ask for it. An upstream failure mid-stream (a dropped
/// connection, a stream without `[DONE]`, an oversized event) ends the stream with `data: {"error":…}` then
/// `data: [DONE]`. When the client goes away, writing fails and the upstream body is abandoned, which cancels
/// the upstream request.
public struct StreamRelay: Sendable {
    let body: HTTPClientResponse.Body
    let deployment: ModelDeployment
    let clientWantsUsage: Bool
    let logger: Logger
    /// Called once with the summary when the relay ends (spend logging).
    var onFinish: @Sendable (Summary) -> Void = { _ in }
    /// The cost of a usage block (given the model upstream reported), written into the usage frame as `cost`.
    var cost: @Sendable (JSON, String?) -> Double? = { _, _ in nil }

    /// What the relay saw, for spend logging and metrics.
    public struct Summary: Sendable {
        public var events = 0
        public var usage: JSON?
        public var completed = false
        public var clientGone = false
        public var upstreamError: String?
        /// The answer assembled from the deltas (bounded), for the spend row.
        public var id: String?
        public var model: String?
        public var content = ""
        public var finishReason: String?
        public var firstByteDate: Date?

        /// The assembled message in a chat.completion's shape.
        public var assembled: JSON {
            [
                "id": id.map(JSON.string) ?? nil,
                "model": model.map(JSON.string) ?? nil,
                "object": "chat.completion",
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string(content)], "finish_reason": finishReason.map(JSON.string) ?? nil]],
                "usage": usage ?? nil,
            ]
        }

        mutating func absorb(_ json: JSON) {
            if let value = json["id"]?.stringValue, !value.isEmpty { id = value }
            if let value = json["model"]?.stringValue, !value.isEmpty { model = value }
            if let piece = json.value(at: "choices.0.delta.content")?.stringValue ?? json.value(at: "choices.0.text")?.stringValue, content.utf8.count < 64 * 1024 {
                content += piece
            }
            if let reason = json.value(at: "choices.0.finish_reason")?.stringValue { finishReason = reason }
        }
    }

    struct ClientGone: Error {}

    /// Runs the relay; `write` sends bytes to the client (and throws when it has gone).
    public func run(write: (ByteBuffer) async throws -> Void) async -> Summary {
        let summary = await relay(write: write)
        onFinish(summary)
        return summary
    }

    func relay(write: (ByteBuffer) async throws -> Void) async -> Summary {
        var summary = Summary()
        var parser = SSEParser(maximumEventSize: 8 * 1024 * 1024)
        func send(_ buffer: ByteBuffer) async throws {
            do { try await write(buffer) } catch { throw ClientGone() }
        }
        do {
            for try await chunk in body {
                if summary.firstByteDate == nil { summary.firstByteDate = Date() }
                for event in try parser.feed(chunk.readableBytesView) {
                    if event.isDone {
                        summary.completed = true
                        try await send(SSEWriter.done)
                        continue
                    }
                    summary.events += 1
                    guard let json = try? JSON.parse(event.data) else {
                        // Not JSON: pass it on untouched; the client decides.
                        try await send(SSEWriter.encode(event))
                        continue
                    }
                    if let usage = json["usage"], !usage.isNull { summary.usage = usage }
                    summary.absorb(json)
                    guard var shaped = ResponseShaper.shapeChunk(json, deployment: deployment, clientWantsUsage: clientWantsUsage) else { continue }
                    if case .object(var frame) = shaped, case .object(var usage)? = frame["usage"], let cost = cost(.object(usage), summary.model) {
                        usage["cost"] = .double(cost)
                        frame["usage"] = .object(usage)
                        shaped = .object(frame)
                    }
                    try await send(SSEWriter.encode(json: shaped))
                }
            }
            if !summary.completed {
                summary.upstreamError = parser.finish() ? "upstream stream ended in the middle of an event" : "upstream stream ended without [DONE]"
            }
        } catch is ClientGone {
            summary.clientGone = true
            logger.debug("client went away mid-stream", metadata: ["events": "\(summary.events)"])
            return summary
        } catch {
            summary.upstreamError = "upstream stream failed: \(String(describing: error).prefix(200))"
        }
        if let reason = summary.upstreamError {
            logger.warning("upstream stream broke", metadata: ["reason": "\(reason)", "events": "\(summary.events)", "model_id": "\(deployment.id)"])
            let error = OpenAIError(
                status: 500,
                message: "litellm.APIConnectionError: \(ProxyError.providerName(deployment))Exception - \(reason). model=\(deployment.upstreamModel)",
                type: "api_connection_error",
                param: nil
            )
            do {
                try await send(SSEWriter.encode(json: error.json))
                try await send(SSEWriter.done)
            } catch {
                summary.clientGone = true
            }
        }
        return summary
    }
}
