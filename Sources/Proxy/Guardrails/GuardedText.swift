import Wire

/// The texts of a request or an answer that guardrails read and mask: chat messages (string content or text parts),
/// a completion's prompt, embeddings' input, a Responses input; an answer's message content, completion text or
/// Responses output text. Everything else (tools, images, ids) is left as it is.
enum GuardedText {
    /// Applies `transform` to every text of a request body, in place.
    static func mapRequest(_ body: inout JSONObject, _ transform: (String) throws -> String) rethrows {
        if let messages = body["messages"]?.arrayValue {
            body["messages"] = .array(try messages.map { try mapContent(of: $0, key: "content", transform) })
        }
        if case .string(let text)? = body["instructions"] { body["instructions"] = .string(try transform(text)) }
        for key in ["prompt", "input"] {
            guard let value = body[key] else { continue }
            switch value {
            case .string(let text): body[key] = .string(try transform(text))
            case .array(let items):
                body[key] = .array(
                    try items.map { item in
                        if case .string(let text) = item { return .string(try transform(text)) }
                        return try mapContent(of: item, key: "content", transform)
                    }
                )
            default: break
            }
        }
    }

    /// Applies `transform` to every text of an answer (chat, completion or Responses), in place.
    static func mapAnswer(_ answer: inout JSON, _ transform: (String) throws -> String) rethrows {
        if let choices = answer["choices"]?.arrayValue {
            answer["choices"] = .array(
                try choices.map { choice in
                    var choice = choice
                    if case .string(let text)? = choice["text"] { choice["text"] = .string(try transform(text)) }
                    if let message = choice["message"] {
                        choice["message"] = try mapContent(of: message, key: "content", transform)
                    }
                    return choice
                }
            )
        }
        if let output = answer["output"]?.arrayValue {
            answer["output"] = .array(try output.map { try mapContent(of: $0, key: "content", transform) })
        }
    }

    /// The last user message's text, its parts joined as they are (what LiteLLM's Prompt Shields and moderation
    /// read before a call), else the prompt or input.
    static func userTurn(_ body: JSONObject) -> String {
        // A list of messages (chat, or a Responses input of items); a list of strings is read as the texts it is.
        if let messages = body["messages"]?.arrayValue
            ?? body["input"]?.arrayValue.flatMap({ items in items.contains { $0.objectValue != nil } ? items : nil })
        {
            let last = messages.last { $0["role"]?.stringValue == "user" }
            return texts(of: last?["content"]).joined()
        }
        return ["prompt", "input"].flatMap { texts(of: body[$0]) }.joined(separator: "\n")
    }

    /// Every text of an answer, joined (what moderation reads after a call).
    static func answerText(_ answer: JSON) -> String {
        var texts: [String] = []
        var copy = answer
        mapAnswer(&copy) { text in
            texts.append(text)
            return text
        }
        return texts.joined(separator: "\n")
    }

    static func texts(of content: JSON?) -> [String] {
        switch content {
        case .string(let text)?: return [text]
        case .array(let parts)?:
            return parts.flatMap { part -> [String] in
                if case .string(let text) = part { return [text] }
                return part["text"]?.stringValue.map { [$0] } ?? []
            }
        default: return []
        }
    }

    /// `item` with the texts of its `key` member transformed: a string, or a list of parts with `text`.
    static func mapContent(of item: JSON, key: String, _ transform: (String) throws -> String) rethrows -> JSON {
        var item = item
        switch item[key] {
        case .string(let text)?: item[key] = .string(try transform(text))
        case .array(let parts)?:
            item[key] = .array(
                try parts.map { part in
                    var part = part
                    if case .string(let text)? = part["text"] { part["text"] = .string(try transform(text)) }
                    return part
                }
            )
        default: break
        }
        return item
    }
}
