import Foundation
import Wire

extension ConfigReader {
    /// The top-level `guardrails:` list. As in LiteLLM an entry it cannot run is skipped (reported as not supported);
    /// a malformed value in an entry it runs stops start-up.
    mutating func guardrails(_ value: JSON?) throws(ConfigError) -> [GuardrailSettings] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let entries) = value else {
            throw fail("guardrails", "expected a list, found \(value.kindName)")
        }
        var guardrails: [GuardrailSettings] = []
        for (index, entry) in entries.enumerated() {
            let path = "guardrails[\(index)]"
            let object = try object(entry, path)
            guard let name = try string(object["guardrail_name"], "\(path).guardrail_name").flatMap(nonEmpty) else {
                skip(path, "has no guardrail_name: not run")
                continue
            }
            let raw =
                try object["litellm_params"].map { value throws(ConfigError) in
                    try self.object(value, "\(path).litellm_params")
                } ?? JSONObject()
            let kind = try string(raw["guardrail"], "\(path).litellm_params.guardrail") ?? ""
            guard let provider = GuardrailSettings.Provider(rawValue: kind) else {
                skip(
                    path,
                    "'\(name.prefix(60))' (\(kind.prefix(60))) not run: this gateway runs azure/prompt_shield, "
                        + "azure/text_moderations and litellm_content_filter"
                )
                continue
            }
            // Resolved only now: an entry that is not run needs none of its variables set.
            var params = try resolveObject(raw, "\(path).litellm_params")
            guard !guardrails.contains(where: { $0.name == name }) else {
                throw fail("\(path).guardrail_name", "'\(name.prefix(60))' is listed twice")
            }
            var guardrail = GuardrailSettings(
                name: name,
                provider: provider,
                modes: try modes(params["mode"], "\(path).litellm_params.mode")
            )
            guardrail.defaultOn = try bool(params["default_on"], "\(path).litellm_params.default_on") ?? false
            let paramsPath = "\(path).litellm_params"
            switch provider {
            case .promptShield, .textModeration:
                try contentSafety(&guardrail, &params, paramsPath)
            case .contentFilter:
                try contentFilter(&guardrail, params, paramsPath)
                for key in ["blocked_words_file", "categories", "pattern_redaction_format", "keyword_redaction_tag"]
                where params[key] != nil && !(params[key]?.isNull ?? true) {
                    skip("\(paramsPath).\(key)", "not read: only patterns and blocked_words are")
                }
            }
            guardrails.append(guardrail)
        }
        return guardrails
    }

    /// An entry this proxy does not run: a finding like a key it does not honour (a start-up warning, refused by
    /// strict mode), as LiteLLM starts without an entry it cannot load.
    mutating func skip(_ path: String, _ reason: String) {
        entryFindings.append(ConfigSupport.Finding(path: path, kind: .unsupported, note: reason))
    }

    /// `mode`: one name or a list; required, as in LiteLLM's schema.
    func modes(_ value: JSON?, _ path: String) throws(ConfigError) -> [GuardrailSettings.Mode] {
        guard let value, !value.isNull else { throw fail(path, "is required (pre_call, during_call, post_call)") }
        return try stringList(value, path, noun: "mode").map { text throws(ConfigError) in
            guard let mode = GuardrailSettings.Mode(rawValue: text) else {
                throw fail(
                    path,
                    "expected pre_call, during_call, post_call or logging_only, found '\(text.prefix(40))'"
                )
            }
            return mode
        }
    }

    /// Azure AI Content Safety: `api_base`, then `api_key` or an Entra ID credential as a deployment's, `api_version`,
    /// and for text moderation its categories and thresholds.
    func contentSafety(_ guardrail: inout GuardrailSettings, _ params: inout JSONObject, _ path: String)
        throws(ConfigError)
    {
        guard var base = try string(params["api_base"], "\(path).api_base").flatMap(nonEmpty),
            let url = URL(string: base), url.scheme == "https" || url.scheme == "http", url.host != nil
        else {
            throw fail("\(path).api_base", "is required: the Content Safety endpoint (https://…)")
        }
        while base.hasSuffix("/") { base.removeLast() }
        guardrail.apiBase = base
        guardrail.apiKey = try string(params["api_key"], "\(path).api_key").flatMap(nonEmpty)
        guardrail.apiVersion = try string(params["api_version"], "\(path).api_version") ?? guardrail.apiVersion
        guardrail.entra = try entraCredential(&params, apiKey: guardrail.apiKey, path: path)
        guardrail.bearerToken = params["azure_ad_token"]?.stringValue.flatMap(nonEmpty)
        guard guardrail.provider == .textModeration else { return }
        if let categories = params["categories"], !categories.isNull {
            guardrail.categories = try stringList(categories, "\(path).categories", noun: "category")
            for category in guardrail.categories where !GuardrailSettings.moderationCategories.contains(category) {
                throw fail("\(path).categories", "expected Hate, Sexual, SelfHarm or Violence, found '\(category)'")
            }
        }
        guardrail.severityThreshold = try integer(params["severity_threshold"], "\(path).severity_threshold") ?? 2
        if let byCategory = params["severity_threshold_by_category"], !byCategory.isNull {
            for member in try object(byCategory, "\(path).severity_threshold_by_category") {
                guardrail.severityByCategory[member.key] = try integer(
                    member.value,
                    "\(path).severity_threshold_by_category.\(member.key)"
                )
            }
        }
        if let names = params["blocklistNames"], !names.isNull {
            guardrail.blocklistNames = try stringList(names, "\(path).blocklistNames")
        }
        guardrail.haltOnBlocklistHit = try bool(params["haltOnBlocklistHit"], "\(path).haltOnBlocklistHit") ?? false
    }

    /// LiteLLM's content filter: `patterns` (prebuilt by `pattern_name`, or `regex` with `pattern` and `name`) and
    /// `blocked_words`, each with an action MASK or BLOCK.
    func contentFilter(_ guardrail: inout GuardrailSettings, _ params: JSONObject, _ path: String)
        throws(ConfigError)
    {
        for (index, entry) in try list(params["patterns"], "\(path).patterns").enumerated() {
            let at = "\(path).patterns[\(index)]"
            let pattern = try object(entry, at)
            let action = try self.action(pattern["action"], "\(at).action")
            switch try string(pattern["pattern_type"], "\(at).pattern_type") ?? "prebuilt" {
            case "prebuilt":
                let name = try string(pattern["pattern_name"], "\(at).pattern_name") ?? ""
                guard let regex = GuardrailSettings.prebuiltPatterns[name] else {
                    let known = GuardrailSettings.prebuiltPatterns.keys.sorted().joined(separator: ", ")
                    throw fail("\(at).pattern_name", "unknown prebuilt pattern '\(name.prefix(40))' (known: \(known))")
                }
                guardrail.patterns.append(.init(name: name, regex: regex, action: action, prebuilt: true))
            case "regex":
                guard let regex = try string(pattern["pattern"], "\(at).pattern").flatMap(nonEmpty) else {
                    throw fail("\(at).pattern", "is required for a regex pattern")
                }
                guard (try? NSRegularExpression(pattern: regex)) != nil else {
                    throw fail("\(at).pattern", "is not a valid regular expression")
                }
                let name = try string(pattern["name"], "\(at).name") ?? "custom_pattern_\(index)"
                guardrail.patterns.append(.init(name: name, regex: regex, action: action))
            case let other:
                throw fail("\(at).pattern_type", "expected prebuilt or regex, found '\(other.prefix(40))'")
            }
        }
        for (index, entry) in try list(params["blocked_words"], "\(path).blocked_words").enumerated() {
            let at = "\(path).blocked_words[\(index)]"
            let word = try object(entry, at)
            guard let keyword = try string(word["keyword"], "\(at).keyword").flatMap(nonEmpty) else {
                throw fail("\(at).keyword", "is required")
            }
            guardrail.words.append(
                .init(
                    keyword: keyword,
                    action: try action(word["action"], "\(at).action"),
                    description: try string(word["description"], "\(at).description")
                )
            )
        }
    }

    /// A list, or nothing; another value is a mistake that would leave the filter without rules.
    func list(_ value: JSON?, _ path: String) throws(ConfigError) -> [JSON] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?: return items
        case let other?: throw fail(path, "expected a list, found \(other.kindName)")
        }
    }

    func action(_ value: JSON?, _ path: String) throws(ConfigError) -> GuardrailSettings.Action {
        let text = try string(value, path) ?? "BLOCK"
        guard let action = GuardrailSettings.Action(rawValue: text.uppercased()) else {
            throw fail(path, "expected MASK or BLOCK, found '\(text.prefix(40))'")
        }
        return action
    }
}
