import Wire

extension ConfigReader {
    /// The three settings sections, each key the proxy reads checked for its type and range here and nowhere else.
    func settings(general: JSONObject, litellm: JSONObject, router: JSONObject) throws(ConfigError) -> ProxySettings {
        var settings = ProxySettings()
        settings.masterKey =
            try string(general["master_key"], "general_settings.master_key")
            ?? nonEmpty(environment["LITELLM_MASTER_KEY"])
        settings.databaseURL =
            try string(general["database_url"], "general_settings.database_url")
            ?? nonEmpty(environment["DATABASE_URL"])
        try databaseEntra(&settings)
        if let megabytes = try number(general["max_request_size_mb"], "general_settings.max_request_size_mb") {
            guard megabytes > 0, megabytes <= 1_048_576 else {
                throw fail("general_settings.max_request_size_mb", "must be > 0 and ≤ 1048576 (1 TiB)")
            }
            settings.maximumRequestBodySize = Int(megabytes * 1024 * 1024)
        }
        settings.requestTimeout =
            try seconds(litellm["request_timeout"], "litellm_settings.request_timeout") ?? settings.requestTimeout
        settings.routerTimeout = try seconds(router["timeout"], "router_settings.timeout")
        settings.routerStreamTimeout = try seconds(router["stream_timeout"], "router_settings.stream_timeout")
        let routerRetries = try integer(router["num_retries"], "router_settings.num_retries")
        let litellmRetries = try integer(litellm["num_retries"], "litellm_settings.num_retries")
        settings.numRetries = routerRetries ?? litellmRetries
        settings.router = try routerSettings(router: router, litellm: litellm, numRetries: settings.numRetries)
        settings.dropParams =
            try bool(litellm["drop_params"], "litellm_settings.drop_params")
            ?? LiteLLMFlag.value(environment["LITELLM_DROP_PARAMS"].map(JSON.string)) ?? false
        settings.sslVerify = try bool(litellm["ssl_verify"], "litellm_settings.ssl_verify") ?? true
        settings.requestBodyTimeout =
            try seconds(general["request_body_timeout"], "general_settings.request_body_timeout")
            ?? settings.requestBodyTimeout
        for name in ["callbacks", "success_callback", "failure_callback"] {
            switch litellm[name] {
            case nil, .null?: break
            case .string(let value)?: settings.prometheusCallback = settings.prometheusCallback || value == "prometheus"
            case .array(let items)?:
                settings.prometheusCallback =
                    settings.prometheusCallback || items.contains { $0.stringValue == "prometheus" }
            case let other?: throw fail("litellm_settings.\(name)", "expected a list of names, found \(other.kindName)")
            }
        }
        if let cap = try integer(
            litellm["prometheus_metrics_max_series_per_metric"],
            "litellm_settings.prometheus_metrics_max_series_per_metric"
        ) {
            guard cap > 0 else {
                throw fail("litellm_settings.prometheus_metrics_max_series_per_metric", "expected a positive number")
            }
            settings.metrics.maxSeriesPerMetric = cap
        }
        settings.metrics.endUserLabels =
            try bool(
                litellm["enable_end_user_cost_tracking_prometheus_only"],
                "litellm_settings.enable_end_user_cost_tracking_prometheus_only"
            ) ?? false
        if let aliases = router["model_group_alias"] {
            for member in try object(aliases, "router_settings.model_group_alias") {
                let path = "router_settings.model_group_alias.\(member.key)"
                switch member.value {
                case .string(let target): settings.modelGroupAlias[member.key] = target
                case .object(let object):
                    settings.modelGroupAlias[member.key] = try string(object["model"], "\(path).model")
                default: throw fail(path, "expected a model name")
                }
            }
        }
        if let shape = try string(general["stream_shape"], "general_settings.stream_shape") {
            guard let known = StreamShape(rawValue: shape) else {
                throw fail("general_settings.stream_shape", "expected litellm or azure, found '\(shape.prefix(40))'")
            }
            settings.streamShape = known
        }
        let mocksPath = "general_settings.dangerously_allow_mock_testing_request_params"
        settings.allowMockTestingParams =
            try bool(general["dangerously_allow_mock_testing_request_params"], mocksPath) ?? false
        settings.strictConfig = try bool(general["strict_config"], "general_settings.strict_config") ?? false
        settings.auth = try authSettings(general)
        settings.keys = try keySettings(general: general, litellm: litellm)
        settings.spend = try spendSettings(general: general, litellm: litellm)
        settings.cache = try cacheSettings(litellm, databaseURL: settings.databaseURL)
        return settings
    }

    func authSettings(_ general: JSONObject) throws(ConfigError) -> AuthSettings {
        var auth = AuthSettings()
        auth.keyHeaderName = try string(general["litellm_key_header_name"], "general_settings.litellm_key_header_name")
        auth.forwardedFor.trustEveryPeer =
            try bool(general["use_x_forwarded_for"], "general_settings.use_x_forwarded_for") ?? false
        if let proxies = general["trusted_proxies"] {
            guard let list = proxies.arrayValue?.compactMap(\.stringValue), list.count == proxies.arrayValue?.count
            else {
                throw fail("general_settings.trusted_proxies", "expected a list of IP addresses")
            }
            auth.forwardedFor.trustedProxies = Set(list)
        }
        let failedKeys = "general_settings.auth_failure_limit_per_minute"
        if let limit = try integer(general["auth_failure_limit_per_minute"], failedKeys) {
            guard limit >= 1 else { throw fail(failedKeys, "must be ≥ 1") }
            auth.failedKeyThrottle.limit = limit
        }
        let failedLogins = "general_settings.ui_login_failure_limit"
        if let limit = try integer(general["ui_login_failure_limit"], failedLogins) {
            guard limit >= 1 else { throw fail(failedLogins, "must be ≥ 1") }
            auth.uiLoginThrottle.limit = limit
        }
        auth.uiLogin.autoRedirectToSSO =
            try bool(general["auto_redirect_ui_login_to_sso"], "general_settings.auto_redirect_ui_login_to_sso")
            ?? (environment["AUTO_REDIRECT_UI_LOGIN_TO_SSO"]?.lowercased() == "true")
        let passwordWhenSSO = "general_settings.disable_password_login_when_sso_enabled"
        auth.uiLogin.passwordLoginWhenSSO =
            try bool(general["disable_password_login_when_sso_enabled"], passwordWhenSSO).map { !$0 } ?? true
        let envLogin = "general_settings.disable_env_credential_login"
        auth.uiLogin.envCredentialLogin =
            try bool(general["disable_env_credential_login"], envLogin).map { !$0 } ?? true
        return auth
    }

    func keySettings(general: JSONObject, litellm: JSONObject) throws(ConfigError) -> KeySettings {
        var keys = KeySettings()
        keys.cacheTTL =
            try seconds(general["user_api_key_cache_ttl"], "general_settings.user_api_key_cache_ttl", zeroAllowed: true)
            ?? keys.cacheTTL
        let budgetPath = "litellm_settings.budget_exceeded_status_code"
        if let status = try integer(litellm["budget_exceeded_status_code"], budgetPath) {
            guard (400 ... 599).contains(status) else { throw fail(budgetPath, "must be an HTTP error status") }
            keys.budgetExceededStatus = status
        }
        keys.allowRequestsOnDBUnavailable = try bool(
            general["allow_requests_on_db_unavailable"],
            "general_settings.allow_requests_on_db_unavailable"
        )
        keys.limitSyncInterval =
            try seconds(general["limit_sync_interval"], "general_settings.limit_sync_interval")
            ?? keys.limitSyncInterval
        keys.storeAuditLogs =
            try bool(litellm["store_audit_logs"], "litellm_settings.store_audit_logs")
            ?? environment["LITELLM_STORE_AUDIT_LOGS"].map { $0.lowercased() != "false" } ?? true
        return keys
    }

    func spendSettings(general: JSONObject, litellm: JSONObject) throws(ConfigError) -> SpendSettings {
        var spend = SpendSettings()
        let fromEnvironment = environment["STORE_PROMPTS_IN_SPEND_LOGS"].map { $0.lowercased() == "true" }
        spend.storePrompts =
            try bool(general["store_prompts_in_spend_logs"], "general_settings.store_prompts_in_spend_logs")
            ?? fromEnvironment ?? true
        if try bool(litellm["turn_off_message_logging"], "litellm_settings.turn_off_message_logging") == true {
            spend.storePrompts = false
        }
        spend.disabled = try bool(general["disable_spend_logs"], "general_settings.disable_spend_logs") ?? false
        spend.maximumStringLength =
            try integer(general["spend_log_max_string_length"], "general_settings.spend_log_max_string_length")
            ?? spend.maximumStringLength
        spend.batchInterval =
            try seconds(general["proxy_batch_write_at"], "general_settings.proxy_batch_write_at") ?? spend.batchInterval
        spend.sqlitePath =
            try string(general["sqlite_path"], "general_settings.sqlite_path")
            ?? nonEmpty(environment["LITELLM_SQLITE_PATH"]) ?? spend.sqlitePath
        let retentionKey = "maximum_spend_logs_retention_period"
        let (retention, retentionSection) =
            general[retentionKey].map { ($0, "general_settings") } ?? (litellm[retentionKey], "litellm_settings")
        if let text = try string(retention, "\(retentionSection).\(retentionKey)") {
            guard let period = DurationText.seconds(text) else {
                throw fail("\(retentionSection).\(retentionKey)", "expected a duration such as 30d")
            }
            spend.retentionPeriod = period
        }
        let intervalPath = "general_settings.maximum_spend_logs_retention_interval"
        if let text = try string(general["maximum_spend_logs_retention_interval"], intervalPath) {
            guard let interval = DurationText.seconds(text) else {
                throw fail(intervalPath, "expected a duration such as 1d")
            }
            spend.retentionInterval = interval
        }
        spend.spillPath = try string(general["spend_spill_path"], "general_settings.spend_spill_path")
        spend.queueCapacity =
            try integer(general["spend_queue_capacity"], "general_settings.spend_queue_capacity") ?? spend.queueCapacity
        spend.journal = try bool(general["spend_journal"], "general_settings.spend_journal") ?? true
        spend.journalPath = try string(general["spend_journal_path"], "general_settings.spend_journal_path")
        let windowPath = "general_settings.spend_journal_window_ms"
        if let window = try integer(general["spend_journal_window_ms"], windowPath) {
            guard (0 ... 1000).contains(window) else { throw fail(windowPath, "expected 0 to 1000 milliseconds") }
            spend.journalWindow = .milliseconds(window)
        }
        let agentPath = "litellm_settings.disable_add_user_agent_to_request_tags"
        spend.userAgentTags = try bool(litellm["disable_add_user_agent_to_request_tags"], agentPath) != true
        if let headers = litellm["extra_spend_tag_headers"], !headers.isNull {
            spend.tagHeaders = try stringList(headers, "litellm_settings.extra_spend_tag_headers")
        }
        return spend
    }
}
