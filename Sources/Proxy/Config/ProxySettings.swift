import Wire

/// `general_settings`, `litellm_settings` and `router_settings`: what the proxy core uses, typed; everything else
/// kept as written for the parts that come later (spend logs, router).
public struct ProxySettings: Sendable {
    public var masterKey: String?
    public var databaseURL: String?
    /// Largest request body accepted; beyond it 413.
    public var maximumRequestBodySize: Int = 32 * 1024 * 1024
    /// `litellm_settings.request_timeout` (LiteLLM's default: 6000 s).
    public var requestTimeout: Double = 6000
    /// `router_settings.timeout` / `stream_timeout`, when set.
    public var routerTimeout: Double?
    public var routerStreamTimeout: Double?
    public var numRetries: Int?
    /// `general_settings.proxy_batch_write_at`: seconds between spend-log writes (LiteLLM's default: 10).
    public var spendBatchInterval: Double = 10
    /// `general_settings.limit_sync_interval`: seconds between replicas' virtual-key usage syncs.
    public var limitSyncInterval: Double = 1
    /// Routing, retries, fallbacks and cooldowns (`router_settings` and their `litellm_settings` twins).
    public var router = RouterSettings()
    public var dropParams: Bool = false
    public var modelGroupAlias: [String: String] = [:]
    /// `ssl_verify: false` turns off upstream certificate checks (with a warning).
    public var sslVerify: Bool = true
    /// Whose `X-Forwarded-For` is believed: `general_settings.trusted_proxies` (addresses), or every peer with
    /// LiteLLM's `use_x_forwarded_for: true`. Neither: the connection's peer is the caller.
    public var forwardedFor = ForwardedFor()
    /// Refused keys an address may present per minute before it gets 429s until the minute ends
    /// (`general_settings.auth_failure_limit_per_minute`).
    public var failedKeyThrottle = FailureThrottle.Configuration(limit: 60, window: .seconds(60))
    /// Failed admin UI logins an address may make per five minutes (`general_settings.ui_login_failure_limit`).
    public var uiLoginThrottle = FailureThrottle.Configuration(limit: 10, window: .seconds(300))
    /// `general_settings.request_body_timeout`: seconds a client has to send a whole request body (a body trickled
    /// a byte at a time otherwise holds its connection for as long as it likes).
    public var requestBodyTimeout: Double = 60
    public var generalSettings: JSONObject = JSONObject()
    public var litellmSettings: JSONObject = JSONObject()
    public var routerSettings: JSONObject = JSONObject()

    public init() {}

    /// `litellm_settings.callbacks` (or `success_callback`) names `prometheus`: `/metrics` is served on the main port.
    public var prometheusCallback: Bool {
        ["callbacks", "success_callback", "failure_callback"].contains { name in
            switch litellmSettings[name] {
            case .array(let items)?: items.contains { $0.stringValue == "prometheus" }
            case .string(let value)?: value == "prometheus"
            default: false
            }
        }
    }
}

/// A whole config.yaml, resolved and validated.
public struct ProxyConfig: Sendable {
    public var file: String
    public var deployments: [ModelDeployment]
    public var settings: ProxySettings
    /// `environment_variables:` as written (exported before anything else loads).
    public var environmentVariables: [String: String]
    /// One line per unknown key; start-up logs each once.
    public var warnings: [String]

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
