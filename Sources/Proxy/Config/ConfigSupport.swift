import Wire

/// What this gateway does with each key of LiteLLM 1.110.2's config.yaml: honoured, honoured with a stated
/// difference, or not supported (with what is lost). `ConfigSupport+table` holds the keys, read from LiteLLM's source;
/// `report` says it for one file; start-up warns once per present key that is not honoured, and strict mode
/// (`--strict` or `general_settings.strict_config`) refuses them and the keys LiteLLM does not know.
public enum ConfigSupport {
    public struct Support: Sendable, Equatable {
        public enum Level: String, Sendable, CaseIterable {
            case honoured
            case differs = "honoured with a difference"
            case unsupported = "not supported"
        }

        public var level: Level
        public var note: String

        public static let honoured = Support(level: .honoured, note: "")
        public static func honoured(_ note: String) -> Support { Support(level: .honoured, note: note) }
        public static func differs(_ note: String) -> Support { Support(level: .differs, note: note) }
        public static func unsupported(_ note: String) -> Support { Support(level: .unsupported, note: note) }
    }

    /// The sections of config.yaml, in the order the report and the page list them.
    public enum Section: String, Sendable, CaseIterable {
        case top = "(top level)"
        case generalSettings = "general_settings"
        case litellmSettings = "litellm_settings"
        case routerSettings = "router_settings"
        case litellmParams = "model_list[].litellm_params"
        case modelInfo = "model_list[].model_info"

        public var keys: [String: Support] {
            switch self {
            case .top: ConfigSupport.topLevel
            case .generalSettings: ConfigSupport.generalSettings
            case .litellmSettings: ConfigSupport.litellmSettings
            case .routerSettings: ConfigSupport.routerSettings
            case .litellmParams: ConfigSupport.litellmParams
            case .modelInfo: ConfigSupport.modelInfo
            }
        }

        /// Keys of the gateway's own, beyond LiteLLM's (strict mode accepts them).
        public var ownKeys: Set<String> {
            switch self {
            case .generalSettings:
                [
                    "sqlite_path", "spend_spill_path", "spend_journal", "spend_journal_path", "spend_journal_window_ms",
                    "spend_queue_capacity",
                    "spend_log_max_string_length", "limit_sync_interval", "request_body_timeout", "trusted_proxies",
                    "auth_failure_limit_per_minute", "ui_login_failure_limit", "stream_shape", "strict_config",
                ]
            default: []
            }
        }

        /// What a key the table does not list is: in `litellm_params` a model parameter sent to the provider, as
        /// LiteLLM sends it; a price field anywhere in a deployment is not read; elsewhere unknown to LiteLLM.
        func unlisted(_ key: String) -> Support? {
            switch self {
            case .litellmParams, .modelInfo:
                if key.contains("cost") {
                    return .unsupported("price not read: the shipped table and input/output_cost_per_token set costs")
                }
                return self == .litellmParams ? .honoured : .differs("echoed in /model/info only")
            default: return nil
            }
        }
    }

    /// One present key that is not simply honoured.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case differs = "honoured with a difference"
            case unsupported = "not supported"
            case unknown = "unknown to LiteLLM 1.110.2, ignored"
            case own = "this gateway's own key"
        }

        public var path: String
        public var kind: Kind
        public var note: String

        public var description: String { "\(path): \(kind.rawValue)\(note.isEmpty ? "" : ": \(note)")" }

        /// A key that is not honoured: start-up warns of it, and strict mode refuses it.
        public var isLoss: Bool { kind == .unsupported || kind == .unknown }
    }

    /// Every present key of `root` that is not simply honoured, each once (deployment keys once for all entries).
    public static func report(_ root: JSONObject) -> [Finding] {
        var findings: [Finding] = []
        func check(_ object: JSONObject?, _ section: Section, _ path: String) {
            for key in object?.keys ?? [] {
                let full = path.isEmpty ? key : "\(path).\(key)"
                guard !findings.contains(where: { $0.path == full }) else { continue }
                if section.ownKeys.contains(key) {
                    findings.append(Finding(path: full, kind: .own, note: ""))
                    continue
                }
                guard let support = section.keys[key] ?? section.unlisted(key) else {
                    findings.append(Finding(path: full, kind: .unknown, note: ""))
                    continue
                }
                switch support.level {
                case .honoured: break
                case .differs: findings.append(Finding(path: full, kind: .differs, note: support.note))
                case .unsupported: findings.append(Finding(path: full, kind: .unsupported, note: support.note))
                }
            }
        }
        check(root, .top, "")
        check(root["general_settings"]?.objectValue, .generalSettings, "general_settings")
        check(root["litellm_settings"]?.objectValue, .litellmSettings, "litellm_settings")
        check(root["router_settings"]?.objectValue, .routerSettings, "router_settings")
        for entry in root["model_list"]?.arrayValue ?? [] {
            check(entry["litellm_params"]?.objectValue, .litellmParams, "model_list[].litellm_params")
            check(entry["model_info"]?.objectValue, .modelInfo, "model_list[].model_info")
        }
        return findings
    }

    /// The Markdown page (docs/config-support.md): counts, then every key of every section.
    public static func markdown() -> String {
        var lines = [
            "# LiteLLM 1.110.2 config keys: what this gateway does with each", "",
            "Generated by `proxy --config-support-table` from `Sources/Proxy/Config/ConfigSupport+table.swift`",
            "(a test fails when this page and the table differ). `proxy --config FILE --check-config` reports the keys",
            "of one file; start-up warns once per present key that is not honoured; `--strict` (or",
            "`general_settings.strict_config: true`) refuses those and the keys LiteLLM does not know. In",
            "`litellm_params`, keys not listed are model parameters, sent to Azure as LiteLLM sends them; price fields",
            "other than `input_cost_per_token` / `output_cost_per_token` are not read.", "",
            "| section | honoured | honoured with a difference | not supported | keys |",
            "| --- | --- | --- | --- | --- |",
        ]
        for section in Section.allCases {
            let values = Array(section.keys.values)
            let count = { (level: Support.Level) in values.filter { $0.level == level }.count }
            lines.append(
                "| \(section.rawValue) | \(count(.honoured)) | \(count(.differs)) | \(count(.unsupported)) "
                    + "| \(values.count) |"
            )
        }
        for section in Section.allCases {
            lines += ["", "## \(section.rawValue)", "", "| key | support | note |", "| --- | --- | --- |"]
            for (key, support) in section.keys.sorted(by: { $0.key < $1.key }) {
                let note = support.note.replacingOccurrences(of: "|", with: "\\|")
                lines.append("| `\(key)` | \(support.level.rawValue) | \(note) |")
            }
            if !section.ownKeys.isEmpty {
                lines += [
                    "",
                    "This gateway's own keys here: "
                        + section.ownKeys.sorted().map { "`\($0)`" }.joined(separator: ", ") + ".",
                ]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
