import Wire

/// `general_settings`, `litellm_settings` and `router_settings`, typed and defaulted here; ConfigReader fills and
/// validates them, so a wrong type in any key the proxy reads stops start-up with its key path.
public struct ProxySettings: Sendable {
    public var masterKey: String?
    public var databaseURL: String?
    /// `AZURE_POSTGRESQL_AUTH`: the database is Azure Database for PostgreSQL with Entra ID, its password a token
    /// for this credential (the environment's; scope `ossrdbms-aad`), renewed before it expires.
    public var databaseEntra: EntraCredential?
    /// Largest request body accepted; beyond it 413.
    public var maximumRequestBodySize: Int = 32 * 1024 * 1024
    /// `litellm_settings.request_timeout` (LiteLLM's default: 6000 s).
    public var requestTimeout: Double = 6000
    /// `router_settings.timeout` / `stream_timeout`, when set.
    public var routerTimeout: Double?
    public var routerStreamTimeout: Double?
    public var numRetries: Int?
    /// Routing, retries, fallbacks and cooldowns (`router_settings` and their `litellm_settings` twins).
    public var router = RouterSettings()
    public var spend = SpendSettings()
    /// `litellm_settings.cache` / `cache_params`; nil: no response cache.
    public var cache: CacheSettings?
    public var keys = KeySettings()
    public var auth = AuthSettings()
    public var dropParams: Bool = false
    public var modelGroupAlias: [String: String] = [:]
    /// `ssl_verify: false` turns off upstream certificate checks (with a warning).
    public var sslVerify: Bool = true
    /// `general_settings.request_body_timeout`: seconds a client has to send a whole request body (a body trickled
    /// a byte at a time otherwise holds its connection for as long as it likes).
    public var requestBodyTimeout: Double = 60
    /// `litellm_settings.callbacks` (or `success_callback` / `failure_callback`) names `prometheus`: `/metrics` is
    /// served on the main port.
    public var prometheusCallback = false
    /// `callbacks: ["otel"]` or `["langfuse_otel"]` with somewhere to send spans: the request path is traced.
    public var tracing: TracingSettings?
    public var metrics = MetricsSettings()
    /// `general_settings.stream_shape`: LiteLLM's stream frames (default) or Azure's as they come.
    public var streamShape = StreamShape.litellm
    /// `general_settings.dangerously_allow_mock_testing_request_params`: LiteLLM's `mock_testing_*`, `mock_timeout`
    /// and `mock_delay` request parameters act (else they are refused with 400).
    public var allowMockTestingParams = false
    /// `general_settings.strict_config` (or `--strict`): keys that are not honoured stop start-up.
    public var strictConfig = false

    public init() {}
}

/// A whole config.yaml, resolved and validated.
public struct ProxyConfig: Sendable {
    public var file: String
    public var deployments: [ModelDeployment]
    public var settings: ProxySettings
    /// `environment_variables:` as written (exported before anything else loads).
    public var environmentVariables: [String: String]
    /// One line per key that is not honoured (and other doubts); start-up logs each once.
    public var warnings: [String]
    /// Every present key that is not simply honoured (`--check-config` prints them).
    public var support: [ConfigSupport.Finding] = []
    /// `files_settings:` entries as deployments (`model_name` "files_settings"): what files and batches use.
    public var fileDeployments: [ModelDeployment] = []
    /// The top-level `guardrails:` it runs, in config order.
    public var guardrails: [GuardrailSettings] = []

    public init(
        file: String = "<memory>",
        deployments: [ModelDeployment],
        settings: ProxySettings = ProxySettings(),
        environmentVariables: [String: String] = [:],
        warnings: [String] = []
    ) {
        self.file = file
        self.deployments = deployments
        self.settings = settings
        self.environmentVariables = environmentVariables
        self.warnings = warnings
    }

    /// Model group names in config order, each once.
    public var modelGroups: [String] {
        var seen = Set<String>()
        return deployments.map(\.modelName).filter { seen.insert($0).inserted }
    }
}
