import Wire

/// What of the client's body and the deployment's `litellm_params` reaches the provider, by LiteLLM 1.110.2's rules:
/// - nothing LiteLLM owns (routing, budgets, limits, credentials, metadata, callbacks, prices, testing keys);
/// - the deployment's other params are defaults the request overrides (`temperature`, `seed`, `reasoning_effort`…);
/// - an OpenAI parameter the Azure model does not take is dropped under `drop_params` (global, deployment or
///   request), else refused with LiteLLM's 400; o-series take `temperature` 1 only;
/// - `additional_drop_params` (deployment or request) always removes what it lists, dotted paths inside objects;
/// - o-series and gpt-5 `max_tokens` become `max_completion_tokens`.
/// Keys nobody knows pass on, as LiteLLM sends them (Azure answers them with its own 400).
struct CallParameters {
    var deployment: ModelDeployment
    var operation: ProxyOperation
    /// `litellm_settings.drop_params` (or `LITELLM_DROP_PARAMS`): when on, no request can turn it off.
    var globalDropParams = false

    func body(_ request: JSONObject) throws(ProxyError) -> JSONObject {
        if operation == .responses { return try responsesBody(request) }
        var body = request
        for key in request.keys where LiteLLMParameters.isOwned(key) { body.removeValue(forKey: key) }
        addDefaults(to: &body)
        if deployment.provider == .azure, operation == .chatCompletions {
            try checkSupported(&body, drop: dropsParams(request), allowed: strings(request["allowed_openai_params"]))
        }
        if operation == .chatCompletions, deployment.isReasoningModel || deployment.isOSeries,
            let maxTokens = body.removeValue(forKey: "max_tokens"), body["max_completion_tokens"] == nil
        {
            body["max_completion_tokens"] = maxTokens
        }
        removeAdditionalDrops(from: &body, request: request)
        return body
    }

    /// The deployment's own parameters, where the request has none of its own.
    func addDefaults(to body: inout JSONObject) {
        for member in deployment.litellmParams
        where member.key != "model" && !LiteLLMParameters.isOwned(member.key) && body[member.key] == nil {
            body[member.key] = member.value
        }
    }

    /// `drop_params`: the global setting, else the request's, else the deployment's.
    func dropsParams(_ request: JSONObject) -> Bool {
        globalDropParams || (LiteLLMFlag.value(request["drop_params"]) ?? deployment.dropParams ?? false)
    }

    /// `additional_drop_params` of the request, else of the deployment: dotted paths removed wherever they lead.
    func removeAdditionalDrops(from body: inout JSONObject, request: JSONObject) {
        for path in strings(request["additional_drop_params"]) ?? deployment.additionalDropParams ?? [] {
            CallParameters.remove(path.split(separator: ".").map(String.init), from: &body)
        }
    }

    /// LiteLLM's `_check_valid_arg`, then the o-series temperature rule.
    func checkSupported(_ body: inout JSONObject, drop: Bool, allowed: [String]?) throws(ProxyError) {
        guard !deployment.isGPT5 else { return }
        let model = deployment.isOSeries ? AzureParameters.oSeries : AzureParameters.chat
        let extra = allowed ?? deployment.allowedOpenAIParams ?? []
        let unsupported = body.compactMap { member in
            AzureParameters.openAI.contains(member.key) && !model.contains(member.key) && !extra.contains(member.key)
                && !member.value.isNull ? member.key : nil
        }
        if !unsupported.isEmpty {
            guard drop else { throw .unsupportedParameters(unsupported, deployment: deployment) }
            for key in unsupported { body.removeValue(forKey: key) }
        }
        if deployment.isOSeries, case .number(let text)? = body["temperature"], Double(text) != 1 {
            guard drop else { throw .oSeriesTemperature(text) }
            body.removeValue(forKey: "temperature")
        }
    }

    func strings(_ value: JSON?) -> [String]? {
        value?.arrayValue?.compactMap(\.stringValue)
    }

    static func remove(_ path: [String], from object: inout JSONObject) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object.removeValue(forKey: first)
        } else if case .object(var inner)? = object[first] {
            remove(Array(path.dropFirst()), from: &inner)
            object[first] = .object(inner)
        }
    }
}

/// The OpenAI chat parameters LiteLLM 1.110.2 maps per provider, and those Azure's chat and o-series models take.
enum AzureParameters {
    /// `DEFAULT_CHAT_COMPLETION_PARAM_VALUES` without LiteLLM's own keys: the parameters it checks.
    static let openAI: Set<String> = [
        "functions", "function_call", "temperature", "top_p", "n", "stream", "stream_options", "stop", "max_tokens",
        "max_completion_tokens", "modalities", "prediction", "audio", "presence_penalty", "frequency_penalty",
        "logit_bias", "user", "response_format", "seed", "tools", "tool_choice", "logprobs", "top_logprobs",
        "parallel_tool_calls", "reasoning_effort", "verbosity", "thinking", "web_search_options",
        "include_server_side_tool_invocations", "service_tier", "safety_identifier", "prompt_cache_key",
        "prompt_cache_retention", "store", "context_management",
    ]

    /// `AzureOpenAIConfig.get_supported_openai_params`.
    static let chat: Set<String> = [
        "temperature", "n", "stream", "stream_options", "stop", "max_tokens", "max_completion_tokens", "tools",
        "tool_choice", "presence_penalty", "frequency_penalty", "logit_bias", "user", "function_call", "functions",
        "top_p", "logprobs", "top_logprobs", "response_format", "seed", "parallel_tool_calls", "prediction",
        "modalities", "audio", "web_search_options", "prompt_cache_key", "store",
    ]

    /// `AzureOpenAIO1Config.get_supported_openai_params`: no sampling penalties or log probabilities;
    /// `temperature` is checked on its own (1 only).
    static let oSeries: Set<String> = [
        "logit_bias", "max_tokens", "max_completion_tokens", "modalities", "prediction", "n", "seed", "stop", "stream",
        "stream_options", "temperature", "tools", "tool_choice", "function_call", "functions", "parallel_tool_calls",
        "audio", "web_search_options", "service_tier", "safety_identifier", "prompt_cache_key",
        "prompt_cache_retention", "store", "response_format", "user", "reasoning_effort",
    ]
}
