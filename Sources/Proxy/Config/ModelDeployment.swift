import Foundation
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
    /// `apiBase` as it may be shown or stored (headers, `/model/info`, spend rows, pages): see `publicURL`.
    public var publicAPIBase: String?
    public var apiVersion: String?
    /// The upstream credential. Never logged, never shown.
    public var apiKey: String?
    public var timeout: Double?
    public var streamTimeout: Double?
    public var rpm: Int?
    public var tpm: Int?
    public var weight: Double?
    /// `litellm_params.num_retries`: this deployment's retries, over the router's (a request's own win).
    public var numRetries: Int?
    /// `litellm_params.extra_headers`: sent with every upstream call as HTTP headers, never in the body, never shown.
    public var extraHeaders: [(String, String)] = []
    /// `litellm_params.drop_params`, `additional_drop_params`, `allowed_openai_params` (a request's own win).
    public var dropParams: Bool?
    public var additionalDropParams: [String]?

    /// `litellm_params.region_name` (`eu`, `us`, …): an end user's `allowed_model_region` picks by it, and answers
    /// name it in `x-litellm-model-region`.
    public var region: String? { litellmParams["region_name"]?.stringValue?.lowercased() }
    public var allowedOpenAIParams: [String]?
    /// An Azure deployment's Entra ID credential, when it is called with a token the proxy fetches (no api_key and no
    /// static `azure_ad_token`, or `tenant_id` + `client_id` + `client_secret`, or `azure_ad_token: oidc/…`).
    public var entra: EntraCredential?

    /// `litellm_params.tags`: tag-based routing sends requests with these tags here (`default`: untagged requests).
    public var tags: [String] { litellmParams["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// `litellm_params.tag_regex`: patterns matched against `User-Agent: <agent>` when tags don't decide.
    public var tagRegex: [String] { litellmParams["tag_regex"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// `model_info.enable_tag_filtering`: this group's override of the router's setting.
    public var tagFiltering: Bool? { modelInfo["enable_tag_filtering"]?.boolValue }
    /// `model_info.allow_fail_open`: when `!`/`&` tags leave no deployment, the default-tagged ones serve.
    public var allowsFailOpen: Bool { modelInfo["allow_fail_open"]?.boolValue == true }
    /// `litellm_params.base_model`, else `model_info.base_model`: the model the rules and prices are for.
    public var baseModel: String? {
        litellmParams["base_model"]?.stringValue ?? modelInfo["base_model"]?.stringValue
    }

    /// LiteLLM's o-series test (`is_o_series_model`): a substring of the base model, else the model. Names such as
    /// `demo1-gpt` match too, as in LiteLLM.
    public var isOSeries: Bool {
        let name = baseModel ?? model
        return ["o1", "o3", "o4", "o_series/"].contains { name.includes($0) }
    }

    /// Whether `/completions` goes to the upstream's own completions (`model_info.mode: completion`, or an instruct /
    /// davinci / babbage model); any other deployment is a chat model, and LiteLLM serves it through chat.
    public var takesTextCompletions: Bool {
        if modelInfo["mode"]?.stringValue == "completion" { return true }
        let name = (baseModel ?? upstreamModel).lowercased()
        return ["instruct", "davinci", "babbage"].contains { name.includes($0) }
    }

    /// gpt-5 models have LiteLLM rules of their own; the proxy passes their parameters on unchecked.
    public var isGPT5: Bool {
        let name = (baseModel ?? model).lowercased()
        return !isOSeries && ["gpt-5", "gpt-6", "gpt5_series"].contains { name.includes($0) }
    }

    /// o-series (and gpt-5) models take `max_completion_tokens`, not `max_tokens`.
    public var isReasoningModel: Bool {
        let name = upstreamModel.lowercased()
        let base = (modelInfo["base_model"]?.stringValue ?? "").lowercased()
        return [name, base].contains { candidate in
            let last = candidate.split(separator: "/").last.map(String.init) ?? candidate
            return ["o1", "o3", "o4", "gpt-5"].contains { last.hasPrefix($0) }
        }
    }

    /// `litellm_params` without credentials, for `/model/info`, `/health` and the UI: no keys or tokens, no
    /// `user:password@` or query in `api_base`, no `extra_headers` values.
    public var publicParams: JSONObject {
        var params = litellmParams
        for key in ModelDeployment.secretParams { params.removeValue(forKey: key) }
        if params["api_base"] != nil { params["api_base"] = publicAPIBase.map(JSON.string) ?? .null }
        if case .object(let headers)? = params["extra_headers"] {
            params["extra_headers"] = .object(headers.mapValues { _ in "***" })
        }
        return params
    }

    /// Every credential the deployment holds (api key, token, client secret, `extra_headers` values, the password in
    /// `api_base`), masked wherever a stored body repeats one.
    public var secrets: [String] {
        var secrets = [apiKey].compactMap { $0 } + extraHeaders.map(\.1)
        for key in ModelDeployment.secretParams {
            if let value = litellmParams[key]?.stringValue { secrets.append(value) }
        }
        if let password = apiBase.flatMap({ URLComponents(string: $0)?.password }) { secrets.append(password) }
        return secrets
    }

    /// A URL as it may be shown: without `user:password@` and without a query (`?code=…`, `?sig=…`), either of
    /// which may hold a credential.
    public static func publicURL(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.host != nil else {
            return text.contains("@") || text.contains("?") ? "(hidden)" : text
        }
        components.user = nil
        components.password = nil
        components.query = nil
        return components.string ?? "(hidden)"
    }

    static let secretParams = [
        "api_key", "client_secret", "azure_ad_token", "aws_secret_access_key", "vertex_credentials",
    ]
}
