import NIOCore
import Tracing
import Wire

extension Span {
    /// Adds `extra` in one write: an OpenTelemetry span keeps its attributes under a lock, and each single
    /// `attributes[key] = value` copies all of them.
    func add(_ extra: SpanAttributes) {
        guard isRecording else { return }
        var all = attributes
        extra.forEach { all.set($0, value: $1) }
        attributes = all
    }

    /// An error's status and type on the span, not its message: an authentication refusal's message quotes part of
    /// the key it was given, an upstream's may quote the prompt.
    func failed(_ error: ProxyError) {
        var extra = SpanAttributes()
        extra["http.response.status_code"] = error.status
        extra["error.type"] = error.error.type ?? "\(error.status)"
        add(extra)
        setStatus(SpanStatus(code: .error, message: error.error.type))
    }

    /// The stream relay's end: events written and how it ended (`completed`, `client_gone`, an upstream failure).
    func ended(_ summary: StreamRelay.Summary) {
        var extra = SpanAttributes()
        extra["litellm.stream.events"] = summary.events
        extra["litellm.stream.outcome"] = summary.outcome
        if summary.upstreamError != nil {
            extra["error.type"] = summary.timedOut ? "timeout" : "api_connection_error"
            setStatus(SpanStatus(code: .error))
        }
        add(extra)
        end()
    }
}

extension SpanAttributes {
    /// LiteLLM's LLM-span attributes (its opentelemetry.py set_attributes) and the GenAI semantic conventions', from
    /// what the request path already knows: model, deployment, tokens, cost, finish reasons. Text only when asked.
    init(_ facts: RequestFacts, cost: Double?, content: Bool) {
        self.init()
        self["gen_ai.system"] = facts.deployment.provider.rawValue
        self["gen_ai.operation.name"] = facts.operation.genAIOperation
        self["llm.request.type"] = facts.operation.callType
        self["gen_ai.request.model"] = facts.requestedModel ?? facts.deployment.modelName
        self["litellm.model_group"] = facts.deployment.modelName
        self["litellm.model_id"] = facts.deployment.id
        self["litellm.provider.model"] = facts.deployment.model
        self["litellm.call_id"] = facts.callID
        self["llm.is_streaming"] = facts.request["stream"]?.boolValue ?? false
        if let base = facts.deployment.publicAPIBase ?? facts.deployment.apiBase { self["server.address"] = base }
        if let model = facts.upstreamModel { self["gen_ai.response.model"] = model }
        if let id = facts.answerID { self["gen_ai.response.id"] = id }
        if let usage = facts.usage {
            if let input = usage["prompt_tokens"]?.tokenCount { self["gen_ai.usage.input_tokens"] = input }
            if let output = usage["completion_tokens"]?.tokenCount { self["gen_ai.usage.output_tokens"] = output }
            if let total = usage["total_tokens"]?.tokenCount { self["gen_ai.usage.total_tokens"] = total }
        }
        if let cost { self["gen_ai.cost.total_cost"] = cost }
        let reasons = facts.finishReasons
        if !reasons.isEmpty { self["gen_ai.response.finish_reasons"] = reasons }
        if let hit = facts.cacheHit { self["litellm.cache_hit"] = hit }
        self["litellm.retries"] = facts.retries
        self["litellm.fallbacks"] = facts.fallbacks
        if case .virtualKey(_, let alias?, _) = facts.caller.kind { self["metadata.user_api_key_alias"] = alias }
        if let team = facts.caller.teamID { self["metadata.user_api_key_team_id"] = team }
        if let user = facts.caller.userID { self["metadata.user_api_key_user_id"] = user }
        if let endUser = facts.caller.endUserID { self["llm.user"] = endUser }
        if let error = facts.error {
            self["http.response.status_code"] = error.status
            self["error.type"] = error.error.type ?? "\(error.status)"
        }
        guard content else { return }
        if let messages = facts.request["messages"] ?? facts.request["input"] {
            self["gen_ai.input.messages"] = messages.serialized()
        }
        // As the spend row keeps it: masked by a `logging_only` guardrail.
        if let answer = facts.answer {
            self["gen_ai.output.messages"] = (facts.maskLogged?(answer) ?? answer).serialized()
        }
    }
}

extension RequestFacts {
    /// The answer's finish reasons (`stop`, `length`, `tool_calls`, `content_filter`): from the parsed answer when
    /// there is one, else read off the answer's bytes without parsing them (the hot path passes them on unparsed).
    var finishReasons: [String] {
        if let response {
            return response["choices"]?.arrayValue?.compactMap { $0["finish_reason"]?.stringValue } ?? []
        }
        guard let body = responseBody else { return [] }
        return body.withUnsafeReadableBytes { Self.stringValues(of: "finish_reason", in: $0) }
    }

    /// Every string value of `key` in JSON text, found by scanning for `"key"`, a colon and a string (no escapes in
    /// such values: they are enum-like words).
    static func stringValues(of key: String, in text: UnsafeRawBufferPointer) -> [String] {
        let needle = Array("\"\(key)\"".utf8)
        var found: [String] = []
        var index = 0
        while index + needle.count <= text.count {
            guard text[index] == needle[0], text[index ..< index + needle.count].elementsEqual(needle) else {
                index += 1
                continue
            }
            var cursor = index + needle.count
            while cursor < text.count, text[cursor] == 0x20 || text[cursor] == 0x3A { cursor += 1 }
            if cursor < text.count, text[cursor] == 0x22, let end = text[(cursor + 1)...].firstIndex(of: 0x22) {
                found.append(
                    String(decoding: UnsafeRawBufferPointer(rebasing: text[(cursor + 1) ..< end]), as: UTF8.self)
                )
                cursor = end
            }
            index = cursor + 1
        }
        return found
    }
}

extension ProxyOperation {
    /// The GenAI semantic conventions' `gen_ai.operation.name`.
    var genAIOperation: String {
        switch self {
        case .chatCompletions: "chat"
        case .completions: "text_completion"
        case .embeddings: "embeddings"
        case .responses: "responses"
        default: rawValue
        }
    }
}
