import Wire

/// LiteLLM's response shape, applied to upstream JSON without dropping anything unknown:
/// - `model` becomes `azure/<upstream snapshot>` for Azure deployments (the seed's `azure/o4-mini-2025-04-16`);
/// - each choice's `content_filter_results` (and Azure's singular `content_filter_result` error) moves into
///   `choices[i].provider_specific_fields`; `prompt_filter_results` stays at the top level;
/// - keys come in LiteLLM's order; null members LiteLLM omits stay (they are harmless extras).
public enum ResponseShaper {
    static let topOrder = ["id", "created", "model", "object", "choices", "usage", "prompt_filter_results"]
    static let choiceOrder = ["finish_reason", "index", "message", "provider_specific_fields"]
    static let messageOrder = ["content", "role", "tool_calls", "function_call", "annotations"]

    public static func responseModel(_ upstreamModel: String?, deployment: ModelDeployment) -> String {
        let model = (upstreamModel?.isEmpty == false ? upstreamModel! : deployment.upstreamModel)
        return deployment.provider == .azure ? "azure/" + model : model
    }

    public static func shape(_ body: JSON, deployment: ModelDeployment) -> JSON {
        guard case .object(var object) = body else { return body }
        if object["model"] != nil || object["object"] != nil {
            object["model"] = .string(responseModel(object["model"]?.stringValue, deployment: deployment))
        }
        if case .array(let choices)? = object["choices"] {
            object["choices"] = .array(choices.map(shapeChoice))
        }
        return .object(reordered(object, ResponseShaper.topOrder))
    }

    static func shapeChoice(_ choice: JSON) -> JSON {
        guard case .object(var object) = choice else { return choice }
        var specific = object["provider_specific_fields"]?.objectValue ?? JSONObject()
        for key in ["content_filter_results", "content_filter_result"] {
            if let value = object.removeValue(forKey: key) { specific[key] = value }
        }
        if !specific.isEmpty { object["provider_specific_fields"] = .object(specific) }
        if case .object(let message)? = object["message"] {
            object["message"] = .object(reordered(message, ResponseShaper.messageOrder))
        }
        return .object(reordered(object, ResponseShaper.choiceOrder))
    }

    static func reordered(_ object: JSONObject, _ order: [String]) -> JSONObject {
        var result = JSONObject()
        for key in order { if let value = object[key] { result[key] = value } }
        for member in object where result[member.key] == nil { result[member.key] = member.value }
        return result
    }

    /// One stream chunk: `model` rewritten where the chunk names one (Azure's first prompt-filter frame and
    /// annotation frames carry `""` and are kept as they are). When the client did not ask for usage, the usage
    /// frame the proxy requested is dropped (nil) and `usage` members are removed.
    public static func shapeChunk(_ chunk: JSON, deployment: ModelDeployment, clientWantsUsage: Bool) -> JSON? {
        guard case .object(var object) = chunk else { return chunk }
        if !clientWantsUsage, let usage = object["usage"] {
            if !usage.isNull, object["choices"]?.arrayValue?.isEmpty ?? true { return nil }
            object.removeValue(forKey: "usage")
        }
        if let model = object["model"]?.stringValue, !model.isEmpty {
            object["model"] = .string(responseModel(model, deployment: deployment))
        }
        return .object(object)
    }
}
