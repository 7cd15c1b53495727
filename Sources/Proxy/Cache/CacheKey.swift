import Wire

/// LiteLLM's exact-match cache key (`Cache.get_cache_key`): each parameter that changes an answer, in the request's
/// order, written `name: value` with Python's `str()` and no separator, the model as its model group; the SHA-256 of
/// that text in hex, behind `namespace:` when one is set. The same request gives LiteLLM's key.
enum CacheKey {
    /// `ModelParamHelper.get_all_llm_api_params()` of LiteLLM 1.110.2: the OpenAI, Responses, rerank, transcription
    /// and Anthropic request fields (less `metadata`); a field outside it (a provider's own) does not change the key.
    static let parameters: Set<String> = [
        "access_programs", "audio", "background", "background_options", "best_of", "cache_control",
        "chunking_strategy", "compaction", "container", "context_management", "conversation", "dimensions", "documents",
        "echo", "encoding_format", "file", "frequency_penalty", "function_call", "functions", "image", "include",
        "inference_geo", "input", "instruction", "instructions", "keywords", "known_speaker_names",
        "known_speaker_references", "language", "languages", "logit_bias", "logprobs", "max_chunks_per_doc",
        "max_completion_tokens", "max_output_tokens", "max_tokens", "max_tokens_per_doc", "max_tokens_per_query",
        "max_tool_calls", "mcp_servers", "messages", "modalities", "model", "moderation", "n", "output_config",
        "output_format", "parallel_tool_calls", "prediction", "presence_penalty", "previous_response_id", "prompt",
        "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "query", "rank_fields", "reasoning",
        "reasoning_effort", "response_format", "return_documents", "safeguards", "safety_identifier", "seed",
        "service_tier", "speed", "stop", "stop_sequences", "store", "stream", "stream_options", "suffix", "system",
        "temperature", "text", "thinking", "timestamp_granularities", "tool_choice", "tools", "top_k", "top_logprobs",
        "top_n", "top_p", "truncate_prompt_tokens", "truncation", "truncation_side", "user", "verbosity",
        "web_search_options",
    ]

    /// The text that is hashed, as LiteLLM's proxy gives it: `model` (the group the request was routed on, whatever
    /// the body named) and `messages` first, as the router passes them, then the other parameters in the body's
    /// order. A chat request without `stream` gets LiteLLM's `stream: False`; a chat stream without `stream_options`
    /// gets the `include_usage` LiteLLM adds (both seen in LiteLLM 1.110.2's own keys).
    static func material(_ body: JSONObject, group: String, chat: Bool) -> String {
        var text = "model: " + group
        if let messages = body["messages"], !messages.isNull {
            text += "messages: "
            PythonText.append(messages, quoted: false, to: &text)
        }
        for member in body where parameters.contains(member.key) && !member.value.isNull {
            guard member.key != "model", member.key != "messages" else { continue }
            text += member.key + ": "
            PythonText.append(member.value, quoted: false, to: &text)
        }
        guard chat else { return text }
        switch body["stream"] {
        case nil, .null?: text += "stream: False"
        case .bool(true)? where body["stream_options"] == nil || body["stream_options"] == .null:
            text += "stream_options: {'include_usage': True}"
        default: break
        }
        return text
    }

    /// `namespace:sha256(material)`, or the hash alone.
    static func key(_ body: JSONObject, group: String, chat: Bool, namespace: String?) -> String {
        let hash = SecretHash.sha256Hex(material(body, group: group, chat: chat))
        return namespace.map { $0 + ":" + hash } ?? hash
    }
}

/// Python's `str()` of a value parsed from JSON (dicts and lists give their items' `repr()`): what LiteLLM's f-string
/// writes into a cache key.
enum PythonText {
    /// Python's `str()` of the value as `json.loads` would have made it (`{'error': 'text', 'n': 1}`).
    static func repr(_ value: JSON) -> String {
        var text = ""
        append(value, quoted: true, to: &text)
        return text
    }

    static func append(_ value: JSON, quoted: Bool, to text: inout String) {
        switch value {
        case .null: text += "None"
        case .bool(let flag): text += flag ? "True" : "False"
        case .number(let digits):
            if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let double = Double(digits) {
                text += NumberText.pythonFloat(double)
            } else {
                text += digits
            }
        case .string(let string): if quoted { appendRepr(string, to: &text) } else { text += string }
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += ", " }
                append(item, quoted: true, to: &text)
            }
            text += "]"
        case .object(let object):
            text += "{"
            for (index, member) in object.enumerated() {
                if index > 0 { text += ", " }
                appendRepr(member.key, to: &text)
                text += ": "
                append(member.value, quoted: true, to: &text)
            }
            text += "}"
        }
    }

    /// `repr()` of a string: single quotes unless it holds one and no double quote; backslash, the quote and what
    /// Python does not print (controls, format characters, separators other than the space, unassigned code points)
    /// escaped as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
    static func appendRepr(_ string: String, to text: inout String) {
        let quote: Character = string.contains("'") && !string.contains("\"") ? "\"" : "'"
        text.append(quote)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where Character(scalar) == quote: text += "\\" + String(quote)
            case _ where !printable(scalar): text += escaped(scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text.append(quote)
    }

    /// Python's `str.isprintable()` for one character.
    static func printable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default: return true
        }
    }

    static func escaped(_ value: UInt32) -> String {
        let (prefix, width) = value < 0x100 ? ("\\x", 2) : value < 0x10000 ? ("\\u", 4) : ("\\U", 8)
        let digits = String(value, radix: 16)
        return prefix + String(repeating: "0", count: width - digits.count) + digits
    }
}
