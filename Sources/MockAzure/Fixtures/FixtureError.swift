/// A fixture file that cannot be used. Start-up stops with it: a broken fixture is never skipped silently.
public struct FixtureError: Error, Sendable, CustomStringConvertible {
    public var file: String
    /// Where in the file, as a key path such as `response.stream[3].delay_ms`; empty for the whole file.
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
