/// Why a config.yaml cannot be used: the file, the key path (`model_list[0].litellm_params.api_key`) and what is
/// wrong. Start-up stops with it. The description never contains a secret's value.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var keyPath: String
    public var reason: String

    public init(file: String, keyPath: String = "", reason: String) {
        self.file = file
        self.keyPath = keyPath
        self.reason = reason
    }

    public var description: String {
        keyPath.isEmpty ? "\(file): \(reason)" : "\(file): \(keyPath): \(reason)"
    }
}
