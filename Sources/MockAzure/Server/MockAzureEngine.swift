import Foundation
import NIOConcurrencyHelpers
import Wire

/// The simulator's behaviour, free of any HTTP framework: an `IncomingRequest` in, a `MockReply` out.
/// Checks run in Azure's order: route, api-version, key, body, deployment, faults, rate limit, then the answer.
public final class MockAzureEngine: Sendable {
    public let configuration: MockAzureConfiguration
    public let fixtures: FixtureSet
    public let journal: Journal
    /// The emulated Entra ID tenant: it signs the tokens the data plane accepts as `Authorization: Bearer`.
    public let entra: EntraEmulator
    let matcher: ScenarioMatcher
    let generator: AnswerGenerator
    let sequencer = FaultSequencer()
    let randomFaults: RandomFaults
    let rateLimiter: NIOLockedValueBox<RateLimiter>
    let streamCounts = NIOLockedValueBox((open: 0, aborted: 0))
    /// Responses kept for the Responses API's retrieve, delete and input items.
    let responseStore = NIOLockedValueBox<[String: StoredResponse]>([:])
    /// Uploaded files and batches.
    let store = NIOLockedValueBox<(files: [String: StoredFile], batches: [String: StoredBatch])>(([:], [:]))

    /// Streams being written right now, and streams that ended because the client went away: a proxy that
    /// cancels its upstream request when its own client disconnects shows up here.
    public var openStreams: Int { streamCounts.withLockedValue { $0.open } }
    public var abortedStreams: Int { streamCounts.withLockedValue { $0.aborted } }

    func streamStarted() { streamCounts.withLockedValue { $0.open += 1 } }
    func streamEnded(aborted: Bool) {
        streamCounts.withLockedValue {
            $0.open -= 1
            if aborted { $0.aborted += 1 }
        }
    }

    public init(configuration: MockAzureConfiguration, fixtures: FixtureSet) {
        self.configuration = configuration
        self.fixtures = fixtures
        self.journal = Journal(capacity: configuration.journalCapacity)
        self.entra = EntraEmulator(configuration: configuration.entra)
        self.matcher = ScenarioMatcher(fixtures: fixtures)
        self.generator = AnswerGenerator(seed: configuration.seed)
        self.randomFaults = RandomFaults(rate: configuration.faultRate, seed: configuration.seed)
        self.rateLimiter = NIOLockedValueBox(RateLimiter(windowSeconds: fixtures.rateLimitWindowSeconds))
    }

    /// Loads the fixtures folder named in the configuration; a broken fixture throws with its path.
    public convenience init(configuration: MockAzureConfiguration) throws(FixtureError) {
        self.init(
            configuration: configuration,
            fixtures: try FixtureLoader.load(directory: configuration.fixturesDirectory)
        )
    }

    struct Route {
        var deployment: String?
        var operation: MockOperation
        var isV1: Bool

        init?(path: String) {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard parts.count >= 3, parts[0] == "openai" else { return nil }
            let rest: ArraySlice<String>
            if parts[1] == "v1" {
                isV1 = true
                deployment = nil
                rest = parts[2...]
            } else if parts[1] == "deployments", parts.count >= 4 {
                isV1 = false
                deployment = parts[2].removingPercentEncoding ?? parts[2]
                rest = parts[3...]
            } else {
                return nil
            }
            guard let operation = MockOperation(rawValue: rest.joined(separator: "/")) else { return nil }
            self.operation = operation
        }
    }

    /// Azure's refusal of a request body, as an error value.
    struct BodyRefusal: Error {
        var failure: (status: Int, body: JSON)
    }

    /// The request's body as Azure reads it: within the size limit, JSON, an object.
    static func objectBody(_ request: IncomingRequest) -> Result<JSON, BodyRefusal> {
        if request.bodyTooLarge { return .failure(BodyRefusal(failure: AzureError.bodyTooLarge)) }
        let body: JSON
        do {
            body = try JSON.parse(request.body)
        } catch let parseError {
            return .failure(BodyRefusal(failure: AzureError.invalidJSON(parseError.description)))
        }
        guard case .object = body else {
            let message = "\(body.serialized().prefix(80)) is not of type 'object'"
            return .failure(BodyRefusal(failure: AzureError.invalidRequest(message: message, param: nil, code: nil)))
        }
        return .success(body)
    }

    static func mockError(_ message: String) -> MockReply {
        .json(400, AzureError.body(code: "MockConfigurationError", message: message))
    }

    public func handle(_ request: IncomingRequest, now: Double = Date().timeIntervalSince1970) -> MockReply {
        journal.record(
            method: request.method,
            path: request.path,
            query: request.query,
            headers: request.headers,
            body: request.body
        )
        return contentSafety(request, now: now) ?? responses(request, now: now) ?? media(request, now: now)
            ?? filesAndBatches(request, now: now) ?? answer(request, now: now)
    }

    func answer(_ request: IncomingRequest, now: Double) -> MockReply {
        let plainHeaders = AzureHeaders.make(
            region: configuration.region,
            deployment: nil,
            clientRequestID: request.header("x-ms-client-request-id"),
            remaining: nil,
            stream: false
        )
        func error(_ failure: (status: Int, body: JSON), deployment: Deployment? = nil, extra: [(String, String)] = [])
            -> MockReply
        {
            let headers =
                deployment.map {
                    AzureHeaders.make(
                        region: configuration.region,
                        deployment: $0,
                        clientRequestID: request.header("x-ms-client-request-id"),
                        remaining: nil,
                        stream: false
                    )
                } ?? plainHeaders
            return .json(failure.status, failure.body, headers: AzureHeaders.merge(headers, extra))
        }
        guard request.method == "POST", let route = Route(path: request.path) else {
            return error(AzureError.resourceNotFound)
        }

        let version = request.queryItem("api-version")
        if route.isV1 {
            if let version, !FixtureSet.v1APIVersions.contains(version) {
                return error(AzureError.apiVersionNotSupported)
            }
        } else {
            guard let version, fixtures.apiVersions.contains(version) else { return error(AzureError.resourceNotFound) }
        }
        if let failure = authenticate(request) { return error(failure) }
        let body: JSON
        switch MockAzureEngine.objectBody(request) {
        case .success(let object): body = object
        case .failure(let refusal): return error(refusal.failure)
        }
        guard let deploymentName = route.deployment ?? body["model"]?.stringValue else {
            return error(AzureError.missingParameter("model"))
        }
        let deployment: Deployment
        if let known = fixtures.deployments[deploymentName] {
            deployment = known
        } else if fixtures.deployments.isEmpty {
            deployment = Deployment(
                name: deploymentName,
                model: deploymentName,
                kind: route.operation == .embeddings
                    ? .embeddings : route.operation == .completions ? .completions : .chat
            )
        } else {
            return error(AzureError.deploymentNotFound)
        }
        let expectedKind: Deployment.Kind =
            route.operation == .embeddings ? .embeddings : route.operation == .completions ? .completions : .chat
        if deployment.kind != expectedKind {
            let operationName = route.operation == .chatCompletions ? "chatCompletion" : route.operation.rawValue
            return error(
                (
                    400,
                    AzureError.body(
                        code: "OperationNotSupported",
                        message:
                            """
                            The \(operationName) operation does not work with the specified model, \
                            \(deployment.model). Please choose different model and try again. You can learn more about \
                            which models can be used with each operation here: \
                            https://go.microsoft.com/fwlink/?linkid=2197993.
                            """
                    )
                ),
                deployment: deployment
            )
        }
        // Directives travel in the headers, or in the last user message for clients (proxies) that do not forward
        // custom headers: a line `#mock-scenario: NAME` or `#mock-fault: 429 then 200`.
        let directives = MockDirectives(
            text: ChatRequest(body: body).lastUserMessageText ?? body["prompt"]?.stringValue
        )
        let mockRequest = MockRequest(
            deployment: deployment.name,
            operation: route.operation,
            apiVersion: version ?? "v1",
            body: body,
            scenarioName: request.header("x-mock-scenario") ?? directives.scenario(for: deployment.name)
        )
        if route.operation == .chatCompletions, mockRequest.chat.messages == nil, mockRequest.scenarioName == nil {
            return error(AzureError.missingParameter("messages"), deployment: deployment)
        }
        if let invalid = ParameterValidation.error(in: body, operation: route.operation, deployment: deployment) {
            return error(invalid, deployment: deployment)
        }
        let relaxed = mockRequest.scenarioName.flatMap { fixtures.scenario(named: $0) }?.strict == false
        if configuration.strict, !relaxed, case .object(let members) = body,
            let refused = StrictParameters.error(
                in: members,
                operation: route.operation,
                apiVersion: mockRequest.apiVersion,
                deployment: deployment
            )
        {
            return error(refused, deployment: deployment)
        }

        // Faults: the header's plan first, else the seeded random rate.
        var fault = Fault.none
        if let header = request.header("x-mock-fault") ?? directives.fault(for: deployment.name) {
            do {
                let plan = try FaultPlan.parse(header)
                fault = sequencer.next(
                    plan,
                    key: header + "|" + deployment.name + "|" + (request.header("x-mock-fault-key") ?? "")
                )
            } catch {
                return MockAzureEngine.mockError(
                    """
                    x-mock-fault: unknown fault '\(error.token)' (use 408, 429, 500, 503, hang, disconnect-after:N, \
                    malformed-frame, or a sequence such as '429 then 200')
                    """
                )
            }
        } else {
            fault = randomFaults.next()
        }
        switch fault {
        case .status(let status):
            return faultReply(status: status, apiVersion: mockRequest.apiVersion, deployment: deployment, error: error)
        case .hang: return .hang(seconds: configuration.hangSeconds)
        default: break
        }

        // Azure's quota: prompt estimate + requested output tokens, counted on arrival.
        let (cost, overflow) = TokenEstimate.prompt(of: mockRequest.chat).addingReportingOverflow(
            max(0, mockRequest.chat.maxOutputTokens ?? 0)
        )
        let decision = rateLimiter.withLockedValue {
            $0.admit(
                deployment: deployment.name,
                rpm: deployment.rpm,
                tpm: deployment.tpm,
                cost: overflow ? .max : cost,
                now: now
            )
        }
        var remaining: (requests: Int?, tokens: Int?)?
        switch decision {
        case .limited(let retryAfter, let tokens):
            let seconds = Int(retryAfter.rounded(.up))
            return error(
                AzureError.rateLimited(apiVersion: mockRequest.apiVersion, retryAfter: seconds, tokens: tokens),
                deployment: deployment,
                extra: [
                    ("retry-after", String(seconds)), ("retry-after-ms", String(Int((retryAfter * 1000).rounded(.up)))),
                    ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-remaining-tokens", "0"),
                ]
            )
        case .allowed(let requests, let tokens):
            remaining = (requests, tokens)
        }

        var reply: MockReply
        switch matcher.select(mockRequest) {
        case .unknownName(let name):
            return MockAzureEngine.mockError(
                "x-mock-scenario: no scenario named '\(name)' (GET /__mock/scenarios lists them)"
            )
        case .scenario(let scenario, _):
            reply = replay(
                scenario.response,
                request: mockRequest,
                deployment: deployment,
                clientRequestID: request.header("x-ms-client-request-id"),
                remaining: remaining
            )
        case .generated:
            let generated: JSON
            switch route.operation {
            case .chatCompletions: generated = generator.chat(mockRequest, deployment: deployment)
            case .completions: generated = generator.completion(mockRequest, deployment: deployment)
            case .embeddings: generated = generator.embeddings(mockRequest, deployment: deployment)
            }
            reply = replay(
                ScenarioResponse(body: generated),
                request: mockRequest,
                deployment: deployment,
                clientRequestID: request.header("x-ms-client-request-id"),
                remaining: remaining
            )
        }
        return apply(fault, to: reply)
    }

    /// Azure's checks on the caller: an `api-key` (refused with 403 when key authentication is disabled), or an
    /// Entra ID bearer token signed by this tenant for Cognitive Services, not expired. A bearer that is not a JWT
    /// is taken as a key (the configured one, or any with none configured) unless key authentication is disabled.
    func authenticate(_ request: IncomingRequest) -> (status: Int, body: JSON)? {
        let expected = configuration.apiKey
        if let key = request.header("api-key") {
            if configuration.localAuthDisabled { return AzureError.keyAuthenticationDisabled }
            guard !key.isEmpty else { return AzureError.invalidKey }
            if let expected, !SecretHash.constantTimeEquals(key, expected) { return AzureError.invalidKey }
            return nil
        }
        guard let authorization = request.header("authorization") else {
            return configuration.localAuthDisabled ? AzureError.invalidToken : AzureError.invalidKey
        }
        guard authorization.lowercased().hasPrefix("bearer ") else { return AzureError.invalidKey }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return AzureError.invalidToken }
        guard let jwt = try? JSONWebToken(parsing: token) else {
            if configuration.localAuthDisabled { return AzureError.invalidToken }
            if let expected, !SecretHash.constantTimeEquals(token, expected) { return AzureError.entraDenied }
            return nil
        }
        return entra.checkAccessToken(jwt, audiences: MockAzureEngine.cognitiveServicesAudiences)
            ? nil : AzureError.invalidToken
    }

    /// The audiences Azure OpenAI accepts.
    static let cognitiveServicesAudiences: Set<String> = [
        "https://cognitiveservices.azure.com", "https://cognitiveservices.azure.com/", "https://ai.azure.com",
    ]

    func faultReply(
        status: Int,
        apiVersion: String,
        deployment: Deployment,
        error: ((status: Int, body: JSON), Deployment?, [(String, String)]) -> MockReply
    ) -> MockReply {
        switch status {
        case 429:
            return error(
                AzureError.rateLimited(apiVersion: apiVersion, retryAfter: 1, tokens: true),
                deployment,
                [
                    ("retry-after", "1"), ("retry-after-ms", "1000"), ("x-ratelimit-remaining-requests", "0"),
                    ("x-ratelimit-remaining-tokens", "0"),
                ]
            )
        case 408: return error(AzureError.timeout, deployment, [])
        case 500: return error(AzureError.serverError, deployment, [])
        case 503: return error(AzureError.serviceUnavailable, deployment, [("retry-after", "1")])
        default:
            return error(
                (status, AzureError.body(code: String(status), message: "Simulated failure with status \(status).")),
                deployment,
                []
            )
        }
    }

    func replay(
        _ response: ScenarioResponse,
        request: MockRequest,
        deployment: Deployment,
        clientRequestID: String?,
        remaining: (requests: Int?, tokens: Int?)?
    ) -> MockReply {
        let includeUsage = request.chat.includeUsage
        var frames: [StreamFrame]?
        if let recorded = response.frames {
            frames = StreamSynthesizer.adapt(recorded, includeUsage: includeUsage)
        } else if request.chat.isStream, response.status == 200, response.rawBody == nil, let body = response.body,
            body["choices"] != nil
        {
            frames = StreamSynthesizer.frames(for: body, includeUsage: includeUsage)
        }
        let standard = AzureHeaders.make(
            region: configuration.region,
            deployment: deployment,
            clientRequestID: clientRequestID,
            remaining: remaining,
            stream: frames != nil
        )
        let headers = AzureHeaders.merge(standard, response.headers)
        if let frames {
            let scaled = frames.map {
                StreamFrame(delayMs: configuration.speed > 0 ? $0.delayMs / configuration.speed : 0, data: $0.data)
            }
            return .stream(status: response.status, headers: headers, frames: scaled, ending: response.ending)
        }
        let text = response.rawBody.map { Array($0.utf8) } ?? (response.body ?? [:]).serializedBytes()
        if response.ending == .disconnect {
            return .truncatedBody(status: response.status, headers: headers, text: text, sentBytes: text.count / 2)
        }
        return .body(status: response.status, headers: headers, text: text)
    }

    static let malformedFrame = StreamFrame(
        delayMs: 0,
        data: #"{"id":"chatcmpl-malformed","choices":[{"delta":{"content":"trunc"#
    )

    func apply(_ fault: Fault, to reply: MockReply) -> MockReply {
        switch (fault, reply) {
        case (.disconnectAfter(let count), .stream(let status, let headers, let frames, _)):
            return .stream(status: status, headers: headers, frames: Array(frames.prefix(count)), ending: .disconnect)
        case (.stallAfter(let count), .stream(let status, let headers, let frames, _)):
            return .stream(status: status, headers: headers, frames: Array(frames.prefix(count)), ending: .stall)
        case (.stallAfter, .body):
            return .hang(seconds: configuration.hangSeconds)
        case (.disconnectAfter, .body(let status, let headers, let text)):
            return .truncatedBody(status: status, headers: headers, text: text, sentBytes: text.count / 2)
        case (.malformedFrame, .stream(let status, let headers, var frames, let ending)):
            frames.insert(MockAzureEngine.malformedFrame, at: min(2, frames.count))
            return .stream(status: status, headers: headers, frames: frames, ending: ending)
        case (.malformedFrame, .body(let status, let headers, let text)):
            return .body(status: status, headers: headers, text: Array(text.prefix(max(1, text.count / 2))))
        default:
            return reply
        }
    }
}
