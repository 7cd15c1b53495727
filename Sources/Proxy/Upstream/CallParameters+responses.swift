import Wire

/// What of a Responses API request reaches the provider, by LiteLLM 1.110.2's rules: only the Responses API's own
/// parameters (with the deployment's as defaults), `extra_body` merged last; `previous_response_id` back to the
/// upstream's id; `metadata` as OpenAI takes it (string values, at most 16); for Azure, input messages and reasoning
/// items without `status`, chat-style function tools flattened, and `context_management` unsupported.
extension CallParameters {
    /// `ResponsesAPIOptionalRequestParams` and the two required ones.
    static let responsesKeys: Set<String> = [
        "model", "input", "include", "instructions", "max_output_tokens", "metadata", "parallel_tool_calls",
        "previous_response_id", "reasoning", "store", "background", "stream", "temperature", "text", "tool_choice",
        "tools", "top_p", "truncation", "user", "service_tier", "safety_identifier", "prompt", "max_tool_calls",
        "prompt_cache_key", "prompt_cache_retention", "prompt_cache_options", "moderation", "stream_options",
        "top_logprobs", "partial_images", "context_management",
    ]

    func responsesBody(_ request: JSONObject) throws(ProxyError) -> JSONObject {
        var merged = request
        addDefaults(to: &merged)
        var body = JSONObject()
        for member in merged where CallParameters.responsesKeys.contains(member.key) && !member.value.isNull {
            body[member.key] = member.value
        }
        if case .object(let extra)? = request["extra_body"] {
            for member in extra { body[member.key] = member.value }
        }
        if let previous = body["previous_response_id"]?.stringValue {
            body["previous_response_id"] = .string(ResponseID.decode(previous).responseID)
        }
        if case .object(let metadata)? = body["metadata"] {
            var kept = JSONObject()
            for member in metadata where member.key != "hidden_params" && kept.count < 16 {
                if case .string = member.value { kept[member.key] = member.value }
            }
            body["metadata"] = .object(kept)
        }
        if deployment.provider == .azure {
            if body["context_management"] != nil {
                guard dropsParams(request) else {
                    throw .unsupportedParameters(["context_management"], deployment: deployment)
                }
                body.removeValue(forKey: "context_management")
            }
            if case .array(let items)? = body["input"] { body["input"] = .array(items.map(CallParameters.azureItem)) }
            if case .array(let tools)? = body["tools"] { body["tools"] = .array(tools.map(CallParameters.flatTool)) }
        }
        removeAdditionalDrops(from: &body, request: request)
        return body
    }

    /// Azure refuses `status` on input messages and reasoning items.
    static func azureItem(_ item: JSON) -> JSON {
        guard case .object(var object) = item, object["status"] != nil else { return item }
        let type = object["type"]?.stringValue ?? (object["role"] != nil ? "message" : nil)
        guard type == "message" || type == "reasoning" else { return item }
        object.removeValue(forKey: "status")
        return .object(object)
    }

    /// `{"type":"function","function":{name, parameters…}}` → `{"type":"function","name":…,"parameters":…}`.
    static func flatTool(_ tool: JSON) -> JSON {
        guard case .object(var object) = tool, object["type"] == "function",
            case .object(let function)? =
                object["function"]
        else { return tool }
        object.removeValue(forKey: "function")
        for member in function where object[member.key] == nil { object[member.key] = member.value }
        return .object(object)
    }
}
