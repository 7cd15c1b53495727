import Foundation
import NIOHTTP1
import Wire

/// Azure's Responses API URLs, as LiteLLM 1.110.2 builds them: no deployment in the path (it is the body's
/// `model`); `/openai/v1/responses` for the `preview`, `latest` and `v1` versions (the default `preview`, and what a
/// dated GA version such as `2024-10-21` becomes), `/openai/responses` for dated previews; `api-version` always sent.
extension UpstreamRequestBuilder {
    static func azureResponses(_ deployment: ModelDeployment) -> (url: String, apiBase: String) {
        let version = responsesAPIVersion(deployment)
        var root = trimmed(String((deployment.apiBase ?? "").prefix { $0 != "?" }))
        var v1 = ["preview", "latest", "v1"].contains(version)
        for suffix in ["/openai/v1/responses", "/openai/v1", "/openai/responses", "/openai"]
        where root.hasSuffix(suffix) {
            if suffix.hasPrefix("/openai/v1") { v1 = true }
            root.removeLast(suffix.count)
            break
        }
        let apiBase = root + (v1 ? "/openai/v1/responses" : "/openai/responses")
        return (apiBase + "?api-version=" + version, apiBase)
    }

    /// `responses_api_version`, else the deployment's version (a dated GA version, which predates the Responses
    /// API, becomes `preview`), else `preview`.
    static func responsesAPIVersion(_ deployment: ModelDeployment) -> String {
        if let version = deployment.litellmParams["responses_api_version"]?.stringValue { return version }
        guard let version = deployment.apiVersion else { return "preview" }
        let isDatedGA =
            version.count == 10
            && version.enumerated().allSatisfy { index, character in
                index == 4 || index == 7 ? character == "-" : character.isASCII && character.isNumber
            }
        return isDatedGA ? "preview" : version
    }

    /// A call on a stored response: `GET`/`DELETE …/responses/{id}`, `GET …/{id}/input_items`, `POST …/{id}/cancel`,
    /// with the client's query (paging, `include`) kept, except an `api-version` of its own.
    func stored(
        _ deployment: ModelDeployment,
        operation: ProxyOperation,
        responseID: String,
        query: [(String, String)],
        token: String?
    ) -> UpstreamRequest {
        let (_, apiBase) = endpoint(deployment, operation: .responses)
        let id = responseID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? responseID
        let suffix: String
        let method: HTTPMethod
        switch operation {
        case .deleteResponse: (suffix, method) = ("", .DELETE)
        case .listInputItems: (suffix, method) = ("/input_items", .GET)
        case .cancelResponse: (suffix, method) = ("/cancel", .POST)
        default: (suffix, method) = ("", .GET)
        }
        var items = query.filter { $0.0 != "api-version" }
        if deployment.provider == .azure {
            items.insert(("api-version", UpstreamRequestBuilder.responsesAPIVersion(deployment)), at: 0)
        }
        let path = apiBase + "/" + id + suffix
        var request = UpstreamRequest(
            url: UpstreamRequestBuilder.withQuery(path, items),
            headers: deployment.extraHeaders + credentials(deployment, token: token),
            body: [],
            apiBase: apiBase
        )
        request.method = method
        if method == .POST { request.headers.insert(("content-type", "application/json"), at: 0) }
        return request
    }
}
