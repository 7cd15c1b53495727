/// A read-only view of an OpenAI request body: the few fields routing and matching need, decoded lazily from the
/// JSON that is otherwise passed on untouched.
public struct ChatRequest: Sendable {
    public var body: JSON

    public init(body: JSON) { self.body = body }

    public var model: String? { body["model"]?.stringValue }

    /// `stream: true`; any other value (absent, false, null) is a plain request.
    public var isStream: Bool { body["stream"]?.boolValue == true }

    /// `stream_options.include_usage: true`.
    public var includeUsage: Bool { body.value(at: "stream_options.include_usage")?.boolValue == true }

    public var messages: [JSON]? { body["messages"]?.arrayValue }

    /// The text of the last message whose role is `user` (string content, or its text parts joined).
    public var lastUserMessageText: String? {
        guard let messages else { return nil }
        for message in messages.reversed() where message["role"]?.stringValue == "user" {
            return ChatRequest.text(of: message["content"])
        }
        return nil
    }

    /// `max_completion_tokens`, else `max_tokens`.
    public var maxOutputTokens: Int? {
        body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue
    }

    /// Text of a message `content`: a string, or an array of parts whose `text` members are joined.
    public static func text(of content: JSON?) -> String? {
        switch content {
        case .string(let text): return text
        case .array(let parts):
            let texts = parts.compactMap { $0["text"]?.stringValue }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        default: return nil
        }
    }
}

/// A rough token count (about four characters a token), used where no tokenizer answer exists: MockAzure's
/// generated usage and rate-limit cost estimates.
public enum TokenEstimate {
    public static func text(_ text: String) -> Int {
        max(1, (text.unicodeScalars.count + 3) / 4)
    }

    /// Prompt tokens of a chat request: each message's text plus 3 for its framing, plus 3 for the reply's priming.
    public static func prompt(of request: ChatRequest) -> Int {
        if let messages = request.messages {
            return messages.reduce(3) { total, message in
                total + 3 + (ChatRequest.text(of: message["content"]).map(text) ?? 0)
            }
        }
        switch request.body["prompt"] ?? request.body["input"] {
        case .string(let value): return text(value)
        case .array(let values): return values.reduce(0) { $0 + ($1.stringValue.map(text) ?? 1) }
        default: return 1
        }
    }
}
