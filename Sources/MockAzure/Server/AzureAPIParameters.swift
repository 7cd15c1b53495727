/// The request arguments Azure OpenAI accepts, per operation, by the api-version that first accepts each: facts from
/// Azure's published inference specifications (Azure/azure-rest-api-specs, `inference.json` of each version). An
/// argument newer than the request's api-version is refused as Azure refuses it: unrecognized.
enum AzureAPIParameters {
    /// Chat arguments by the first version whose spec lists them (2024-02-01 is the oldest read; older versions
    /// are taken to accept what it does). Where a version's `inference.json` lags its `inference.yaml`
    /// (`stream_options`, `parallel_tool_calls` in 2024-09-01-preview and 2024-10-21), the YAML is followed.
    static let chat: [String: String] = [
        "messages": base, "data_sources": base, "temperature": base, "top_p": base, "stream": base, "stop": base,
        "max_tokens": base, "presence_penalty": base, "frequency_penalty": base, "logit_bias": base, "user": base,
        "n": base, "seed": base, "response_format": base, "tools": base, "tool_choice": base, "functions": base,
        "function_call": base, "logprobs": "2024-06-01", "top_logprobs": "2024-06-01",
        "max_completion_tokens": "2024-09-01-preview", "parallel_tool_calls": "2024-09-01-preview",
        "stream_options": "2024-09-01-preview", "store": "2024-12-01-preview", "metadata": "2024-12-01-preview",
        "reasoning_effort": "2024-12-01-preview", "user_security_context": "2024-12-01-preview",
        "modalities": "2025-01-01-preview", "prediction": "2025-01-01-preview", "audio": "2025-01-01-preview",
    ]
    static let completions: [String: String] = [
        "prompt": base, "max_tokens": base, "temperature": base, "top_p": base, "logit_bias": base, "user": base,
        "n": base, "stream": base, "logprobs": base, "suffix": base, "echo": base, "stop": base,
        "completion_config": base, "presence_penalty": base, "frequency_penalty": base, "best_of": base,
        "seed": "2024-08-01-preview", "stream_options": "2024-09-01-preview",
    ]
    static let embeddings: [String: String] = [
        "input": base, "user": base, "input_type": base, "encoding_format": "2024-06-01", "dimensions": "2024-06-01",
    ]
    static let base = "2022-12-01"

    /// `v1`, `latest` and `preview` take every argument.
    static func accepted(_ operation: MockOperation, apiVersion: String) -> Set<String> {
        let table =
            switch operation {
            case .chatCompletions: chat
            case .completions: completions
            case .embeddings: embeddings
            }
        let isDated = apiVersion.first?.isNumber == true
        return Set(table.filter { !isDated || precedes($0.value, apiVersion) }.keys).union(["model"])
    }

    /// Whether `version` is `other` or older: by date, and a preview before the stable release of the same date.
    static func precedes(_ version: String, _ other: String) -> Bool {
        let (date, otherDate) = (version.prefix(10), other.prefix(10))
        if date != otherDate { return date < otherDate }
        return version.hasSuffix("-preview") || !other.hasSuffix("-preview")
    }
}
