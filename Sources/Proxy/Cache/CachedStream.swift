import Foundation
import NIOCore
import Wire

/// A cached chat answer replayed as a stream, as LiteLLM replays one: the content a word at a time (each piece
/// `\s*\S+\s*`, its whitespace kept), the role on the first chunk, reasoning and tool calls in chunks of their own, a
/// last chunk with an empty delta and the finish reason, the usage chunk when the client asked for it, `[DONE]`.
/// `id` is the stored answer's, `created` the replay's.
enum CachedStream {
    static func events(_ answer: JSON, clientWantsUsage: Bool, now: Date = Date()) -> ByteBuffer {
        var base: JSONObject = [
            "id": answer["id"] ?? .string(""), "created": .int(Int(now.timeIntervalSince1970)),
            "model": answer["model"] ?? .string(""), "object": "chat.completion.chunk",
        ]
        if let fingerprint = answer["system_fingerprint"], !fingerprint.isNull {
            base["system_fingerprint"] = fingerprint
        }
        var out = ByteBuffer()
        func send(_ choices: [JSON], usage: JSON? = nil) {
            var chunk = base
            chunk["choices"] = .array(choices)
            if let usage { chunk["usage"] = usage }
            var frame = SSEWriter.encode(json: .object(chunk))
            out.writeBuffer(&frame)
        }
        for (position, choice) in (answer["choices"]?.arrayValue ?? []).enumerated() {
            let index = choice["index"] ?? .int(position)
            let message = choice["message"]?.objectValue ?? JSONObject()
            var deltas: [JSONObject] = []
            if let reasoning = message["reasoning_content"]?.stringValue, !reasoning.isEmpty {
                deltas.append(["reasoning_content": .string(reasoning)])
            }
            deltas += words(message["content"]?.stringValue ?? "").map { ["content": .string($0)] }
            if let calls = message["tool_calls"]?.arrayValue, !calls.isEmpty {
                let indexed = calls.enumerated().map { offset, call -> JSON in
                    guard case .object(var object) = call else { return call }
                    object["index"] = .int(offset)
                    return .object(object)
                }
                deltas.append(["tool_calls": .array(indexed)])
            }
            if deltas.isEmpty { deltas.append(["content": ""]) }
            deltas[0]["role"] = message["role"] ?? "assistant"
            for delta in deltas {
                send([["index": index, "delta": .object(delta), "finish_reason": .null]])
            }
            send([["index": index, "delta": .object(JSONObject()), "finish_reason": choice["finish_reason"] ?? "stop"]])
        }
        if clientWantsUsage, let usage = answer["usage"], !usage.isNull { send([], usage: usage) }
        var done = SSEWriter.done
        out.writeBuffer(&done)
        return out
    }

    /// LiteLLM's `\s*\S+\s*` pieces: each word with the whitespace around it, so the pieces join back to the text.
    static func words(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var sawWord = false
        for character in text {
            if !character.isWhitespace, sawWord, current.last?.isWhitespace == true {
                pieces.append(current)
                current = ""
            }
            current.append(character)
            sawWord = sawWord || !character.isWhitespace
        }
        if sawWord { pieces.append(current) }
        return pieces
    }
}
