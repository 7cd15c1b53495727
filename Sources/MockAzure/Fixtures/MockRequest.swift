import Wire

/// The three Azure OpenAI operations the simulator serves.
public enum MockOperation: String, Sendable, CaseIterable {
    case chatCompletions = "chat/completions"
    case completions
    case embeddings
}

/// A request as the simulator sees it once the URL, api-version and key have been accepted.
public struct MockRequest: Sendable {
    public var deployment: String
    public var operation: MockOperation
    public var apiVersion: String
    public var body: JSON
    /// Header `x-mock-scenario`, when the caller names one.
    public var scenarioName: String?

    public init(
        deployment: String,
        operation: MockOperation,
        apiVersion: String,
        body: JSON,
        scenarioName: String? = nil
    ) {
        self.deployment = deployment
        self.operation = operation
        self.apiVersion = apiVersion
        self.body = body
        self.scenarioName = scenarioName
    }

    public var chat: ChatRequest { ChatRequest(body: body) }
}
