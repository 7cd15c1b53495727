import Foundation
import Wire

/// Azure's Responses API objects and streams, made from a chat answer (generated or a scenario's): the response
/// object in Azure's key order (a reasoning item for reasoning models, with a summary when the request asks for
/// one; the message; usage with its details; `content_filters` for prompt and completion), and the event sequence
/// Azure streams for it (`event:` lines, `sequence_number` from 0, no `[DONE]`).
enum ResponsesSynthesizer {
    struct Delays {
        var first = 40.0
        var step = 8.0
        var text = 15.0
    }

    /// The completed response for `request` (the Responses body) answered with `chat` (a chat completion).
    static func response(
        request: JSON,
        chat: JSON,
        deployment: Deployment,
        id: String,
        createdAt: Int
    ) -> JSON {
        let text = chat.value(at: "choices.0.message.content")?.stringValue ?? ""
        let usage = chat["usage"] ?? nil
        let prompt = usage["prompt_tokens"]?.intValue ?? 0
        let reasoningTokens = usage.value(at: "completion_tokens_details.reasoning_tokens")?.intValue ?? 0
        let completion = usage["completion_tokens"]?.intValue ?? 0
        let cached = usage.value(at: "prompt_tokens_details.cached_tokens")?.intValue ?? 0
        let suffix = String(id.dropFirst("resp_".count))
        var output: [JSON] = []
        let wantsSummary = request.value(at: "reasoning.summary").map { !$0.isNull } ?? false
        if deployment.isReasoningModel {
            let summary: [JSON] =
                wantsSummary
                ? [["type": "summary_text", "text": .string("**Answering the question**\n\n" + summaryText(text))]] : []
            output.append(["id": .string("rs_" + suffix), "type": "reasoning", "summary": .array(summary)])
        }
        output.append([
            "id": .string("msg_" + suffix), "type": "message", "status": "completed",
            "content": [["type": "output_text", "annotations": [], "logprobs": [], "text": .string(text)]],
            "role": "assistant",
        ])
        var reasoning: JSON = nil
        if deployment.isReasoningModel {
            let summary = request.value(at: "reasoning.summary")?.stringValue
            reasoning = [
                "effort": request.value(at: "reasoning.effort") ?? "medium",
                "summary": summary.map { .string($0 == "auto" ? "detailed" : $0) } ?? nil,
            ]
        }
        return [
            "id": .string(id), "object": "response", "created_at": .int(createdAt), "status": "completed",
            "background": false, "content_filters": contentFilters(prompt: prompt, completion: text),
            "error": nil, "incomplete_details": nil, "instructions": request["instructions"] ?? nil,
            "max_output_tokens": request["max_output_tokens"] ?? nil, "max_tool_calls": nil,
            "model": .string(deployment.name), "output": .array(output), "parallel_tool_calls": true,
            "previous_response_id": request["previous_response_id"] ?? nil, "prompt_cache_key": nil,
            "reasoning": reasoning, "safety_identifier": nil, "service_tier": "default",
            "store": request["store"] ?? true, "temperature": .number("1.0"),
            "text": ["format": ["type": "text"], "verbosity": "medium"], "tool_choice": "auto",
            "tools": request["tools"] ?? [], "top_logprobs": 0, "top_p": .number("1.0"), "truncation": "disabled",
            "usage": [
                "input_tokens": .int(prompt), "input_tokens_details": ["cached_tokens": .int(cached)],
                "output_tokens": .int(completion), "output_tokens_details": ["reasoning_tokens": .int(reasoningTokens)],
                "total_tokens": .int(prompt + completion),
            ],
            "user": request["user"] ?? nil, "metadata": request["metadata"] ?? [:],
        ]
    }

    static func summaryText(_ text: String) -> String {
        "The user asks for an answer; I will reply briefly: " + String(text.prefix(60))
    }

    /// Azure's `content_filters`: nothing found in the prompt or the completion.
    static func contentFilters(prompt: Int, completion: String) -> JSON {
        [
            [
                "blocked": false, "source_type": "prompt", "content_filter_raw": [],
                "content_filter_results": AzureShapes.safePromptFilter()[0]?["content_filter_results"] ?? nil,
                "content_filter_offsets": ["start_offset": 0, "end_offset": .int(prompt * 4), "check_offset": 0],
            ],
            [
                "blocked": false, "source_type": "completion", "content_filter_raw": [],
                "content_filter_results": AzureShapes.safeChoiceFilter,
                "content_filter_offsets": [
                    "start_offset": 0, "end_offset": .int(completion.utf8.count), "check_offset": 0,
                ],
            ],
        ]
    }

    /// The stream Azure sends for `response`, event by event.
    static func events(for response: JSON, delays: Delays = Delays()) -> [StreamFrame] {
        var frames: [StreamFrame] = []
        func emit(_ type: String, _ fields: JSONObject, delay: Double) {
            var event: JSONObject = ["type": .string(type), "sequence_number": .int(frames.count)]
            for member in fields { event[member.key] = member.value }
            frames.append(StreamFrame(delayMs: delay, json: .object(event), event: type))
        }
        guard case .object(var snapshot) = response else { return [] }
        snapshot["status"] = "in_progress"
        snapshot["output"] = []
        snapshot["usage"] = .null
        snapshot["content_filters"] = .null
        snapshot["service_tier"] = "auto"
        emit("response.created", ["response": .object(snapshot)], delay: delays.first)
        emit("response.in_progress", ["response": .object(snapshot)], delay: 0)
        for (index, item) in (response["output"]?.arrayValue ?? []).enumerated() {
            let itemID = item["id"] ?? nil
            let position: JSON = .int(index)
            if item["type"] == "reasoning" {
                emit(
                    "response.output_item.added",
                    ["output_index": position, "item": setting(item, "summary", [])],
                    delay: delays.step
                )
                for (part, summary) in (item["summary"]?.arrayValue ?? []).enumerated() {
                    let text = summary["text"]?.stringValue ?? ""
                    let base: JSONObject = ["item_id": itemID, "output_index": position, "summary_index": .int(part)]
                    emit(
                        "response.reasoning_summary_part.added",
                        base.merging(["part": ["type": "summary_text", "text": ""]]),
                        delay: delays.step
                    )
                    for piece in StreamSynthesizer.pieces(of: text, wordsPerPiece: 2) {
                        emit(
                            "response.reasoning_summary_text.delta",
                            base.merging(["delta": .string(piece)]),
                            delay: delays.text
                        )
                    }
                    emit("response.reasoning_summary_text.done", base.merging(["text": .string(text)]), delay: 0)
                    emit(
                        "response.reasoning_summary_part.done",
                        base.merging(["part": ["type": "summary_text", "text": .string(text)]]),
                        delay: 0
                    )
                }
                emit("response.output_item.done", ["output_index": position, "item": item], delay: delays.step)
                continue
            }
            let text = item.value(at: "content.0.text")?.stringValue ?? ""
            var open = setting(item, "content", [])
            open = setting(open, "status", "in_progress")
            emit("response.output_item.added", ["output_index": position, "item": open], delay: delays.step)
            let base: JSONObject = ["item_id": itemID, "output_index": position, "content_index": 0]
            let emptyPart: JSON = ["type": "output_text", "annotations": [], "logprobs": [], "text": ""]
            emit("response.content_part.added", base.merging(["part": emptyPart]), delay: 0)
            for piece in StreamSynthesizer.pieces(of: text, wordsPerPiece: 2) {
                emit(
                    "response.output_text.delta",
                    base.merging(["delta": .string(piece), "logprobs": []]),
                    delay: delays.text
                )
            }
            emit("response.output_text.done", base.merging(["text": .string(text), "logprobs": []]), delay: 0)
            emit("response.content_part.done", base.merging(["part": item.value(at: "content.0") ?? nil]), delay: 0)
            emit("response.output_item.done", ["output_index": position, "item": item], delay: delays.step)
        }
        emit("response.completed", ["response": response], delay: delays.step)
        return frames
    }

    static func setting(_ object: JSON, _ key: String, _ value: JSON) -> JSON {
        guard case .object(var fields) = object else { return object }
        fields[key] = value
        return .object(fields)
    }
}

extension JSONObject {
    fileprivate func merging(_ other: JSONObject) -> JSONObject {
        var merged = self
        for member in other { merged[member.key] = member.value }
        return merged
    }
}
