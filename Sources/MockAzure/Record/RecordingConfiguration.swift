/// How `mock-azure record` runs: a pass-through to a real endpoint that writes what it sees as fixtures.
public struct RecordingConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The real endpoint, e.g. `https://myresource.openai.azure.com`.
    public var upstream: String
    /// The key sent upstream in `api-key`; nil passes the caller's own `api-key`/`Authorization` through.
    public var upstreamAPIKey: String?
    /// Folder the recorded scenarios are written to.
    public var outputDirectory: String
    /// Largest body recorded or relayed.
    public var maximumBodySize: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8081,
        upstream: String,
        upstreamAPIKey: String? = nil,
        outputDirectory: String,
        maximumBodySize: Int = 16 * 1024 * 1024
    ) {
        self.host = host
        self.port = port
        self.upstream = upstream
        self.upstreamAPIKey = upstreamAPIKey
        self.outputDirectory = outputDirectory
        self.maximumBodySize = maximumBodySize
    }
}
