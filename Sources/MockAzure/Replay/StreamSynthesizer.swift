import Wire

/// Turns a complete chat or completions body into the frames Azure would stream for it: the prompt-filter frame,
/// the role frame, multi-word content frames each with filter results, the stop frame, the usage frame when asked
/// for, and `[DONE]`. Also adapts recorded frames to the request's `include_usage`.
enum StreamSynthesizer {
    struct Delays {
        var first: Double = 40
        var role: Double = 5
        var content: Double = 15
        var end: Double = 3
    }

    static func frames(for body: JSON, includeUsage: Bool, delays: Delays = Delays()) -> [StreamFrame] {
        let isCompletion = body["object"]?.stringValue == "text_completion"
        var frames: [StreamFrame] = []
        let header: [(String, JSON)] = [
            ("created", body["created"] ?? 0),
            ("id", body["id"] ?? ""),
            ("model", body["model"] ?? ""),
            ("object", .string(isCompletion ? "text_completion" : "chat.completion.chunk")),
            ("system_fingerprint", body["system_fingerprint"] ?? nil),
        ]
        func chunk(_ choices: [JSON], usage: JSON? = nil) -> JSON {
            var object = JSONObject([("choices", .array(choices))])
            for (key, value) in header { object[key] = value }
            if includeUsage { object["usage"] = usage ?? .null }
            return .object(object)
        }
        if let promptFilter = body["prompt_filter_results"] {
            frames.append(
                StreamFrame(
                    delayMs: delays.first,
                    json: [
                        "choices": [], "created": 0, "id": "", "model": "", "object": "",
                        "prompt_filter_results": promptFilter,
                    ]
                )
            )
        }
        for choice in body["choices"]?.arrayValue ?? [] {
            let index = choice["index"] ?? 0
            let filter = choice["content_filter_results"] ?? [:]
            if isCompletion {
                for piece in pieces(of: choice["text"]?.stringValue ?? "") {
                    frames.append(
                        StreamFrame(
                            delayMs: delays.content,
                            json: chunk([
                                [
                                    "content_filter_results": filter, "finish_reason": nil, "index": index,
                                    "logprobs": nil, "text": .string(piece),
                                ]
                            ])
                        )
                    )
                }
            } else {
                let message = choice["message"] ?? [:]
                frames.append(
                    StreamFrame(
                        delayMs: frames.isEmpty ? delays.first : delays.role,
                        json: chunk([
                            [
                                "content_filter_results": [:],
                                "delta": ["content": "", "refusal": nil, "role": "assistant"], "finish_reason": nil,
                                "index": index, "logprobs": nil,
                            ]
                        ])
                    )
                )
                for piece in pieces(of: message["content"]?.stringValue ?? "") {
                    frames.append(
                        StreamFrame(
                            delayMs: delays.content,
                            json: chunk([
                                [
                                    "content_filter_results": filter, "delta": ["content": .string(piece)],
                                    "finish_reason": nil, "index": index, "logprobs": nil,
                                ]
                            ])
                        )
                    )
                }
                for (callIndex, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
                    let arguments = call.value(at: "function.arguments")?.stringValue ?? ""
                    let opening: JSON = [
                        "index": .int(callIndex), "id": call["id"] ?? nil, "type": "function",
                        "function": ["name": call.value(at: "function.name") ?? "", "arguments": ""],
                    ]
                    frames.append(
                        StreamFrame(
                            delayMs: delays.content,
                            json: chunk([
                                [
                                    "content_filter_results": [:], "delta": ["tool_calls": [opening]],
                                    "finish_reason": nil, "index": index, "logprobs": nil,
                                ]
                            ])
                        )
                    )
                    for piece in argumentPieces(of: arguments) {
                        let delta: JSON = [
                            "tool_calls": [["index": .int(callIndex), "function": ["arguments": .string(piece)]]]
                        ]
                        frames.append(
                            StreamFrame(
                                delayMs: delays.content,
                                json: chunk([
                                    [
                                        "content_filter_results": [:], "delta": delta, "finish_reason": nil,
                                        "index": index, "logprobs": nil,
                                    ]
                                ])
                            )
                        )
                    }
                }
            }
            let stop: JSON =
                isCompletion
                ? [
                    "content_filter_results": [:], "finish_reason": choice["finish_reason"] ?? "stop", "index": index,
                    "logprobs": nil, "text": "",
                ]
                : [
                    "content_filter_results": [:], "delta": [:], "finish_reason": choice["finish_reason"] ?? "stop",
                    "index": index, "logprobs": nil,
                ]
            frames.append(StreamFrame(delayMs: delays.end, json: chunk([stop])))
        }
        if includeUsage, let usage = body["usage"] {
            frames.append(StreamFrame(delayMs: delays.end, json: chunk([], usage: usage)))
        }
        frames.append(StreamFrame(delayMs: delays.end, data: "[DONE]"))
        return frames
    }

    /// Azure filters output in blocks, so content arrives a few words at a time.
    static func pieces(of text: String, wordsPerPiece: Int = 3) -> [String] {
        guard !text.isEmpty else { return [] }
        var result: [String] = []
        var current = ""
        var words = 0
        for character in text {
            current.append(character)
            if character == " " {
                words += 1
                if words == wordsPerPiece {
                    result.append(current)
                    current = ""
                    words = 0
                }
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func argumentPieces(of text: String, size: Int = 8) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count == size {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Recorded streams carry the usage frame (they were recorded with `include_usage`). A request that did not ask
    /// for usage gets them as Azure would send them: no usage frame and no `"usage": null` members.
    static func adapt(_ frames: [StreamFrame], includeUsage: Bool) -> [StreamFrame] {
        guard !includeUsage else { return frames }
        var result: [StreamFrame] = []
        var carriedDelay = 0.0
        for frame in frames {
            guard case .object(var object)? = try? JSON.parse(frame.data), let usage = object["usage"] else {
                result.append(StreamFrame(delayMs: frame.delayMs + carriedDelay, data: frame.data))
                carriedDelay = 0
                continue
            }
            if !usage.isNull, object["choices"]?.arrayValue?.isEmpty == true {
                carriedDelay += frame.delayMs
                continue
            }
            object.removeValue(forKey: "usage")
            result.append(StreamFrame(delayMs: frame.delayMs + carriedDelay, json: .object(object)))
            carriedDelay = 0
        }
        return result
    }
}
