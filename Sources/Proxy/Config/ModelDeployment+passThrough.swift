import Wire

extension ModelDeployment {
    /// A resource reached without a model group (`/azure/{endpoint}` to `AZURE_API_BASE`, files and batches with
    /// `AZURE_API_BASE`/`AZURE_API_KEY`): no group, no id; `model` is what the call names, for pricing.
    static func resource(
        provider: Provider,
        apiBase: String,
        apiVersion: String?,
        apiKey: String?,
        entra: EntraCredential?,
        model: String
    ) -> ModelDeployment {
        ModelDeployment(
            modelName: "",
            litellmParams: [:],
            modelInfo: [:],
            id: "",
            provider: provider,
            model: model.isEmpty ? "" : provider.rawValue + "/" + model,
            upstreamModel: model,
            apiBase: apiBase,
            publicAPIBase: ModelDeployment.publicURL(apiBase),
            apiVersion: apiVersion,
            apiKey: apiKey,
            entra: entra
        )
    }

    /// `use_in_pass_through: true`: its credentials authenticate pass-through calls to its provider.
    var usedInPassThrough: Bool { litellmParams["use_in_pass_through"]?.boolValue == true }
}
