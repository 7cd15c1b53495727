import Wire

/// One Azure deployment the simulator serves.
public struct Deployment: Sendable, Equatable {
    public enum Kind: String, Sendable { case chat, completions, embeddings, images, transcription, speech }

    public var name: String
    /// The dated model snapshot Azure reports in `model` (e.g. `o4-mini-2025-04-16`).
    public var model: String
    public var kind: Kind
    /// Requests and tokens per minute; nil = unlimited.
    public var rpm: Int?
    public var tpm: Int?
    /// Scenario used when no rule matches (before falling back to a generated answer).
    public var defaultScenario: String?
    /// Embedding width when the request gives no `dimensions`.
    public var dimensions: Int

    public init(
        name: String,
        model: String,
        kind: Kind = .chat,
        rpm: Int? = nil,
        tpm: Int? = nil,
        defaultScenario: String? = nil,
        dimensions: Int = 1536
    ) {
        self.name = name
        self.model = model
        self.kind = kind
        self.rpm = rpm
        self.tpm = tpm
        self.defaultScenario = defaultScenario
        self.dimensions = dimensions
    }

    /// o-series and gpt-5 models reason: their usage carries reasoning tokens and they refuse sampling parameters.
    public var isReasoningModel: Bool {
        let lower = model.lowercased()
        return ["o1", "o3", "o4", "gpt-5"].contains { lower.hasPrefix($0) }
    }
}
