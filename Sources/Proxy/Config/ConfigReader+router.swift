import Wire

extension ConfigReader {
    /// `router_settings` (strategy, retries, cooldowns, fallbacks, pre-call checks) with `litellm_settings` as the
    /// fallback for the keys both accept. Unknown strategies and malformed fallback lists stop start-up.
    func routerSettings(router: JSONObject, litellm: JSONObject, numRetries: Int?) throws(ConfigError)
        -> RouterSettings
    {
        var result = RouterSettings()
        if let name = try string(router["routing_strategy"], "router_settings.routing_strategy") {
            guard let strategy = RoutingStrategy(configName: name) else {
                let known = RoutingStrategy.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail(
                    "router_settings.routing_strategy",
                    "unknown strategy '\(name.prefix(60))' (known: \(known))"
                )
            }
            result.strategy = strategy
        }
        if let retries = numRetries { result.numRetries = retries }
        result.allowedFails =
            try integer(router["allowed_fails"], "router_settings.allowed_fails") ?? result.allowedFails
        result.cooldownTime =
            try seconds(router["cooldown_time"], "router_settings.cooldown_time", zeroAllowed: true)
            ?? result.cooldownTime
        result.maxFallbacks =
            try integer(router["max_fallbacks"] ?? litellm["max_fallbacks"], "router_settings.max_fallbacks")
            ?? result.maxFallbacks
        for (key, target) in [
            ("fallbacks", \RouterSettings.fallbacks), ("context_window_fallbacks", \.contextWindowFallbacks),
            ("content_policy_fallbacks", \.contentPolicyFallbacks),
        ] {
            let (value, section) = router[key].map { ($0, "router_settings") } ?? (litellm[key], "litellm_settings")
            result[keyPath: target] = try fallbackMap(value, "\(section).\(key)")
        }
        if let defaults = router["default_fallbacks"] ?? litellm["default_fallbacks"], !defaults.isNull {
            result.defaultFallbacks = try groupList(defaults, "router_settings.default_fallbacks")
        }
        if let policy = router["retry_policy"], !policy.isNull {
            for member in try object(policy, "router_settings.retry_policy") {
                let path = "router_settings.retry_policy.\(member.key)"
                guard let retryClass = RetryClass(rawValue: member.key) else {
                    throw fail(
                        path,
                        "unknown error class (known: \(RetryClass.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                result.retryPolicy[retryClass] = try integer(member.value, path)
            }
        }
        result.enablePreCallChecks =
            try bool(router["enable_pre_call_checks"], "router_settings.enable_pre_call_checks") ?? false
        result.enableTagFiltering =
            try bool(router["enable_tag_filtering"], "router_settings.enable_tag_filtering") ?? false
        result.tagFilteringMatchAny =
            try bool(router["tag_filtering_match_any"], "router_settings.tag_filtering_match_any") ?? true
        result.tagRoutingPrefix =
            try string(router["tag_routing_prefix"], "router_settings.tag_routing_prefix") ?? ""
        if let args = router["routing_strategy_args"], !args.isNull {
            let object = try object(args, "router_settings.routing_strategy_args")
            result.latencyTTL =
                try seconds(object["ttl"], "router_settings.routing_strategy_args.ttl") ?? result.latencyTTL
            let bufferPath = "router_settings.routing_strategy_args.lowest_latency_buffer"
            result.lowestLatencyBuffer = try number(object["lowest_latency_buffer"], bufferPath) ?? 0
            guard result.lowestLatencyBuffer >= 0 else { throw fail(bufferPath, "must be a number ≥ 0") }
        }
        return result
    }

    /// LiteLLM's `[{"group": ["fallback", …]}, …]` (a mapping is accepted too).
    func fallbackMap(_ value: JSON?, _ path: String) throws(ConfigError) -> [String: [String]] {
        var result: [String: [String]] = [:]
        switch value {
        case nil, .null?: return [:]
        case .array(let entries)?:
            for (index, entry) in entries.enumerated() {
                for member in try object(entry, "\(path)[\(index)]") {
                    result[member.key, default: []] += try groupList(member.value, "\(path)[\(index)].\(member.key)")
                }
            }
        case .object(let object)?:
            for member in object { result[member.key] = try groupList(member.value, "\(path).\(member.key)") }
        case let other?:
            throw fail(path, "expected a list like [{\"o4-mini\": [\"gpt-4o\"]}], found \(other.kindName)")
        }
        return result
    }

    func groupList(_ value: JSON, _ path: String) throws(ConfigError) -> [String] {
        try stringList(value, path, noun: "model group name")
    }

    /// A name or a list of names (of what `noun` says, in the error).
    func stringList(_ value: JSON, _ path: String, noun: String = "string") throws(ConfigError) -> [String] {
        switch value {
        case .string(let name): return [name]
        case .array(let items):
            var names: [String] = []
            for (index, item) in items.enumerated() {
                guard let name = try string(item, "\(path)[\(index)]") else {
                    throw fail("\(path)[\(index)]", "expected a \(noun)")
                }
                names.append(name)
            }
            return names
        default: throw fail(path, "expected a list of \(noun)s, found \(value.kindName)")
        }
    }
}
