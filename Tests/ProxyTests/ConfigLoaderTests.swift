import Testing
import Wire

@testable import Proxy

@Suite struct ConfigLoaderTests {
    /// The seed's ConfigMap, unchanged.
    static let seed = """
        model_list:
          - model_name: o4-mini
            litellm_params:
              model: o4-mini
              api_base: https://myopenai20250920.openai.azure.com/
              api_version: "2025-01-01-preview"
              api_key: XXX
        general_settings:
          master_key: sk-1234
          database_url: "postgresql://litellm:secret@mypg.postgres.database.azure.com:5432/postgres"
        """

    @Test func seedConfigRoutesTheBareModelToAzure() throws {
        let config = try ConfigLoader.parse(Self.seed)
        let deployment = try #require(config.deployments.first)
        #expect(deployment.modelName == "o4-mini")
        #expect(deployment.provider == .azure)
        #expect(deployment.upstreamModel == "o4-mini")
        #expect(deployment.apiVersion == "2025-01-01-preview")
        #expect(deployment.apiKey == "XXX")
        #expect(deployment.isReasoningModel)
        #expect(config.settings.masterKey == "sk-1234")
        #expect(config.settings.databaseURL?.hasPrefix("postgresql://") == true)
        #expect(config.warnings.isEmpty)
        #expect(deployment.publicParams["api_key"] == nil && deployment.publicParams["model"] == "o4-mini")
    }

    @Test func environmentReferencesAnywhere() throws {
        let text = """
            environment_variables:
              REGION_BASE: https://r1.openai.azure.com
            model_list:
              - model_name: gpt-4o
                litellm_params:
                  model: azure/gpt-4o
                  api_base: os.environ/REGION_BASE
                  api_key: os.environ/MY_AZURE_KEY
                  rpm: os.environ/RPM
            general_settings:
              master_key: os.environ/LITELLM_MASTER_KEY
            """
        let config = try ConfigLoader.parse(
            text,
            environment: ["MY_AZURE_KEY": "k1", "RPM": "60", "LITELLM_MASTER_KEY": "sk-m"]
        )
        #expect(config.deployments[0].apiBase == "https://r1.openai.azure.com")
        #expect(config.deployments[0].apiKey == "k1")
        #expect(config.deployments[0].rpm == 60)
        #expect(config.settings.masterKey == "sk-m")
        #expect(config.environmentVariables == ["REGION_BASE": "https://r1.openai.azure.com"])
    }

    @Test func unsetVariableFailsUnlessTheProviderKeyCanStandIn() throws {
        let text = """
            model_list:
              - model_name: gpt-4o
                litellm_params: {model: azure/gpt-4o, api_base: "https://x.openai.azure.com", \
            api_key: os.environ/MISSING_KEY}
            """
        let error = try #require(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.yaml") }
        #expect(error.file == "c.yaml")
        #expect(error.keyPath == "model_list[0].litellm_params.api_key")
        #expect(error.reason.contains("MISSING_KEY") && error.reason.contains("AZURE_API_KEY"))
        let fallback = try ConfigLoader.parse(text, environment: ["AZURE_API_KEY": "from-env"])
        #expect(fallback.deployments[0].apiKey == "from-env")

        let master = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse("general_settings: {master_key: os.environ/NOPE}")
        }
        #expect(master.keyPath == "general_settings.master_key")
    }

    @Test(arguments: [
        ("model_list: [{model_name: x}]", "model_list[0].litellm_params", "required"),
        (
            "model_list: [{model_name: x, litellm_params: {api_base: 'https://a.b'}}]",
            "model_list[0].litellm_params.model", "required"
        ),
        ("model_list: [{litellm_params: {model: gpt-4o}}]", "model_list[0].model_name", "required"),
        (
            "model_list: [{model_name: x, litellm_params: {model: gpt-4o, rpm: lots}}]",
            "model_list[0].litellm_params.rpm", "number"
        ),
        (
            "model_list: [{model_name: x, litellm_params: {model: gpt-4o, timeout: -1}}]",
            "model_list[0].litellm_params.timeout", "> 0"
        ),
        (
            "model_list: [{model_name: x, litellm_params: {model: gpt-4o, timeout: 1e300}}]",
            "model_list[0].litellm_params.timeout", "≤ 1000000000"
        ),
        (
            "model_list: [{model_name: x, litellm_params: {model: gpt-4o, stream_timeout: inf}}]",
            "model_list[0].litellm_params.stream_timeout", "finite"
        ),
        ("general_settings: {max_request_size_mb: 1e300}", "general_settings.max_request_size_mb", "≤ 1048576"),
        ("litellm_settings: {request_timeout: nan}", "litellm_settings.request_timeout", "finite"),
        ("general_settings: {proxy_batch_write_at: 1e300}", "general_settings.proxy_batch_write_at", "≤ 1000000000"),
        ("general_settings: {limit_sync_interval: '0'}", "general_settings.limit_sync_interval", "> 0"),
        ("router_settings: {cooldown_time: 1e12}", "router_settings.cooldown_time", "≤ 1000000000"),
        (
            "router_settings: {routing_strategy_args: {lowest_latency_buffer: -1}}",
            "router_settings.routing_strategy_args.lowest_latency_buffer", "≥ 0"
        ),
        (
            "model_list: [{model_name: x, litellm_params: {model: bedrock/claude}}]",
            "model_list[0].litellm_params.model", "not supported"
        ),
        (
            "model_list: [{model_name: x, litellm_params: {model: gpt-4o, api_base: not a url}}]",
            "model_list[0].litellm_params.api_base", "URL"
        ),
        ("model_list: {a: 1}", "model_list", "expected a list"),
        ("general_settings: [1]", "general_settings", "mapping"),
        ("litellm_settings: {drop_params: maybe}", "litellm_settings.drop_params", "true or false"),
        (
            "router_settings: {model_group_alias: {gpt4: missing}}", "router_settings.model_group_alias.gpt4",
            "not a model_name"
        ),
        ("general_settings: {user_api_key_cache_ttl: soon}", "general_settings.user_api_key_cache_ttl", "number"),
        (
            "general_settings: {store_prompts_in_spend_logs: [1]}", "general_settings.store_prompts_in_spend_logs",
            "true"
        ),
        ("general_settings: {disable_spend_logs: often}", "general_settings.disable_spend_logs", "true or false"),
        ("general_settings: {spend_queue_capacity: -5}", "general_settings.spend_queue_capacity", "whole number"),
        ("general_settings: {sqlite_path: [a]}", "general_settings.sqlite_path", "string"),
        ("general_settings: {spend_journal: later}", "general_settings.spend_journal", "true or false"),
        ("general_settings: {litellm_key_header_name: {a: 1}}", "general_settings.litellm_key_header_name", "string"),
        (
            "general_settings: {maximum_spend_logs_retention_interval: often}",
            "general_settings.maximum_spend_logs_retention_interval", "duration"
        ),
        (
            "litellm_settings: {maximum_spend_logs_retention_period: x}",
            "litellm_settings.maximum_spend_logs_retention_period", "duration"
        ),
        (
            "litellm_settings: {budget_exceeded_status_code: 200}", "litellm_settings.budget_exceeded_status_code",
            "status"
        ),
        (
            "litellm_settings: {turn_off_message_logging: 3}", "litellm_settings.turn_off_message_logging",
            "true or false"
        ),
        ("litellm_settings: {callbacks: {a: 1}}", "litellm_settings.callbacks", "list"),
    ])
    func invalidConfigsNameTheKeyPath(_ text: String, _ keyPath: String, _ reason: String) throws {
        let error = try #require(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "bad.yaml") }
        #expect(error.keyPath == keyPath)
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test func settingsAreTypedWithTheirDefaults() throws {
        let defaults = try ConfigLoader.parse("general_settings: {}").settings
        #expect(defaults.spend.storePrompts && !defaults.spend.disabled && defaults.spend.queueCapacity == 10_000)
        #expect(defaults.spend.spill(usesDatabaseServer: false) == "litellm_proxy.sqlite.spill.jsonl")
        #expect(defaults.spend.journal(usesDatabaseServer: true) == "spend-spill.journal")
        #expect(defaults.keys.cacheTTL == 60 && defaults.keys.budgetExceededStatus == 422)
        #expect(defaults.auth.keyHeaderName == nil && !defaults.prometheusCallback)
        let text = """
            general_settings:
              store_prompts_in_spend_logs: "false"
              spend_journal: false
              sqlite_path: /data/spend.sqlite
              user_api_key_cache_ttl: 0
              litellm_key_header_name: X-My-Key
              maximum_spend_logs_retention_period: 7d
            litellm_settings:
              budget_exceeded_status_code: 400
              success_callback: prometheus
            """
        let settings = try ConfigLoader.parse(text, environment: ["LITELLM_SQLITE_PATH": "/ignored"]).settings
        #expect(!settings.spend.storePrompts && settings.spend.journal(usesDatabaseServer: false) == nil)
        #expect(settings.spend.spill(usesDatabaseServer: false) == "/data/spend.sqlite.spill.jsonl")
        #expect(settings.spend.retentionPeriod == 604_800.0)
        #expect(settings.keys.cacheTTL == 0 && settings.keys.budgetExceededStatus == 400)
        #expect(settings.auth.keyHeaderName == "X-My-Key" && settings.prometheusCallback)
        let environment = ["LITELLM_SQLITE_PATH": "/env.sqlite", "STORE_PROMPTS_IN_SPEND_LOGS": "False"]
        let fromEnvironment = try ConfigLoader.parse("litellm_settings: {}", environment: environment).settings
        #expect(fromEnvironment.spend.sqlitePath == "/env.sqlite" && !fromEnvironment.spend.storePrompts)
    }

    @Test func invalidYAMLNamesTheLine() throws {
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse("model_list:\n  - model_name: [x\n", file: "bad.yaml")
        }
        #expect(error.reason.contains("invalid YAML") && error.reason.contains("line"))
    }

    @Test func unknownKeysWarnOnceEach() throws {
        let config = try ConfigLoader.parse(
            """
            model_list: [{model_name: m, litellm_params: {model: openai/gpt-4o, api_key: k}, extra_entry_key: 1}]
            general_settings: {master_key: sk-1, mystery: 1}
            router_settings: {routing_strategy: simple-shuffle, typo_setting: 2}
            unknown_section: {}
            """
        )
        #expect(config.warnings.count == 4)
        #expect(config.warnings.contains { $0.contains("general_settings.mystery") })
        #expect(config.warnings.contains { $0.contains("model_list[0].extra_entry_key") })
        #expect(!config.warnings.joined().contains("sk-1"))
    }

    @Test func deploymentIDs() throws {
        let config = try ConfigLoader.parse(
            """
            model_list:
              - {model_name: a, litellm_params: {model: azure/gpt-4o, api_base: "https://x.openai.azure.com", \
            api_key: k, rpm: 10}}
              - {model_name: a, litellm_params: {model: azure/gpt-4o, api_base: "https://y.openai.azure.com", \
            api_key: k}}
              - {model_name: b, litellm_params: {model: openai/gpt-4o, api_key: k}, model_info: {id: my-id}}
            """
        )
        let ids = config.deployments.map(\.id)
        #expect(ids[0] == SecretHash.sha256Hex("amodelazure/gpt-4oapi_basehttps://x.openai.azure.comapi_keykrpm10"))
        #expect(ids[0] != ids[1])
        #expect(ids[2] == "my-id")
        #expect(config.modelGroups == ["a", "b"])
    }

    @Test func providers() throws {
        let config = try ConfigLoader.parse(
            """
            model_list:
              - {model_name: a, litellm_params: {model: gpt-4o, api_base: "https://r.cognitiveservices.azure.com"}}
              - {model_name: b, litellm_params: {model: gpt-4o, api_base: "http://localhost:8000/v1"}}
              - {model_name: c, litellm_params: {model: openai/my-model, api_base: "http://localhost:8000/v1"}}
              - {model_name: d, litellm_params: {model: my-deployment, custom_llm_provider: azure, \
            api_base: "http://localhost:9"}}
            """
        )
        #expect(config.deployments.map(\.provider) == [.azure, .openai, .openai, .azure])
        #expect(config.deployments[2].upstreamModel == "my-model")
    }
}
