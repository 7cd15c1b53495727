import Foundation
import HTTPTypes
import Wire

/// Reads LiteLLM's config.yaml: `model_list`, `litellm_settings`, `router_settings`, `general_settings`,
/// `environment_variables`, with `os.environ/NAME` resolved anywhere. Keys that are not honoured (ConfigSupport)
/// become warnings, or errors in strict mode; invalid YAML,
/// wrong types, an entry without `model`, or an unset `os.environ/` variable (with no provider key fallback) fail
/// with the file, key path and problem.
public enum ConfigLoader {
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        strict: Bool = false
    ) throws(ConfigError) -> ProxyConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, reason: "cannot be read (no such file, or no permission)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, reason: "is not UTF-8 text")
        }
        return try parse(text, file: path, environment: environment, strict: strict)
    }

    public static func parse(
        _ text: String,
        file: String = "config.yaml",
        environment: [String: String] = [:],
        strict: Bool = false
    ) throws(ConfigError) -> ProxyConfig {
        let document: JSON
        do {
            document = try JSON.parseYAML(text)
        } catch {
            throw ConfigError(file: file, reason: "invalid YAML: \(error.description)")
        }
        var reader = ConfigReader(file: file, environment: environment, strict: strict)
        return try reader.read(document)
    }
}

struct ConfigReader {
    let file: String
    var environment: [String: String]
    /// `--strict`: a key that is not honoured, or that LiteLLM does not know, stops start-up.
    var strict = false
    var warnings: [String] = []
    /// Guardrail and callback entries it skips, reported with the keys it does not honour.
    var entryFindings: [ConfigSupport.Finding] = []

    init(file: String, environment: [String: String], strict: Bool = false) {
        self.file = file
        self.environment = environment
        self.strict = strict
    }

    func fail(_ path: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, keyPath: path, reason: reason)
    }

    static let modelEntry: Set<String> = ["model_name", "litellm_params", "model_info"]

    mutating func read(_ document: JSON) throws(ConfigError) -> ProxyConfig {
        let root: JSONObject
        switch document {
        case .object(let object): root = object
        case .null: root = JSONObject()
        default: throw fail("", "the top level must be a mapping, found \(document.kindName)")
        }

        // environment_variables are exported before anything else is read.
        var exported: [String: String] = [:]
        if let variables = root["environment_variables"] {
            for member in try object(variables, "environment_variables") {
                let value = try resolve(member.value, "environment_variables.\(member.key)")
                switch value {
                case .string(let text), .number(let text): exported[member.key] = text
                case .bool(let flag): exported[member.key] = flag ? "True" : "False"
                default: throw fail("environment_variables.\(member.key)", "expected a string, found \(value.kindName)")
                }
            }
        }
        environment.merge(exported) { _, new in new }

        let general =
            try root["general_settings"].map { value throws(ConfigError) in try object(value, "general_settings") }
            ?? JSONObject()
        let litellm =
            try root["litellm_settings"].map { value throws(ConfigError) in try object(value, "litellm_settings") }
            ?? JSONObject()
        let router =
            try root["router_settings"].map { value throws(ConfigError) in try object(value, "router_settings") }
            ?? JSONObject()
        let resolvedLiteLLM = try resolveObject(litellm, "litellm_settings")
        var settings = try settings(
            general: try resolveObject(general, "general_settings"),
            litellm: resolvedLiteLLM,
            router: try resolveObject(router, "router_settings")
        )
        settings.tracing = try tracing(resolvedLiteLLM)

        var deployments: [ModelDeployment] = []
        if let list = root["model_list"], !list.isNull {
            guard case .array(let entries) = list else {
                throw fail("model_list", "expected a list, found \(list.kindName)")
            }
            for (index, entry) in entries.enumerated() {
                deployments.append(try deployment(entry, "model_list[\(index)]"))
            }
        }
        if let substitution = settings.cache?.substitution { warnings.append("\(file): \(substitution)") }
        if deployments.isEmpty {
            warnings.append("\(file): model_list is empty: every model request will fail with 400")
        }
        for (alias, target) in settings.modelGroupAlias.sorted(by: { $0.key < $1.key })
        where !deployments.contains(where: { $0.modelName == target }) {
            throw fail(
                "router_settings.model_group_alias.\(alias)",
                "points to '\(target)', which is not a model_name in model_list"
            )
        }
        let guardrails = try guardrails(root["guardrails"])
        let support = ConfigSupport.report(root) + entryFindings
        let losses = support.filter(\.isLoss)
        if strict || settings.strictConfig, !losses.isEmpty {
            throw fail(
                "",
                "strict mode: \(losses.count) key(s) not honoured:\n" + losses.map { "  \($0)" }.joined(separator: "\n")
            )
        }
        warnings = losses.map { "\(file): \($0)" } + warnings
        var config = ProxyConfig(
            file: file,
            deployments: deployments,
            settings: settings,
            environmentVariables: exported,
            warnings: warnings
        )
        config.support = support
        config.fileDeployments = try fileDeployments(root["files_settings"])
        config.guardrails = guardrails
        return config
    }

    /// `files_settings: [{custom_llm_provider, api_base, api_key, api_version}]`, read as deployments are.
    mutating func fileDeployments(_ value: JSON?) throws(ConfigError) -> [ModelDeployment] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let entries) = value else {
            throw fail("files_settings", "expected a list, found \(value.kindName)")
        }
        var deployments: [ModelDeployment] = []
        for (index, entry) in entries.enumerated() {
            var params = try object(entry, "files_settings[\(index)]")
            let provider = try string(params["custom_llm_provider"], "files_settings[\(index)].custom_llm_provider")
            params["model"] = .string((provider ?? "azure") + "/files")
            params.removeValue(forKey: "custom_llm_provider")
            deployments.append(
                try deployment(
                    ["model_name": "files_settings", "litellm_params": .object(params)],
                    "files_settings[\(index)]"
                )
            )
        }
        return deployments
    }

    mutating func deployment(_ value: JSON, _ path: String) throws(ConfigError) -> ModelDeployment {
        let entry = try object(value, path)
        warnUnknown(entry, ConfigReader.modelEntry, path)
        guard
            let name = try string(
                try resolve(entry["model_name"] ?? .null, "\(path).model_name"),
                "\(path).model_name"
            ), !name.isEmpty
        else {
            throw fail("\(path).model_name", "is required")
        }
        guard let rawParams = entry["litellm_params"] else {
            throw fail("\(path).litellm_params", "is required (with at least `model`)")
        }
        var params = JSONObject()
        for member in try object(rawParams, "\(path).litellm_params") {
            let keyPath = "\(path).litellm_params.\(member.key)"
            do {
                params[member.key] = try resolve(member.value, keyPath)
            } catch let error where member.key == "api_key" && error.reason.hasPrefix("environment variable") {
                // An unset api_key variable falls back to the provider's standard variable below.
                params[member.key] = .null
            }
        }
        let paramsPath = "\(path).litellm_params"
        guard let model = try string(params["model"], "\(paramsPath).model"), !model.isEmpty else {
            throw fail("\(paramsPath).model", "is required")
        }
        let info =
            try entry["model_info"].map { value throws(ConfigError) in
                try resolveObject(try object(value, "\(path).model_info"), "\(path).model_info")
            } ?? JSONObject()

        let apiBase = try string(params["api_base"], "\(paramsPath).api_base")
        if let apiBase, URL(string: apiBase)?.scheme == nil || URL(string: apiBase)?.host == nil {
            throw fail("\(paramsPath).api_base", "is not an absolute http(s) URL")
        }
        let explicitProvider = try string(params["custom_llm_provider"], "\(paramsPath).custom_llm_provider")
        let provider: ModelDeployment.Provider
        var upstreamModel = model
        if let slash = model.firstIndex(of: "/"), explicitProvider == nil {
            let prefix = String(model[..<slash])
            guard let known = ModelDeployment.Provider(rawValue: prefix) else {
                throw fail("\(paramsPath).model", "provider '\(prefix)' is not supported here (azure, openai)")
            }
            provider = known
            upstreamModel = String(model[model.index(after: slash)...])
        } else if let explicitProvider {
            guard let known = ModelDeployment.Provider(rawValue: explicitProvider) else {
                throw fail(
                    "\(paramsPath).custom_llm_provider",
                    "provider '\(explicitProvider)' is not supported here (azure, openai)"
                )
            }
            provider = known
            if model.hasPrefix(explicitProvider + "/") {
                upstreamModel = String(model.dropFirst(explicitProvider.count + 1))
            }
        } else if let host = apiBase.flatMap({ URL(string: $0)?.host?.lowercased() }),
            host.hasSuffix(".openai.azure.com") || host.hasSuffix(".cognitiveservices.azure.com")
        {
            provider = .azure
        } else {
            provider = .openai
        }

        var apiKey = try string(params["api_key"], "\(paramsPath).api_key")
        if apiKey == nil {
            let fallback = provider == .azure ? "AZURE_API_KEY" : "OPENAI_API_KEY"
            apiKey = nonEmpty(environment[fallback])
            if apiKey == nil, entry["litellm_params"]?["api_key"]?.stringValue?.hasPrefix("os.environ/") == true {
                let variable = entry["litellm_params"]?["api_key"]?.stringValue?.dropFirst("os.environ/".count) ?? ""
                throw fail(
                    "\(paramsPath).api_key",
                    "environment variable \(variable) is not set (and no \(fallback) fallback)"
                )
            }
        }
        if apiKey != nil { params["api_key"] = .string(apiKey!) }
        let entra =
            provider == .azure
            ? try entraCredential(&params, apiKey: apiKey, path: paramsPath) : nil

        let id =
            try string(info["id"], "\(path).model_info.id") ?? ModelDeploymentID.make(modelName: name, params: params)
        return ModelDeployment(
            modelName: name,
            litellmParams: params,
            modelInfo: info,
            id: id,
            provider: provider,
            model: model,
            upstreamModel: upstreamModel,
            apiBase: apiBase,
            publicAPIBase: apiBase.map(ModelDeployment.publicURL),
            apiVersion: try string(params["api_version"], "\(paramsPath).api_version"),
            apiKey: apiKey,
            timeout: try seconds(params["timeout"], "\(paramsPath).timeout"),
            streamTimeout: try seconds(params["stream_timeout"], "\(paramsPath).stream_timeout"),
            rpm: try integer(params["rpm"], "\(paramsPath).rpm"),
            tpm: try integer(params["tpm"], "\(paramsPath).tpm"),
            weight: try positive(params["weight"], "\(paramsPath).weight"),
            numRetries: try integer(params["num_retries"], "\(paramsPath).num_retries"),
            extraHeaders: try headers(params["extra_headers"], "\(paramsPath).extra_headers"),
            dropParams: try bool(params["drop_params"], "\(paramsPath).drop_params"),
            additionalDropParams: try names(params["additional_drop_params"], "\(paramsPath).additional_drop_params"),
            allowedOpenAIParams: try names(params["allowed_openai_params"], "\(paramsPath).allowed_openai_params"),
            entra: entra
        )
    }

    // MARK: values

    /// A list of names.
    func names(_ value: JSON?, _ path: String) throws(ConfigError) -> [String]? {
        guard let value, !value.isNull else { return nil }
        let names = value.arrayValue?.compactMap(\.stringValue)
        guard let names, names.count == value.arrayValue?.count else { throw fail(path, "expected a list of names") }
        return names
    }

    mutating func warnUnknown(_ object: JSONObject, _ known: Set<String>, _ path: String) {
        for key in object.keys where !known.contains(key) {
            warnings.append("\(file): \(path.isEmpty ? key : "\(path).\(key)"): unknown key, ignored")
        }
    }

    func object(_ value: JSON, _ path: String) throws(ConfigError) -> JSONObject {
        switch value {
        case .object(let object): return object
        case .null: return JSONObject()
        default: throw fail(path, "expected a mapping, found \(value.kindName)")
        }
    }

    /// Replaces `os.environ/NAME` strings, anywhere below `value`.
    func resolve(_ value: JSON, _ path: String) throws(ConfigError) -> JSON {
        switch value {
        case .string(let text) where text.hasPrefix("os.environ/"):
            let name = String(text.dropFirst("os.environ/".count))
            guard let resolved = environment[name] else { throw fail(path, "environment variable \(name) is not set") }
            return .string(resolved)
        case .array(let items):
            var result: [JSON] = []
            for (index, item) in items.enumerated() { result.append(try resolve(item, "\(path)[\(index)]")) }
            return .array(result)
        case .object(let object):
            return .object(try resolveObject(object, path))
        default:
            return value
        }
    }

    func resolveObject(_ object: JSONObject, _ path: String) throws(ConfigError) -> JSONObject {
        var result = JSONObject()
        for member in object { result[member.key] = try resolve(member.value, "\(path).\(member.key)") }
        return result
    }

    func string(_ value: JSON?, _ path: String) throws(ConfigError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let text)?: return text
        case let other?: throw fail(path, "expected a string, found \(other.kindName)")
        }
    }

    /// `extra_headers`: a map of header names to string values, each a valid HTTP field.
    func headers(_ value: JSON?, _ path: String) throws(ConfigError) -> [(String, String)] {
        guard let value, !value.isNull else { return [] }
        guard case .object(let object) = value else { throw fail(path, "expected a map of header names to values") }
        return try object.map { member throws(ConfigError) in
            guard let text = try string(member.value, "\(path).\(member.key)"),
                HTTPField.Name(member.key) != nil, HTTPField.isValidValue(text)
            else {
                throw fail("\(path).\(member.key)", "expected a valid HTTP header name and value")
            }
            return (member.key.lowercased(), text)
        }
    }

    func number(_ value: JSON?, _ path: String) throws(ConfigError) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .number(let text)?, .string(let text)?:
            guard let parsed = Double(text) else { throw fail(path, "expected a number, found '\(text.prefix(40))'") }
            guard parsed.isFinite else { throw fail(path, "expected a finite number, found '\(text.prefix(40))'") }
            return parsed
        case let other?: throw fail(path, "expected a number, found \(other.kindName)")
        }
    }

    func positive(_ value: JSON?, _ path: String) throws(ConfigError) -> Double? {
        guard let number = try number(value, path) else { return nil }
        guard number > 0 else { throw fail(path, "must be a number > 0") }
        return number
    }

    /// A duration in seconds: > 0 (≥ 0 when `zeroAllowed`) and at most `ConfigReader.longestDuration`, so that it
    /// converts to milliseconds and clock instants without overflow.
    func seconds(_ value: JSON?, _ path: String, zeroAllowed: Bool = false) throws(ConfigError) -> Double? {
        guard let number = try number(value, path) else { return nil }
        guard zeroAllowed ? number >= 0 : number > 0, number <= Self.longestDuration else {
            throw fail(
                path,
                "must be a number of seconds \(zeroAllowed ? "≥" : ">") 0 and ≤ \(Int(Self.longestDuration))"
            )
        }
        return number
    }

    /// The longest timeout, cooldown or TTL a config may give, in seconds (about 31 years).
    static let longestDuration: Double = 1_000_000_000

    func integer(_ value: JSON?, _ path: String) throws(ConfigError) -> Int? {
        guard let number = try number(value, path) else { return nil }
        guard number >= 0, number == number.rounded(), number < 1e15 else {
            throw fail(path, "expected a whole number ≥ 0")
        }
        return Int(number)
    }

    func bool(_ value: JSON?, _ path: String) throws(ConfigError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?:
            guard let flag = LiteLLMFlag.value(.string(text)) else {
                throw fail(path, "expected true or false, found '\(text.prefix(40))'")
            }
            return flag
        case let other?: throw fail(path, "expected true or false, found \(other.kindName)")
        }
    }

    func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// LiteLLM's deployment id when `model_info.id` is absent: sha256 hex of the model name followed by each
/// `litellm_params` key and value, in YAML order (values written as Python's `str`, mappings as `json.dumps`).
enum ModelDeploymentID {
    static func make(modelName: String, params: JSONObject) -> String {
        var text = modelName
        for member in params {
            text += member.key
            text += pythonString(member.value)
        }
        return SecretHash.sha256Hex(text)
    }

    static func pythonString(_ value: JSON) -> String {
        switch value {
        case .string(let text): return text
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .number(let text): return text
        case .array, .object: return pythonJSON(value)
        }
    }

    /// `json.dumps` spacing: `", "` between items and `": "` after keys.
    static func pythonJSON(_ value: JSON) -> String {
        switch value {
        case .array(let items): return "[" + items.map(pythonJSON).joined(separator: ", ") + "]"
        case .object(let object):
            return "{"
                + object.map { JSON.string($0.key).serialized() + ": " + pythonJSON($0.value) }.joined(separator: ", ")
                + "}"
        default: return value.serialized()
        }
    }
}
