import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import Wire

/// The OpenAI operations the proxy forwards: three model calls, the Responses API's create, and its calls on a
/// stored response (routed by the deployment its id names); images and audio (routed by model, bodies forwarded as
/// they are); pass-through; files and batches.
public enum ProxyOperation: String, Sendable {
    case chatCompletions = "chat/completions"
    case completions
    case embeddings
    case responses
    case retrieveResponse = "responses/retrieve"
    case deleteResponse = "responses/delete"
    case listInputItems = "responses/input_items"
    case cancelResponse = "responses/cancel"
    case imageGeneration = "images/generations"
    case transcription = "audio/transcriptions"
    case speech = "audio/speech"
    /// `/azure/{endpoint}` to `AZURE_API_BASE`, and the same through a model group a path segment or `model` names.
    case azurePassThrough = "pass-through/azure"
    case routedPassThrough = "pass-through/routed"
    case openaiPassThrough = "pass-through/openai"
    case createFile = "files/create"
    case listFiles = "files/list"
    case retrieveFile = "files/retrieve"
    case deleteFile = "files/delete"
    case fileContent = "files/content"
    case createBatch = "batches/create"
    case listBatches = "batches/list"
    case retrieveBatch = "batches/retrieve"
    case cancelBatch = "batches/cancel"

    /// LiteLLM's `call_type` for spend rows.
    public var callType: String {
        switch self {
        case .chatCompletions: "acompletion"
        case .completions: "atext_completion"
        case .embeddings: "aembedding"
        case .responses: "aresponses"
        case .retrieveResponse: "aget_responses"
        case .deleteResponse: "adelete_responses"
        case .listInputItems: "alist_input_items"
        case .cancelResponse: "acancel_responses"
        case .imageGeneration: "aimage_generation"
        case .transcription: "atranscription"
        case .speech: "aspeech"
        case .azurePassThrough, .openaiPassThrough: "pass_through_endpoint"
        case .routedPassThrough: "allm_passthrough_route"
        case .createFile: "acreate_file"
        case .listFiles: "afile_list"
        case .retrieveFile: "afile_retrieve"
        case .deleteFile: "afile_delete"
        case .fileContent: "afile_content"
        case .createBatch: "acreate_batch"
        case .listBatches: "alist_batches"
        case .retrieveBatch: "aretrieve_batch"
        case .cancelBatch: "acancel_batch"
        }
    }

    /// Answered by forwarding the body and the answer as they are (`Gateway.forward`).
    public var isForwarded: Bool {
        switch self {
        case .chatCompletions, .completions, .embeddings, .responses, .retrieveResponse, .deleteResponse,
            .listInputItems, .cancelResponse:
            false
        default: true
        }
    }

    public var route: String {
        switch self {
        case .retrieveResponse, .deleteResponse: "/responses/{response_id}"
        case .listInputItems: "/responses/{response_id}/input_items"
        case .cancelResponse: "/responses/{response_id}/cancel"
        case .azurePassThrough, .routedPassThrough: "/azure/{endpoint}"
        case .openaiPassThrough: "/openai/{endpoint}"
        case .createFile, .listFiles: "/files"
        case .retrieveFile, .deleteFile: "/files/{file_id}"
        case .fileContent: "/files/{file_id}/content"
        case .createBatch, .listBatches: "/batches"
        case .retrieveBatch: "/batches/{batch_id}"
        case .cancelBatch: "/batches/{batch_id}/cancel"
        default: "/" + rawValue
        }
    }
}

/// A fully built upstream call: URL, headers (with the credential), body.
public struct UpstreamRequest: Sendable {
    public var method: HTTPMethod = .POST
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The URL without query, safe to show (`x-litellm-model-api-base`, logs).
    public var apiBase: String
}

/// Builds the upstream call for a deployment: the body `CallParameters` lets through, `model` the upstream
/// deployment/model, and a stream always asks for `include_usage` (so the proxy always knows the tokens).
public struct UpstreamRequestBuilder: Sendable {
    public var defaultAzureAPIVersion: String {
        didSet { endpoints = EndpointCache() }
    }
    /// Each deployment's URLs, built once.
    var endpoints = EndpointCache()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.defaultAzureAPIVersion =
            environment["AZURE_API_VERSION"].flatMap { $0.isEmpty ? nil : $0 } ?? "2025-02-01-preview"
    }

    final class EndpointCache: Sendable {
        struct Key: Hashable {
            var deployment: String
            var apiBase: String?
            var model: String
            var operation: ProxyOperation
        }

        let known = NIOLockedValueBox<[Key: (url: String, apiBase: String)]>([:])
    }

    /// `litellm_settings.drop_params`.
    public var dropParams = false

    /// `token`: the Entra ID token fetched for the deployment's `entra` credential.
    public func build(
        _ deployment: ModelDeployment,
        operation: ProxyOperation,
        body request: JSONObject,
        token: String? = nil
    ) throws(ProxyError) -> UpstreamRequest {
        var body = try CallParameters(deployment: deployment, operation: operation, globalDropParams: dropParams)
            .body(request)
        body["model"] = .string(deployment.upstreamModel)
        if body["stream"]?.boolValue == true, operation == .chatCompletions || operation == .completions {
            var options = body["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = true
            body["stream_options"] = .object(options)
        }
        var headers: [(String, String)] = [("content-type", "application/json")] + deployment.extraHeaders
        let key = EndpointCache.Key(
            deployment: deployment.id,
            apiBase: deployment.apiBase,
            model: deployment.upstreamModel,
            operation: operation
        )
        let (url, apiBase) =
            endpoints.known.withLockedValue { $0[key] }
            ?? {
                let endpoint = endpoint(deployment, operation: operation)
                endpoints.known.withLockedValue { $0[key] = endpoint }
                return endpoint
            }()
        headers += credentials(deployment, token: token)
        return UpstreamRequest(url: url, headers: headers, body: JSON.object(body).serializedBytes(), apiBase: apiBase)
    }

    /// The deployment's credential headers: an Entra ID (or static AD) token, else its key.
    func credentials(_ deployment: ModelDeployment, token: String?) -> [(String, String)] {
        var headers: [(String, String)] = []
        switch deployment.provider {
        case .azure:
            if let token = token ?? deployment.litellmParams["azure_ad_token"]?.stringValue {
                headers.append(("authorization", "Bearer " + token))
            } else if let key = deployment.apiKey {
                headers.append(("api-key", key))
            }
        case .openai:
            if let key = deployment.apiKey { headers.append(("authorization", "Bearer " + key)) }
            if let organization = deployment.litellmParams["organization"]?.stringValue {
                headers.append(("openai-organization", organization))
            }
        }
        return headers
    }

    /// The URL of a deployment's operation, and the same without query (safe to show).
    func endpoint(_ deployment: ModelDeployment, operation: ProxyOperation) -> (url: String, apiBase: String) {
        let url: String
        let apiBase: String
        switch deployment.provider {
        case .azure where operation == .responses:
            (url, apiBase) = UpstreamRequestBuilder.azureResponses(deployment)
        case .azure:
            let base = UpstreamRequestBuilder.trimmed(deployment.apiBase ?? "")
            let version = deployment.apiVersion ?? defaultAzureAPIVersion
            if base.contains("/openai/deployments") {
                apiBase = base.hasSuffix("/" + operation.rawValue) ? base : base + "/" + operation.rawValue
                url = UpstreamRequestBuilder.appendQuery(apiBase, version: version)
            } else if ["v1", "latest", "preview"].contains(version) {
                apiBase = base + "/openai/v1/" + operation.rawValue
                url = version == "preview" ? apiBase + "?api-version=preview" : apiBase
            } else {
                apiBase =
                    base + "/openai/deployments/"
                    + (deployment.upstreamModel.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)
                        ?? deployment.upstreamModel) + "/" + operation.rawValue
                url = apiBase + "?api-version=" + version
            }
        case .openai:
            let base = UpstreamRequestBuilder.trimmed(deployment.apiBase ?? "https://api.openai.com/v1")
            apiBase = base + "/" + operation.rawValue
            url = apiBase
        }
        return (url, apiBase)
    }

    static func trimmed(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    static func appendQuery(_ url: String, version: String) -> String {
        url.contains("api-version=") ? url : url + (url.contains("?") ? "&" : "?") + "api-version=" + version
    }
}
