import Wire

/// `/completions` on a chat deployment, as LiteLLM serves it: the prompt becomes user messages of one chat call, and
/// the chat answer (or each stream chunk) comes back as a `text_completion`, `choices[i].text` from the message. And
/// the other way for a completions-only deployment (instruct models), which Azure refuses chat on: the messages'
/// text becomes the prompt and the completion comes back as a `chat.completion`.
enum TextCompletion {
    /// Which way a request crosses between the two operations, if at all.
    enum Conversion: Sendable {
        case none
        /// `/completions` on a chat deployment.
        case chatToText
        /// Chat on a completions-only deployment.
        case textToChat

        /// The body the upstream gets.
        func body(_ body: JSONObject) -> JSONObject {
            switch self {
            case .none: body
            case .chatToText: TextCompletion.chatBody(body)
            case .textToChat: TextCompletion.promptBody(body)
            }
        }

        /// The whole answer, in the client's operation.
        func answer(_ answer: JSON) -> JSON {
            switch self {
            case .none: answer
            case .chatToText: TextCompletion.answer(answer)
            case .textToChat: TextCompletion.chatAnswer(answer)
            }
        }
    }

    /// Legacy-only parameters a chat call does not take.
    static let completionOnly: Set<String> = ["prompt", "echo", "suffix", "best_of", "logprobs", "completion_config"]

    /// The chat request for a completions request: a string prompt is one user message, a list of strings one user
    /// message each (LiteLLM sends them in one call).
    static func chatBody(_ body: JSONObject) -> JSONObject {
        var chat = body
        let prompts: [JSON]
        switch body["prompt"] {
        case .array(let items)?: prompts = items.filter { $0.stringValue != nil }
        case let prompt?: prompts = [prompt.stringValue.map(JSON.string) ?? .string(prompt.serialized())]
        case nil: prompts = []
        }
        for key in completionOnly { chat.removeValue(forKey: key) }
        chat["messages"] = .array(prompts.map { ["role": "user", "content": $0] })
        return chat
    }

    /// A chat answer as a text completion: `id`, `created`, `model` and `usage` kept, each choice's message text.
    static func answer(_ chat: JSON) -> JSON {
        rewrite(chat, as: "text_completion", always: true) { choice in
            [
                "finish_reason": choice["finish_reason"] ?? nil, "index": choice["index"] ?? 0,
                "text": choice.value(at: "message.content") ?? "", "logprobs": nil,
            ]
        }
    }

    /// A chat stream chunk as a text-completion chunk (`choices[i].text` from the delta's content).
    static func chunk(_ chat: JSON) -> JSON {
        rewrite(chat, as: "text_completion", always: false) { choice in
            var text: JSONObject = ["index": choice["index"] ?? 0]
            if let content = choice.value(at: "delta.content"), !content.isNull { text["text"] = content }
            if let reason = choice["finish_reason"], !reason.isNull { text["finish_reason"] = reason }
            return .object(text)
        }
    }

    /// `json` with its `object` named anew (`always`, or only where it names one: Azure's prompt-filter frames carry
    /// none) and each choice rewritten.
    static func rewrite(_ json: JSON, as name: JSON, always: Bool, choice: (JSON) -> JSON) -> JSON {
        guard case .object(var object) = json else { return json }
        if always || object["object"] != nil { object["object"] = name }
        if case .array(let choices)? = object["choices"] { object["choices"] = .array(choices.map(choice)) }
        return .object(object)
    }

    /// Chat-only parameters a completions call does not take (`max_completion_tokens` becomes `max_tokens`).
    static let chatOnly: Set<String> = [
        "messages", "tools", "tool_choice", "functions", "function_call", "response_format", "parallel_tool_calls",
        "logprobs", "top_logprobs", "modalities", "audio", "prediction", "reasoning_effort", "store", "metadata",
        "max_completion_tokens", "data_sources", "user_security_context",
    ]

    /// The completions request for a chat request: each message's text, one per line, as the prompt.
    static func promptBody(_ body: JSONObject) -> JSONObject {
        var completion = body
        for key in chatOnly { completion.removeValue(forKey: key) }
        let texts = (body["messages"]?.arrayValue ?? []).compactMap { message -> String? in
            if let text = message["content"]?.stringValue { return text }
            let parts = message["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
            return parts.isEmpty ? nil : parts.joined(separator: "\n")
        }
        completion["prompt"] = .string(texts.joined(separator: "\n"))
        if completion["max_tokens"] == nil, let limit = body["max_completion_tokens"] {
            completion["max_tokens"] = limit
        }
        return completion
    }

    /// A completion as a chat answer: each choice's text as the assistant's message.
    static func chatAnswer(_ completion: JSON) -> JSON {
        rewrite(completion, as: "chat.completion", always: true) { choice in
            var chat = choice.objectValue ?? JSONObject()
            let text = chat.removeValue(forKey: "text") ?? ""
            chat["message"] = ["content": text, "role": "assistant"]
            return .object(chat)
        }
    }

    /// A completions stream chunk as a chat chunk (`delta.content` from the text).
    static func chatChunk(_ completion: JSON) -> JSON {
        rewrite(completion, as: "chat.completion.chunk", always: false) { choice in
            var chat = choice.objectValue ?? JSONObject()
            let text = chat.removeValue(forKey: "text")
            chat["delta"] = text.map { ["content": $0] } ?? [:]
            return .object(chat)
        }
    }
}
