import Hummingbird
import Wire

/// LiteLLM's `GET /guardrails/list`: the config's guardrails (the ones this proxy runs), for any key. Keys and tokens
/// are never shown (LiteLLM shows two characters at each end; here only that one is set), nor a content filter's
/// rules to anyone but an admin.
struct GuardrailController {
    let guardrails: [GuardrailSettings]

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.get("/guardrails/list") { request, context in
            await ManagementCall.run(request, context) { caller, _ throws(ProxyError) in
                ["guardrails": .array(guardrails.map { Self.entry($0, rules: caller.isAdminViewer) })]
            }
        }
    }

    /// One guardrail as LiteLLM lists it; its filter's regexes and words only for admins (they can name what they
    /// protect, such as an internal code name).
    static func entry(_ guardrail: GuardrailSettings, rules: Bool) -> JSON {
        var params: JSONObject = [
            "guardrail": .string(guardrail.provider.rawValue),
            "mode": guardrail.modes.count == 1
                ? .string(guardrail.modes[0].rawValue) : .array(guardrail.modes.map { .string($0.rawValue) }),
            "default_on": .bool(guardrail.defaultOn),
        ]
        if guardrail.provider != .contentFilter {
            params["api_base"] = .string(guardrail.apiBase)
            params["api_version"] = .string(guardrail.apiVersion)
            params["api_key"] = guardrail.apiKey == nil ? .null : "****"
        }
        if guardrail.provider == .textModeration {
            params["categories"] = .array(guardrail.categories.map(JSON.string))
            params["severity_threshold"] = .int(guardrail.severityThreshold)
        }
        if guardrail.provider == .contentFilter, rules {
            params["patterns"] = .array(
                guardrail.patterns.map { pattern -> JSON in
                    [
                        "pattern_type": pattern.prebuilt ? "prebuilt" : "regex",
                        "pattern_name": pattern.prebuilt ? .string(pattern.name) : nil,
                        "pattern": pattern.prebuilt ? nil : .string(pattern.regex),
                        "name": pattern.prebuilt ? nil : .string(pattern.name),
                        "action": .string(pattern.action.rawValue),
                    ]
                }
            )
            params["blocked_words"] = .array(
                guardrail.words.map { ["keyword": .string($0.keyword), "action": .string($0.action.rawValue)] }
            )
        }
        return [
            "guardrail_id": nil, "guardrail_name": .string(guardrail.name), "litellm_params": .object(params),
            "guardrail_info": nil, "created_at": nil, "updated_at": nil, "guardrail_definition_location": "config",
        ]
    }
}
