import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Wire

/// Relays an upstream SSE stream to the client: every event is shaped and written the moment it is parsed — never
/// merged with the next; only Azure's prompt-filter frame waits for the first frame with choices
/// (`StreamShaper`). The usage frame the proxy asked for is removed when the client did not ask for it. An
/// upstream failure mid-stream (a dropped connection, a stream without `[DONE]`, an oversized event) ends the
/// stream with `data: {"error":…}` then `data: [DONE]`. When the client goes away, writing fails and the upstream
/// body is abandoned, which cancels the upstream request.
public struct StreamRelay: Sendable {
    let body: HTTPClientResponse.Body
    let deployment: ModelDeployment
    let clientWantsUsage: Bool
    let shape: StreamShape
    let logger: Logger
    /// Called once with the summary when the relay ends (spend logging).
    var onFinish: @Sendable (Summary) -> Void = { _ in }
    /// The cost of a usage block (given the model upstream reported), written into the usage frame as `cost`.
    var cost: @Sendable (JSON, String?) -> Double? = { _, _ in nil }
    /// The longest wait for the upstream's next bytes (LiteLLM's `stream_timeout`); then a 408 ends the stream.
    var idleTimeout: Duration?
    /// A chat stream answering `/completions`, or the other way (`TextCompletion`).
    var conversion = TextCompletion.Conversion.none
    /// A Responses API stream: `event:`-named events, no `[DONE]`, ended by `response.completed`.
    var responses = false
    /// Set when post-call guardrails must see the whole answer first (as LiteLLM holds such streams back): the shaped
    /// events are kept (at most `maximumHeld` bytes) and, once the stream ended, what this returns is sent instead;
    /// nil sends them as they were.
    var hold: (@Sendable (Summary) async -> ByteBuffer?)?
    /// The most a held stream keeps before it is cut as too long.
    static let maximumHeld = 16 * 1024 * 1024

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
        /// Unicode scalars of every content delta relayed (`content` keeps only the first 64 KiB).
        public var deliveredScalars = 0
        public var finishReason: String?
        /// Every chunk carried text of the first choice and nothing else (no tool calls, reasoning, refusal, logprobs,
        /// other choices or an error): the assembled message is all of the answer.
        public var onlyText = true
        public var firstByteDate: Date?
        /// The upstream sent nothing for `idleTimeout`.
        public var timedOut = false
        /// A Responses stream's final response object (its usage in chat's terms is `usage`).
        public var response: JSON?

        /// The assembled answer holds all that was streamed: `onlyText`, `content` not cut at 64 KiB, and a finish
        /// reason (a stream that ended without one was cut short).
        public var isWhole: Bool {
            onlyText && finishReason != nil && deliveredScalars == content.unicodeScalars.count
        }

        /// How the stream ended, for the spend row: `completed`, `client_disconnected`, `upstream_timeout` or
        /// `upstream_failed`.
        public var outcome: String {
            if clientGone { return "client_disconnected" }
            if timedOut { return "upstream_timeout" }
            if upstreamError != nil { return "upstream_failed" }
            return "completed"
        }

        /// Usage for a stream that ended without the upstream's: the prompt's estimate plus the completion text
        /// relayed so far (about four characters a token, as the rest of the proxy estimates).
        public func estimatedUsage(prompt: Int) -> JSON {
            let completion = deliveredScalars == 0 ? 0 : (deliveredScalars + 3) / 4
            return [
                "prompt_tokens": .int(prompt), "completion_tokens": .int(completion),
                "total_tokens": .int(prompt + completion),
            ]
        }

        /// The assembled message in a chat.completion's shape.
        public var assembled: JSON {
            [
                "id": id.map(JSON.string) ?? nil,
                "model": model.map(JSON.string) ?? nil,
                "object": "chat.completion",
                "choices": [
                    [
                        "index": 0, "message": ["role": "assistant", "content": .string(content)],
                        "finish_reason": finishReason.map(JSON.string) ?? nil,
                    ]
                ],
                "usage": usage ?? nil,
            ]
        }

        mutating func absorb(_ json: JSON) {
            if let choices = json["choices"]?.arrayValue, !choices.isEmpty {
                let delta = choices[0]["delta"]?.objectValue
                let plain = delta?.allSatisfy { ["role", "content"].contains($0.key) || $0.value.isNull }
                let logprobs = choices[0]["logprobs"].map { !$0.isNull } ?? false
                if choices.count > 1 || (choices[0]["index"]?.intValue ?? 0) != 0 || plain == false || logprobs {
                    onlyText = false
                }
            }
            if json["error"] != nil { onlyText = false }
            if let value = json["id"]?.stringValue, !value.isEmpty { id = value }
            if let value = json["model"]?.stringValue, !value.isEmpty { model = value }
            if let piece = json.value(at: "choices.0.delta.content")?.stringValue
                ?? json.value(at: "choices.0.text")?.stringValue
            {
                deliveredScalars += piece.unicodeScalars.count
                if content.utf8.count < 64 * 1024 { content += piece }
            }
            if let reason = json.value(at: "choices.0.finish_reason")?.stringValue { finishReason = reason }
        }

        /// A Responses event: text deltas, and the usage and model of the final response.
        mutating func absorb(responsesEvent json: JSON, shaper: ResponsesStreamShaper) {
            if json["type"] == "response.output_text.delta", let piece = json["delta"]?.stringValue {
                deliveredScalars += piece.unicodeScalars.count
                if content.utf8.count < 64 * 1024 { content += piece }
            }
            if let id = shaper.snapshot?["id"]?.stringValue { self.id = id }
            if let model = shaper.snapshot?["model"]?.stringValue { self.model = model }
            if let final = shaper.final {
                response = final
                usage = ResponsesShaper.chatUsage(final["usage"]) ?? usage
                completed = true
            }
        }
    }

    struct ClientGone: Error {}

    /// Runs the relay; `write` sends bytes to the client (and throws when it has gone). With an idle timeout a
    /// watchdog runs beside it and cancels the upstream read that waited too long.
    public func run(write: @escaping @Sendable (ByteBuffer) async throws -> Void) async -> Summary {
        if let hold { return await runHeld(write: write, hold: hold) }
        let summary = await IdleWatch.race(idleTimeout, empty: Summary()) { watch in
            await self.relay(write: write, watch: watch)
        }
        onFinish(summary)
        return summary
    }

    struct HeldTooLong: Error {}

    /// The relay into a buffer; then what `hold` decides goes to the client in one write.
    func runHeld(
        write: @escaping @Sendable (ByteBuffer) async throws -> Void,
        hold: @Sendable (Summary) async -> ByteBuffer?
    ) async -> Summary {
        let held = NIOLockedValueBox(ByteBuffer())
        var summary = await IdleWatch.race(idleTimeout, empty: Summary()) { watch in
            await self.relay(
                write: { buffer in
                    try held.withLockedValue { held in
                        guard held.readableBytes + buffer.readableBytes <= Self.maximumHeld else { throw HeldTooLong() }
                        held.writeImmutableBuffer(buffer)
                    }
                },
                watch: watch
            )
        }
        if summary.clientGone, !Task.isCancelled {
            // Only the buffer refused more: the answer was too long to hold.
            summary.clientGone = false
            summary.upstreamError = "the answer is longer than a held stream may be (\(Self.maximumHeld) bytes)"
        }
        let replacement = await hold(summary)
        do {
            try await write(replacement ?? held.withLockedValue { $0 })
        } catch {
            summary.clientGone = true
        }
        onFinish(summary)
        return summary
    }

    func relay(write: (ByteBuffer) async throws -> Void, watch: IdleWatch?) async -> Summary {
        var summary = Summary()
        var parser = SSEParser(maximumEventSize: 8 * 1024 * 1024)
        var shaper = StreamShaper(deployment: deployment, clientWantsUsage: clientWantsUsage, shape: shape)
        shaper.conversion = conversion
        var events = ResponsesStreamShaper(deployment: deployment)
        func send(_ buffer: ByteBuffer) async throws {
            do { try await write(buffer) } catch { throw ClientGone() }
        }
        defer { watch?.finish() }
        do {
            for try await chunk in body {
                watch?.received()
                if summary.firstByteDate == nil { summary.firstByteDate = Date() }
                for event in try parser.feed(chunk.readableBytesView) {
                    if event.isDone {
                        summary.completed = true
                        if !responses { try await send(SSEWriter.done) }
                        continue
                    }
                    summary.events += 1
                    guard let json = try? JSON.parse(event.data) else {
                        // Not JSON: pass it on untouched; the client decides.
                        try await send(SSEWriter.encode(event))
                        continue
                    }
                    if responses {
                        let shaped = events.shape(json)
                        summary.absorb(responsesEvent: json, shaper: events)
                        try await send(SSEWriter.encode(json: shaped, event: json["type"]?.stringValue ?? "message"))
                        continue
                    }
                    if let usage = json["usage"], !usage.isNull { summary.usage = usage }
                    summary.absorb(json)
                    guard var shaped = shaper.shape(json) else { continue }
                    if case .object(var frame) = shaped, case .object(var usage)? = frame["usage"],
                        let cost = cost(.object(usage), summary.model)
                    {
                        usage["cost"] = .double(cost)
                        frame["usage"] = .object(usage)
                        shaped = .object(frame)
                    }
                    try await send(SSEWriter.encode(json: shaped))
                }
                watch?.waiting()
            }
            if !summary.completed {
                summary.upstreamError =
                    parser.finish()
                    ? "upstream stream ended in the middle of an event"
                    : responses
                        ? "upstream stream ended before response.completed" : "upstream stream ended without [DONE]"
            }
        } catch is ClientGone {
            summary.clientGone = true
            logger.debug("client went away mid-stream", metadata: ["events": "\(summary.events)"])
            return summary
        } catch {
            if let watch, watch.expired, let idleTimeout {
                summary.timedOut = true
                summary.upstreamError =
                    "the upstream sent nothing for \(StreamRelay.seconds(idleTimeout)) seconds (stream_timeout)"
            } else if Task.isCancelled {
                // Not the watchdog: the client's connection closed and its task was cancelled.
                summary.clientGone = true
                logger.debug("client went away mid-stream", metadata: ["events": "\(summary.events)"])
                return summary
            } else {
                summary.upstreamError = "upstream stream failed: \(String(describing: error).prefix(200))"
            }
        }
        if let reason = summary.upstreamError {
            logger.warning(
                "upstream stream broke",
                metadata: ["reason": "\(reason)", "events": "\(summary.events)", "model_id": "\(deployment.id)"]
            )
            let provider = ProxyError.providerName(deployment)
            let error =
                summary.timedOut
                ? OpenAIError(
                    status: 408,
                    message: "litellm.Timeout: \(provider)Exception - \(reason). model=\(deployment.upstreamModel)",
                    type: "timeout",
                    param: nil
                )
                : OpenAIError(
                    status: 500,
                    message: "litellm.APIConnectionError: \(provider)Exception - \(reason). "
                        + "model=\(deployment.upstreamModel)",
                    type: "api_connection_error",
                    param: nil
                )
            do {
                if responses {
                    let failed = events.failure(code: error.type ?? "api_error", message: error.message)
                    try await send(SSEWriter.encode(json: failed, event: "response.failed"))
                } else {
                    try await send(SSEWriter.encode(json: error.json))
                    try await send(SSEWriter.done)
                }
            } catch {
                summary.clientGone = true
            }
        }
        return summary
    }
}

extension StreamRelay {
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
