/// The configuration `proxy --demo` runs: the seed's o4-mini (a bare model on an Azure-style deployment) and
/// gpt-4o, both served by the in-process MockAzure at `mockBase`.
public enum DemoConfig {
    public static func yaml(mockBase: String, masterKey: String) -> String {
        """
        model_list:
          - model_name: o4-mini
            litellm_params:
              model: azure/o4-mini
              api_base: \(mockBase)
              api_version: "2025-01-01-preview"
              api_key: demo-azure-key
          - model_name: gpt-4o
            litellm_params:
              model: azure/gpt-4o
              api_base: \(mockBase)
              api_version: "2025-01-01-preview"
              api_key: demo-azure-key
          - model_name: text-embedding-3-small
            litellm_params:
              model: azure/text-embedding-3-small
              api_base: \(mockBase)
              api_version: "2025-01-01-preview"
              api_key: demo-azure-key
            model_info:
              mode: embedding
        general_settings:
          master_key: \(masterKey)
        """
    }
}
