import Foundation
import NIOHTTP1
import Wire

/// Calls forwarded with their body as it is: images and audio on a deployment, pass-through paths on a resource,
/// files and batches. Only the credential is added (the deployment's key or Entra ID token) and, on Azure, an
/// `api-version` when the caller gave none.
extension UpstreamRequestBuilder {
    /// What a forwarded call carries from the client.
    struct Forwarded {
        var method: HTTPMethod
        var contentType: String?
        var body: [UInt8]
    }

    /// An image or audio call on a deployment, at the URL its chat calls would use for that operation.
    func media(_ deployment: ModelDeployment, operation: ProxyOperation, call: Forwarded, token: String?)
        -> UpstreamRequest
    {
        let (url, apiBase) = endpoint(deployment, operation: operation)
        return request(deployment, url: url, apiBase: apiBase, call: call, token: token)
    }

    /// `path` (as the client wrote it after `/azure/` or `/openai/`) on the deployment's resource, the client's query
    /// kept.
    func passThrough(
        _ deployment: ModelDeployment,
        path: String,
        query: [(String, String)],
        call: Forwarded,
        token: String?
    ) -> UpstreamRequest {
        let root = UpstreamRequestBuilder.resourceRoot(deployment)
        let apiBase = root + "/" + path
        var items = query
        if deployment.provider == .azure, !items.contains(where: { $0.0 == "api-version" }),
            !path.hasPrefix("openai/v1/")
        {
            items.append(("api-version", deployment.apiVersion ?? defaultAzureAPIVersion))
        }
        return request(
            deployment,
            url: UpstreamRequestBuilder.withQuery(apiBase, items),
            apiBase: apiBase,
            call: call,
            token: token
        )
    }

    /// `files[/{id}[/content]]` or `batches[/{id}[/cancel]]` on the deployment's resource: Azure's
    /// `/openai/files?api-version=…` (`/openai/v1/files` for the v1 versions), OpenAI's `/v1/files`.
    func filesOrBatches(
        _ deployment: ModelDeployment,
        path: String,
        query: [(String, String)],
        call: Forwarded,
        token: String?
    ) -> UpstreamRequest {
        var items = query.filter { $0.0 != "api-version" }
        let apiBase: String
        switch deployment.provider {
        case .azure:
            let version = deployment.apiVersion ?? defaultAzureAPIVersion
            let v1 = ["v1", "latest", "preview"].contains(version)
            apiBase = UpstreamRequestBuilder.resourceRoot(deployment) + (v1 ? "/openai/v1/" : "/openai/") + path
            if version != "v1", version != "latest" { items.insert(("api-version", version), at: 0) }
        case .openai:
            apiBase = UpstreamRequestBuilder.resourceRoot(deployment) + "/v1/" + path
        }
        return request(
            deployment,
            url: UpstreamRequestBuilder.withQuery(apiBase, items),
            apiBase: apiBase,
            call: call,
            token: token
        )
    }

    func request(_ deployment: ModelDeployment, url: String, apiBase: String, call: Forwarded, token: String?)
        -> UpstreamRequest
    {
        var headers = call.contentType.map { [("content-type", $0)] } ?? []
        headers += deployment.extraHeaders + credentials(deployment, token: token)
        var request = UpstreamRequest(url: url, headers: headers, body: call.body, apiBase: apiBase)
        request.method = call.method
        return request
    }

    /// A deployment's `api_base` without its query and without anything from `/openai` on: the resource.
    static func resourceRoot(_ deployment: ModelDeployment) -> String {
        let base = trimmed(String((deployment.apiBase ?? "https://api.openai.com").prefix { $0 != "?" }))
        if deployment.provider == .openai {
            return base.hasSuffix("/v1") ? String(base.dropLast(3)) : base
        }
        guard let range = base.range(of: "/openai") else { return base }
        return String(base[..<range.lowerBound])
    }

    /// `url?name=value&…`, each name and value percent-encoded.
    static func withQuery(_ url: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return url }
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))
        let text = items.map {
            ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0) + "="
                + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)
        }.joined(separator: "&")
        return url + "?" + text
    }
}
