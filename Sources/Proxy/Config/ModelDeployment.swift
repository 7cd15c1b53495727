import Wire

/// One `model_list` entry: a deployment of the model group `modelName`.
public struct ModelDeployment: Sendable {
    public enum Provider: String, Sendable {
        case azure
        case openai
    }

    /// The public name clients send as `model`; entries sharing it form one group.
    public var modelName: String
    /// `litellm_params`, as written (secrets resolved), in their YAML order.
    public var litellmParams: JSONObject
    /// `model_info`, as written.
    public var modelInfo: JSONObject
    /// `model_info.id`, else LiteLLM's sha256 of the name and params.
    public var id: String
    public var provider: Provider
    /// `litellm_params.model`, e.g. `azure/o4-mini` or `o4-mini`.
    public var model: String
    /// The upstream model or deployment name (`model` without its provider prefix).
    public var upstreamModel: String
    public var apiBase: String?
    public var apiVersion: String?
    /// The upstream credential. Never logged, never shown.
    public var apiKey: String?
    public var timeout: Double?
    public var streamTimeout: Double?
    public var rpm: Int?
    public var tpm: Int?
    public var weight: Double?

    /// o-series (and gpt-5) models take `max_completion_tokens`, not `max_tokens`.
    public var isReasoningModel: Bool {
        let name = upstreamModel.lowercased()
        let base = (modelInfo["base_model"]?.stringValue ?? "").lowercased()
        return [name, base].contains { candidate in
            let last = candidate.split(separator: "/").last.map(String.init) ?? candidate
            return ["o1", "o3", "o4", "gpt-5"].contains { last.hasPrefix($0) }
        }
    }

    /// `litellm_params` without credentials, for `/model/info` and the UI.
    public var publicParams: JSONObject {
        var params = litellmParams
        for key in ModelDeployment.secretParams { params.removeValue(forKey: key) }
        return params
    }

    static let secretParams = ["api_key", "client_secret", "azure_ad_token", "aws_secret_access_key", "vertex_credentials"]
}
