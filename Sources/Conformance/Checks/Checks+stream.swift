import Foundation
import MockAzure
import Wire

extension ConformanceCatalog {
    /// The recorded frames of a shipped scenario, to compare a relayed stream's timing against.
    static func fixtureFrames(_ name: String) -> [StreamFrame]? {
        let folder = ProcessInfo.processInfo.environment["CONFORMANCE_FIXTURES"] ?? "fixtures"
        return (try? FixtureLoader.loadScenario(file: "\(folder)/scenarios/\(name).yaml"))?.response.frames
    }

    /// Stream scenarios a client loop must read whole, by the prompt that selects each.
    static let loopPrompts = [
        ConformanceResources.seedPrompt, "#mock-scenario: stream-async-filter", "#mock-scenario: stream-tool-calls",
        "#mock-scenario: stream-output-filtered",
    ]

    /// Streams every `loopPrompts` scenario; each chunk must be readable by the quickstart loop.
    static func quickstartLoop(_ c: CheckContext, includeUsage: Bool) async throws -> JSON {
        try c.requireModel(c.target.chatModel)
        var chunks = 0
        for prompt in loopPrompts {
            let stream = try await c.stream(
                "/chat/completions",
                c.chat(c.target.chatModel, prompt, stream: true, includeUsage: includeUsage ? true : nil)
            )
            let unreadable = unreadableFrames(stream.json, includeUsage: includeUsage)
            try c.expect(
                unreadable.isEmpty,
                "\(prompt): a chunk without choices[0].delta",
                observed: unreadable.first ?? nil
            )
            chunks += stream.json.count
        }
        return ["chunks": .int(chunks)]
    }

    /// The frames of a stream OpenAI's quickstart loop (`chunk.choices[0].delta.content`) cannot read; with
    /// `include_usage` the last frame is the usage frame, with no choices as OpenAI's own.
    static func unreadableFrames(_ frames: [JSON], includeUsage: Bool) -> [JSON] {
        let readable = includeUsage ? frames.dropLast() : frames[...]
        return readable.filter { $0.value(at: "choices.0.delta")?.objectValue == nil }
    }

    static var stream: [ConformanceCheck] {
        [
            ConformanceCheck(
                "stream.sse-wire",
                .stream,
                "SSE on the wire: data: lines, blank-line separators, one JSON per event, exactly one [DONE], last"
            ) { c in
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt, stream: true)
                )
                let text = String(decoding: stream.raw, as: UTF8.self)
                let blocks = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                try c.expect(text.hasSuffix("\n\n"), "stream does not end with a blank line")
                try c.expect(
                    blocks.allSatisfy { $0.hasPrefix("data: ") && !$0.contains("\n") },
                    "an event is not a single data: line"
                )
                let payloads = blocks.map { String($0.dropFirst(6)) }
                try c.expect(
                    payloads.filter { $0 == "[DONE]" }.count == 1 && payloads.last == "[DONE]",
                    "[DONE] count \(payloads.filter { $0 == "[DONE]" }.count), last \(payloads.last ?? "none")"
                )
                try c.expect(payloads.dropLast().allSatisfy { (try? JSON.parse($0)) != nil }, "an event is not JSON")
                return ["events": .int(payloads.count)]
            },
            ConformanceCheck(
                "stream.frames-unmerged",
                .stream,
                "Each upstream frame is relayed on its own, at the fixture's pace (never merged or held)",
                litellm: .deviation("with include_usage sends Azure's prompt-filter frame apart, as choices []"),
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let expected = try fixtureFrames("stream-basic").orFail(
                    "fixture stream-basic not found (set CONFORMANCE_FIXTURES)"
                ).promptFilterFrameMerged
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "Say hello in three languages", stream: true, includeUsage: true)
                )
                try c.expect(
                    stream.events.count == expected.count,
                    "\(stream.events.count) events, fixture has \(expected.count)"
                )
                try c.expect(
                    Set(stream.events.map(\.readIndex)).count == stream.events.count,
                    "events merged: \(stream.events.count) events in \(Set(stream.events.map(\.readIndex)).count) reads"
                )
                let scheduled = expected.reduce(0) { $0 + $1.delayMs }
                var worst = Duration.zero
                // Gaps between consecutive frames follow the recorded delays (a held frame shows as a short gap later).
                for index in 1 ..< min(stream.events.count, expected.count) {
                    let gap = stream.events[index].elapsed - stream.events[index - 1].elapsed
                    let recorded = Duration.milliseconds(expected[index].delayMs)
                    let late = gap > recorded ? gap - recorded : recorded - gap
                    worst = max(worst, late)
                }
                try c.expect(worst <= c.target.timingTolerance, "a frame was off its schedule by \(worst)")
                return [
                    "worst_deviation_ms": .double(
                        Double(worst.components.attoseconds) / 1e15 + Double(worst.components.seconds) * 1000
                    ), "scheduled_ms": .double(scheduled),
                ]
            },
            ConformanceCheck(
                "stream.ttft-overhead",
                .stream,
                "Time to first token through the proxy stays within the tolerance of the fixture's first delay",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let expected = try fixtureFrames("stream-basic").orFail("fixture stream-basic not found")
                    .promptFilterFrameMerged
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "Say hello in three languages", stream: true)
                )
                let first = try stream.events.first.orFail("no events")
                let overhead = first.elapsed - .milliseconds(expected[0].delayMs)
                try c.expect(
                    overhead <= c.target.timingTolerance,
                    "first event after \(first.elapsed); fixture delay \(expected[0].delayMs) ms"
                )
                return [
                    "overhead_ms": .double(
                        Double(overhead.components.seconds) * 1000 + Double(overhead.components.attoseconds) / 1e15
                    )
                ]
            },
            ConformanceCheck(
                "stream.include-usage",
                .stream,
                "With include_usage: usage null on every chunk, then a last chunk with choices [] and usage"
            ) { c in
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt, stream: true, includeUsage: true)
                )
                let chunks = stream.json.filter { $0["object"]?.stringValue == "chat.completion.chunk" }
                let last = try chunks.last.orFail("no chunks")
                try c.expect(
                    last["choices"] == [] && last.value(at: "usage.total_tokens") != nil,
                    "last chunk has no usage",
                    observed: last
                )
                try c.expect(
                    chunks.dropLast().allSatisfy { $0["usage"] == nil || $0["usage"] == .null },
                    "usage on a content chunk"
                )
                return last["usage"] ?? nil
            },
            ConformanceCheck("stream.no-usage-unasked", .stream, "Without include_usage no usage chunk is sent") { c in
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt, stream: true)
                )
                let withUsage = stream.json.filter { ($0["usage"].map { !$0.isNull } ?? false) }
                try c.expect(withUsage.isEmpty, "\(withUsage.count) chunks carry usage")
                try c.expect(stream.events.last?.event.isDone == true, "no [DONE]")
                return ["chunks": .int(stream.json.count)]
            },
            ConformanceCheck(
                "stream.prompt-filter-frame",
                .stream,
                "Azure's prompt_filter_results reach the client, on the first frame that has choices",
                litellm: .deviation("drops Azure's prompt-filter frame"),
                requires: .mock
            ) { c in
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.model, ConformanceResources.seedPrompt, stream: true)
                )
                let first = try stream.json.first.orFail("no chunks")
                try c.expect(
                    first["prompt_filter_results"] != nil && first["choices"]?.arrayValue?.isEmpty == false,
                    "the first chunk does not carry choices and prompt_filter_results",
                    observed: first
                )
                return ["events": .int(stream.events.count)]
            },
            ConformanceCheck(
                "stream.quickstart-loop",
                .stream,
                "Every chunk has choices[0].delta (the quickstart loop reads every stream), annotations included",
                requires: .mock
            ) { c in try await quickstartLoop(c, includeUsage: false) },
            ConformanceCheck(
                "stream.quickstart-loop-usage",
                .stream,
                "With include_usage every chunk but the last (usage) has choices[0].delta",
                litellm: .deviation("sends Azure's prompt-filter frame as a first chunk with choices []"),
                requires: .mock
            ) { c in try await quickstartLoop(c, includeUsage: true) },
            ConformanceCheck(
                "stream.azure-shape-opt-in",
                .stream,
                "x-stream-shape: azure relays Azure's own frames (the prompt-filter frame with choices [])",
                litellm: .deviation("no raw frames on /chat/completions (only its /azure pass-through route)"),
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-scenario: stream-async-filter", stream: true),
                    headers: [("x-stream-shape", "azure")]
                )
                let first = try stream.json.first.orFail("no chunks")
                try c.expect(
                    first["choices"] == [] && first["prompt_filter_results"] != nil,
                    "the first frame is not Azure's prompt-filter frame",
                    observed: first
                )
                try c.expect(
                    stream.json.contains {
                        $0.value(at: "choices.0.content_filter_offsets") != nil
                            && $0.value(at: "choices.0.delta") == nil
                    },
                    "no annotation frame as Azure sends it"
                )
                return ["chunks": .int(stream.json.count)]
            },
            ConformanceCheck(
                "stream.annotation-frames",
                .stream,
                "Asynchronous-filter annotation frames (content_filter_offsets, after the stop frame) are kept",
                litellm: .deviation("drops chunks without a delta"),
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "#mock-scenario: stream-async-filter", stream: true)
                )
                let chunks = stream.json
                let stop = try chunks.firstIndex { $0.value(at: "choices.0.finish_reason") == "stop" }.orFail(
                    "no stop frame"
                )
                try c.expect(
                    chunks[(stop + 1)...].contains { $0.value(at: "choices.0.content_filter_offsets") != nil },
                    "no annotation frame after the stop frame"
                )
                return ["chunks": .int(chunks.count)]
            },
            ConformanceCheck(
                "stream.content-filter-results",
                .stream,
                "Streamed content chunks keep their content_filter_results",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "Say hello in three languages", stream: true)
                )
                let filtered = stream.json.filter {
                    $0.value(at: "choices.0.content_filter_results.hate") != nil
                        || $0.value(at: "choices.0.provider_specific_fields.content_filter_results.hate") != nil
                }
                try c.expect(!filtered.isEmpty, "no chunk carries content_filter_results")
                return ["chunks_with_results": .int(filtered.count)]
            },
            ConformanceCheck(
                "stream.tool-call-deltas",
                .stream,
                "Streamed tool-call argument deltas reassemble to valid JSON",
                requires: .mock
            ) { c in
                try c.requireModel(c.target.chatModel)
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.chatModel, "What is the weather in Tokyo?", stream: true)
                )
                let arguments = stream.json.compactMap {
                    $0.value(at: "choices.0.delta.tool_calls.0.function.arguments")?.stringValue
                }.joined()
                try c.expect(
                    (try? JSON.parse(arguments))?["location"] == "Tokyo",
                    "arguments reassemble to \(arguments)"
                )
                return .string(arguments)
            },
            ConformanceCheck(
                "stream.o-series-native",
                .stream,
                "An o-series stream is relayed natively, several content frames with reasoning usage",
                litellm: .deviation("fakes o4-mini streaming: one non-streamed answer replayed as chunks"),
                requires: .mock
            ) { c in
                let stream = try await c.stream(
                    "/chat/completions",
                    c.chat(c.target.model, "Explain streaming in one sentence", stream: true, includeUsage: true)
                )
                let content = stream.json.filter {
                    $0.value(at: "choices.0.delta.content")?.stringValue?.isEmpty == false
                }
                try c.expect(content.count >= 3, "\(content.count) content frames")
                let reasoning =
                    stream.json.last?.value(at: "usage.completion_tokens_details.reasoning_tokens")?.intValue ?? 0
                try c.expect(reasoning > 0, "no reasoning tokens in the usage chunk")
                let times = stream.events.map(\.elapsed)
                try c.expect(
                    times.count > 2 && times[times.count - 2] - times[0] > .milliseconds(20),
                    "frames arrived together"
                )
                return ["content_frames": .int(content.count), "reasoning_tokens": .int(reasoning)]
            },
        ]
    }
}
