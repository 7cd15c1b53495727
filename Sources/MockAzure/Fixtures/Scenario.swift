import Wire

/// One recorded or written exchange: when it applies and what Azure answers.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// Chosen by rules only when present; otherwise only by name (`x-mock-scenario`) or as a deployment default.
    public var match: ScenarioMatch?
    /// Higher wins among matching scenarios; ties go to the one with more rules, then file order.
    public var priority: Int
    public var response: ScenarioResponse
    /// The file it came from, for listings and error messages.
    public var file: String
    /// `strict: false`: Azure's argument checks (`StrictParameters`) are off for requests naming this scenario.
    public var strict: Bool = true

    public init(
        name: String,
        description: String = "",
        match: ScenarioMatch? = nil,
        priority: Int = 0,
        response: ScenarioResponse,
        file: String = ""
    ) {
        self.name = name
        self.description = description
        self.match = match
        self.priority = priority
        self.response = response
        self.file = file
    }
}

/// Rules that must all hold for a scenario to apply to a request.
public struct ScenarioMatch: Sendable {
    public enum TextRule: Sendable, Equatable {
        case equals(String)
        case contains(String)

        func holds(for text: String?) -> Bool {
            guard let text else { return false }
            switch self {
            case .equals(let expected): return text == expected
            case .contains(let part): return text.contains(part)
            }
        }
    }

    public struct BodyRule: Sendable {
        public enum Test: Sendable {
            case exists(Bool)
            case equals(JSON)
            case contains(String)
        }

        public var path: String
        public var test: Test

        func holds(for body: JSON) -> Bool {
            let value = body.value(at: path)
            switch test {
            case .exists(let expected): return (value != nil) == expected
            case .equals(let expected): return value == expected
            case .contains(let part): return value?.stringValue?.contains(part) == true
            }
        }
    }

    public var deployments: [String]?
    public var operation: MockOperation?
    public var stream: Bool?
    public var lastUserMessage: TextRule?
    public var body: [BodyRule]

    public init(
        deployments: [String]? = nil,
        operation: MockOperation? = nil,
        stream: Bool? = nil,
        lastUserMessage: TextRule? = nil,
        body: [BodyRule] = []
    ) {
        self.deployments = deployments
        self.operation = operation
        self.stream = stream
        self.lastUserMessage = lastUserMessage
        self.body = body
    }

    /// How many rules there are: the more specific scenario wins a tie.
    public var ruleCount: Int {
        (deployments == nil ? 0 : 1) + (operation == nil ? 0 : 1) + (stream == nil ? 0 : 1)
            + (lastUserMessage == nil ? 0 : 1) + body.count
    }

    public func holds(for request: MockRequest) -> Bool {
        if let deployments, !deployments.contains(request.deployment) { return false }
        if let operation, operation != request.operation { return false }
        if let stream, stream != request.chat.isStream { return false }
        if let lastUserMessage, !lastUserMessage.holds(for: request.chat.lastUserMessageText) { return false }
        return body.allSatisfy { $0.holds(for: request.body) }
    }
}

/// What the simulator sends back.
public struct ScenarioResponse: Sendable {
    public enum Ending: String, Sendable {
        /// The stream ends normally (the frames include `[DONE]` when Azure would send it).
        case close
        /// The connection drops after the last frame, without ending the chunked body.
        case disconnect
        /// The connection stays open after the last frame, silent, for the hang time (then drops): an upstream that
        /// stalls mid-stream.
        case stall
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: JSON?
    /// Body text sent verbatim (for malformed bodies); takes precedence over `body`.
    public var rawBody: String?
    public var frames: [StreamFrame]?
    public var ending: Ending

    public init(
        status: Int = 200,
        headers: [(String, String)] = [],
        body: JSON? = nil,
        rawBody: String? = nil,
        frames: [StreamFrame]? = nil,
        ending: Ending = .close
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.rawBody = rawBody
        self.frames = frames
        self.ending = ending
    }
}

/// One SSE event of a recorded stream: the text after `data: `, sent `delayMs` after the previous frame.
public struct StreamFrame: Sendable, Equatable {
    public var delayMs: Double
    public var data: String
    /// The `event:` line (the Responses API names its events); nil for chat's data-only frames.
    public var event: String?

    public init(delayMs: Double, data: String) {
        self.delayMs = delayMs
        self.data = data
    }

    public init(delayMs: Double, json: JSON, event: String? = nil) {
        self.delayMs = delayMs
        self.data = json.serialized()
        self.event = event
    }
}

extension [StreamFrame] {
    /// The frames a proxy in LiteLLM's stream shape sends for these: Azure's prompt-filter frame (no choices, no
    /// usage) is not sent on its own but rides on the next frame, so its delay is part of that frame's.
    public var promptFilterFrameMerged: [StreamFrame] {
        var result: [StreamFrame] = []
        var carried = 0.0
        for frame in self {
            let json = try? JSON.parse(frame.data)
            if json?["choices"] == [], json?["usage"] == nil || json?["usage"] == .null {
                carried += frame.delayMs
                continue
            }
            result.append(StreamFrame(delayMs: frame.delayMs + carried, data: frame.data))
            carried = 0
        }
        return result
    }
}
