import Wire

/// LiteLLM's response shape, applied to upstream JSON without dropping anything unknown:
/// - `model` becomes `azure/<upstream snapshot>` for Azure deployments (the seed's `azure/o4-mini-2025-04-16`);
/// - each choice's `content_filter_results` (and Azure's singular `content_filter_result` error) moves into
///   `choices[i].provider_specific_fields`; `prompt_filter_results` stays at the top level;
/// - keys come in LiteLLM's order; null members LiteLLM omits stay (they are harmless extras);
/// - a chat choice always has a `message`. Streams are shaped by `StreamShaper`.
public enum ResponseShaper {
    static let topOrder = ["id", "created", "model", "object", "choices", "usage", "prompt_filter_results"]
    static let choiceOrder = ["finish_reason", "index", "message", "provider_specific_fields"]
    static let messageOrder = ["content", "role", "tool_calls", "function_call", "annotations"]
    /// Azure's per-choice filter results, moved into `provider_specific_fields`.
    static let filterKeys = ["content_filter_results", "content_filter_result"]
    /// The message a chat choice without one gets.
    static let emptyMessage: JSON = ["content": nil, "role": "assistant"]

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
            let isChat = object["object"]?.stringValue == "chat.completion"
            object["choices"] = .array(choices.map { shapeChoice(isChat ? withMessage($0) : $0) })
        }
        return .object(reordered(object, ResponseShaper.topOrder))
    }

    static func shapeChoice(_ choice: JSON) -> JSON {
        guard case .object(var object) = choice else { return choice }
        var specific = object["provider_specific_fields"]?.objectValue ?? JSONObject()
        for key in filterKeys {
            if let value = object.removeValue(forKey: key) { specific[key] = value }
        }
        if !specific.isEmpty { object["provider_specific_fields"] = .object(specific) }
        if case .object(let message)? = object["message"] {
            object["message"] = .object(reordered(message, ResponseShaper.messageOrder))
        }
        return .object(reordered(object, ResponseShaper.choiceOrder))
    }

    /// A chat choice without `message` (Azure's filter-service error shape) gets an empty assistant message, so
    /// `choice.message.content` reads (LiteLLM answers 500 here after retrying).
    static func withMessage(_ choice: JSON) -> JSON {
        guard case .object(var object) = choice, object["message"] == nil else { return choice }
        object["message"] = emptyMessage
        return .object(object)
    }

    static func reordered(_ object: JSONObject, _ order: [String]) -> JSONObject {
        var result = JSONObject()
        for key in order { if let value = object[key] { result[key] = value } }
        for member in object where result[member.key] == nil { result[member.key] = member.value }
        return result
    }
}
