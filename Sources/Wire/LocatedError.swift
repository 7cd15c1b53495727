/// A problem in a file the user wrote (a config.yaml, a fixture): the file, the key path inside it
/// (`model_list[0].litellm_params.api_key`, `response.stream[3].delay_ms`) and what is wrong. Start-up stops with it;
/// the description never contains a secret's value.
public struct LocatedError: Error, Sendable, CustomStringConvertible {
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
