import Foundation
import Wire

/// Where calls without a model group go: pass-through to the environment's resource (or a `use_in_pass_through`
/// deployment's), files and batches to the group a call names, a `files_settings` entry, or the environment.
extension Gateway {
    /// `/azure/{endpoint}` without a group: `AZURE_API_BASE` (else a `use_in_pass_through` deployment's base), with
    /// that deployment's key or Entra ID token, else `AZURE_API_KEY`; `/openai/{endpoint}`: `OPENAI_API_BASE` or
    /// api.openai.com with that deployment's key or `OPENAI_API_KEY`. Without a resource or (OpenAI) a key the
    /// pass-through is not configured: a 404 naming what is missing (LiteLLM answers 500 with the same words; a
    /// configuration gap is not a server fault a client can retry).
    func passThroughResource(_ provider: ModelDeployment.Provider, model: String) throws(ProxyError)
        -> ModelDeployment
    {
        let marked = config.deployments.first { $0.provider == provider && $0.usedInPassThrough }
        let azure = provider == .azure
        let key = marked?.apiKey ?? nonEmpty(environment[azure ? "AZURE_API_KEY" : "OPENAI_API_KEY"])
        let base =
            nonEmpty(environment[azure ? "AZURE_API_BASE" : "OPENAI_API_BASE"]) ?? marked?.apiBase
            ?? (azure ? nil : "https://api.openai.com")
        guard let base, azure || key != nil else {
            let message =
                azure
                ? "Required 'AZURE_API_BASE' in environment to make pass-through calls to Azure."
                : "Required 'OPENAI_API_KEY' in environment to make pass-through calls to OpenAI."
            throw ProxyError(
                OpenAIError(status: 404, message: message, type: "invalid_request_error", param: nil, code: "404")
            )
        }
        return .resource(
            provider: provider,
            apiBase: base,
            apiVersion: marked?.apiVersion ?? (azure ? nonEmpty(environment["AZURE_API_VERSION"]) : nil),
            apiKey: key,
            entra: key == nil ? marked?.entra : nil,
            model: model
        )
    }

    /// The resource a files or batches call goes to: the group `x-litellm-model` or the body's `model` names (its
    /// first deployment, if the key may use it); else the provider's `files_settings` entry; else the environment's
    /// resource. The provider comes from the `custom-llm-provider` header or the body's `custom_llm_provider`; without
    /// one, Azure when Azure is configured for files (LiteLLM would assume OpenAI: an Azure gateway should not).
    func fileResource(_ call: ProxyCall, body: ForwardedBody, caller: Caller) throws(ProxyError) -> ModelDeployment {
        if let model = call.header("x-litellm-model") ?? body.model {
            let named = caller.teamAliases[model] ?? model
            guard let group = router.groupName(for: named), let deployment = router.deployments(for: group)?.first
            else {
                throw .unknownModel(model, route: call.route)
            }
            try checkAccess(caller, model: model, group: group)
            return deployment
        }
        let named =
            call.header("custom-llm-provider") ?? body.json?["custom_llm_provider"]?.stringValue
            ?? body.form?.field("custom_llm_provider") ?? call.query.first { $0.0 == "custom_llm_provider" }?.1
        let azureConfigured =
            config.fileDeployments.contains { $0.provider == .azure } || nonEmpty(environment["AZURE_API_BASE"]) != nil
        let providerName = named ?? (azureConfigured ? "azure" : "openai")
        guard let provider = ModelDeployment.Provider(rawValue: providerName) else {
            throw ProxyError(
                OpenAIError(
                    status: 400,
                    message: "custom_llm_provider '\(providerName)' is not supported for files and batches "
                        + "(azure, openai)",
                    type: "invalid_request_error",
                    param: "custom_llm_provider",
                    code: "400"
                )
            )
        }
        if let configured = config.fileDeployments.first(where: { $0.provider == provider }) { return configured }
        return try passThroughResource(provider, model: "")
    }

    /// The files or batches path a call names, below `/openai/` or `/v1/`.
    static func filesPath(_ call: ProxyCall) -> String {
        let id =
            (call.resourceID ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_"]))
            ?? ""
        switch call.operation {
        case .retrieveFile, .deleteFile: return "files/" + id
        case .fileContent: return "files/" + id + "/content"
        case .createBatch, .listBatches: return "batches"
        case .retrieveBatch: return "batches/" + id
        case .cancelBatch: return "batches/" + id + "/cancel"
        default: return "files"
        }
    }

    /// What an id may hold unencoded in an upstream path: ASCII letters, digits, `-` and `_`.
    static let idCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    )

    /// A call that reaches a resource rather than a model group (pass-through naming none, files, batches) needs a
    /// key, team and user that may use every model: a key limited to some groups must not reach the others' deployments
    /// (or their files) through the resource's credentials.
    func checkEveryModelAllowed(_ caller: Caller) throws(ProxyError) {
        let everything = { (models: [String]) in models.isEmpty || models.contains("all-proxy-models") }
        guard everything(caller.keyModels), everything(caller.teamModels), everything(caller.userModels) else {
            throw ProxyError(
                OpenAIError(
                    status: 403,
                    message: "This key is limited to some models; pass-through without a model group, files and "
                        + "batches need a key that may use every model.",
                    type: "key_model_access_denied",
                    param: "model",
                    code: "403"
                )
            )
        }
    }

    func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
