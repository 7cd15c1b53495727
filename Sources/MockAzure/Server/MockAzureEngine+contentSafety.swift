import Foundation
import Wire

/// Azure AI Content Safety's text endpoints, so a gateway's guardrails (Prompt Shields before the model, harm
/// categories on a prompt or an answer) run offline: `POST /contentsafety/text:shieldPrompt` and
/// `POST /contentsafety/text:analyze`. Tests decide the verdict with lines in the analysed text (`#mock-attack`,
/// `#mock-category: Violence=4`, `#mock-fault: 429`); see `ContentSafetyVerdict` for the rest.
extension MockAzureEngine {
    enum ContentSafetyOperation {
        case shieldPrompt
        case analyze

        /// The api-versions Content Safety serves the operation under; any other is a 404.
        var apiVersions: Set<String> {
            switch self {
            case .shieldPrompt: ["2024-09-01", "2024-02-15-preview"]
            case .analyze: ["2023-10-01", "2024-09-01", "2023-10-15-preview"]
            }
        }

        var fixtureOperation: ContentSafetyFixture.Operation {
            switch self {
            case .shieldPrompt: .shieldPrompt
            case .analyze: .analyze
            }
        }

        /// The body members the operation defines: Content Safety refuses a body with any other.
        var fields: Set<String> {
            switch self {
            case .shieldPrompt: ["userPrompt", "documents"]
            case .analyze: ["text", "categories", "blocklistNames", "haltOnBlocklistHit", "outputType"]
            }
        }
    }

    /// nil when the path is not Content Safety's. Hummingbird may hand over `text:analyze` with its colon encoded.
    /// Checks run in the chat paths' order: route, api-version, caller, body, then faults and the answer.
    func contentSafety(_ request: IncomingRequest, now: Double) -> MockReply? {
        let path = request.path.removingPercentEncoding ?? request.path
        guard path.hasPrefix("/contentsafety/") else { return nil }
        let headers = resourceHeaders(request)
        func error(_ failure: (status: Int, body: JSON), extra: [(String, String)] = []) -> MockReply {
            .json(failure.status, failure.body, headers: AzureHeaders.merge(headers, extra))
        }
        let operation: ContentSafetyOperation
        switch (request.method, path.dropFirst("/contentsafety/".count).lowercased()) {
        case ("POST", "text:shieldprompt"): operation = .shieldPrompt
        case ("POST", "text:analyze"): operation = .analyze
        default: return error(AzureError.resourceNotFound)
        }
        guard let version = request.queryItem("api-version"), operation.apiVersions.contains(version) else {
            return error(AzureError.resourceNotFound)
        }
        if let failure = authenticateContentSafety(request) { return error(failure) }
        let body: JSON
        switch MockAzureEngine.objectBody(request) {
        case .success(let object): body = object
        case .failure(let refusal) where refusal.failure.status == 413: return error(refusal.failure)
        case .failure: return error(ContentSafetyError.invalidBody("The request body must be a JSON object."))
        }
        if (body.objectValue?.keys ?? []).contains(where: { !operation.fields.contains($0) }) {
            return error(ContentSafetyError.unsupportedFields)
        }
        let analysed: (texts: [String], answer: JSON)
        switch operation {
        case .shieldPrompt:
            switch MockAzureEngine.shieldPrompt(body) {
            case .success(let result): analysed = result
            case .failure(let refusal): return error(refusal.failure)
            }
        case .analyze:
            switch MockAzureEngine.analyzeText(body) {
            case .success(let result): analysed = result
            case .failure(let refusal): return error(refusal.failure)
            }
        }

        // Faults as on the chat paths: header `x-mock-fault`, else a `#mock-fault:` line in any analysed text.
        var fault = Fault.none
        let directives = MockDirectives(text: analysed.texts.joined(separator: "\n"))
        if let plan = request.header("x-mock-fault") ?? directives.fault {
            guard let parsed = try? FaultPlan.parse(plan) else {
                return MockAzureEngine.mockError(
                    "#mock-fault: unknown fault '\(plan)' (use 429, 500, 503, hang, or a sequence like '429 then 200')"
                )
            }
            let key = plan + "|contentsafety|" + (request.header("x-mock-fault-key") ?? "")
            fault = sequencer.next(parsed, key: key)
        }
        // A kept answer by name: `#mock-content-safety: NAME` in any analysed text.
        var answer = analysed.answer
        if let name = MockAzureEngine.keptAnswerName(analysed.texts) {
            guard let fixture = fixtures.contentSafety[name] else {
                return MockAzureEngine.mockError("#mock-content-safety: no fixture named '\(name)'")
            }
            guard fixture.operation == operation.fixtureOperation else {
                return MockAzureEngine.mockError(
                    "#mock-content-safety: '\(name)' answers \(fixture.operation.rawValue), not this operation"
                )
            }
            answer = fixture.response
        }
        switch fault {
        case .status(429): return error(ContentSafetyError.tooManyRequests, extra: [("retry-after", "1")])
        case .status(500): return error(ContentSafetyError.internalError)
        case .status(503): return error(ContentSafetyError.serverBusy, extra: [("retry-after", "1")])
        case .status(let status):
            let message = "Simulated failure with status \(status)."
            return error((status, AzureError.body(code: String(status), message: message)))
        case .hang: return .hang(seconds: configuration.hangSeconds)
        default: return apply(fault, to: .json(200, answer, headers: headers))
        }
    }

    /// The last `#mock-content-safety: NAME` line of the analysed texts.
    static func keptAnswerName(_ texts: [String]) -> String? {
        var name: String?
        for text in texts where text.contains("#mock-content-safety") {
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if let value = MockDirectives.value(of: trimmed, prefix: "#mock-content-safety:") { name = value }
            }
        }
        return name
    }

    /// `text:shieldPrompt`: `userPrompt` and/or `documents`, each flagged on its own.
    static func shieldPrompt(_ body: JSON) -> Result<(texts: [String], answer: JSON), BodyRefusal> {
        func refuse(_ message: String) -> Result<(texts: [String], answer: JSON), BodyRefusal> {
            .failure(BodyRefusal(failure: ContentSafetyError.invalidBody(message)))
        }
        let prompt: String?
        switch body["userPrompt"] {
        case nil, .null?: prompt = nil
        case .string(let text)?: prompt = text
        default: return refuse("userPrompt must be a string.")
        }
        var documents: [String] = []
        if let list = body["documents"], !list.isNull {
            guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                return refuse("documents must be an array of strings.")
            }
            documents = items.compactMap(\.stringValue)
        }
        guard prompt != nil || !documents.isEmpty else { return refuse("userPrompt or documents must be provided.") }
        if let prompt, prompt.count > ContentSafetyVerdict.textLimit {
            return refuse("userPrompt length exceeds the limit of \(ContentSafetyVerdict.textLimit) characters.")
        }
        let answer: JSON = [
            "userPromptAnalysis": ["attackDetected": .bool(ContentSafetyVerdict.attackDetected(in: prompt ?? ""))],
            "documentsAnalysis": .array(
                documents.map { text -> JSON in
                    ["attackDetected": .bool(ContentSafetyVerdict.attackDetected(in: text))]
                }
            ),
        ]
        return .success((texts: (prompt.map { [$0] } ?? []) + documents, answer: answer))
    }

    /// `text:analyze`: a severity for each requested harm category (all four by default), no blocklist matches.
    /// A `#mock-category` line the simulator cannot read comes back as a `MockConfigurationError` refusal.
    static func analyzeText(_ body: JSON) -> Result<(texts: [String], answer: JSON), BodyRefusal> {
        func refuse(_ message: String) -> Result<(texts: [String], answer: JSON), BodyRefusal> {
            .failure(BodyRefusal(failure: ContentSafetyError.invalidBody(message)))
        }
        guard let text = body["text"]?.stringValue else { return refuse("text is required and must be a string.") }
        guard text.count <= ContentSafetyVerdict.textLimit else {
            return refuse("Text length exceeds the limit of \(ContentSafetyVerdict.textLimit) characters.")
        }
        var categories = ContentSafetyVerdict.harmCategories
        if let requested = body["categories"], !requested.isNull {
            guard let items = requested.arrayValue else { return refuse("categories must be an array of strings.") }
            var chosen: [String] = []
            for item in items {
                guard let name = item.stringValue, let category = ContentSafetyVerdict.harmCategory(name) else {
                    return refuse("Invalid category \(item.serialized()): use Hate, Sexual, SelfHarm or Violence.")
                }
                if !chosen.contains(category) { chosen.append(category) }
            }
            if !chosen.isEmpty { categories = chosen }
        }
        let eightLevels: Bool
        switch body["outputType"] {
        case nil, .null?: eightLevels = false
        case .string(let type)? where type.lowercased() == "fourseveritylevels": eightLevels = false
        case .string(let type)? where type.lowercased() == "eightseveritylevels": eightLevels = true
        default: return refuse("outputType must be FourSeverityLevels or EightSeverityLevels.")
        }
        if let names = body["blocklistNames"], !names.isNull,
            names.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true
        {
            return refuse("blocklistNames must be an array of strings.")
        }
        if let halt = body["haltOnBlocklistHit"], !halt.isNull, halt.boolValue == nil {
            return refuse("haltOnBlocklistHit must be a boolean.")
        }
        let severities: [String: Int]
        switch ContentSafetyVerdict.severities(in: text) {
        case .success(let found): severities = found
        case .failure(let problem):
            return .failure(
                BodyRefusal(failure: (400, AzureError.body(code: "MockConfigurationError", message: problem.message)))
            )
        }
        let answer: JSON = [
            "blocklistsMatch": [],
            "categoriesAnalysis": .array(
                categories.map { category -> JSON in
                    let severity = ContentSafetyVerdict.scaled(severities[category] ?? 0, eightLevels: eightLevels)
                    return ["category": .string(category), "severity": .int(severity)]
                }
            ),
        ]
        return .success((texts: [text], answer: answer))
    }

    /// Content Safety's caller checks: the resource key in `Ocp-Apim-Subscription-Key` (the configured one, or any
    /// with none configured), or an Entra ID bearer token this tenant signed for Cognitive Services. Unlike
    /// `authenticate`, a bearer that is not a JWT is refused: Content Safety takes keys in its own header only.
    func authenticateContentSafety(_ request: IncomingRequest) -> (status: Int, body: JSON)? {
        if let key = request.header("ocp-apim-subscription-key") {
            if configuration.localAuthDisabled { return AzureError.keyAuthenticationDisabled }
            guard !key.isEmpty else { return ContentSafetyError.invalidKey }
            if let expected = configuration.apiKey, !SecretHash.constantTimeEquals(key, expected) {
                return ContentSafetyError.invalidKey
            }
            return nil
        }
        guard let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("bearer ")
        else {
            return configuration.localAuthDisabled ? ContentSafetyError.invalidToken : ContentSafetyError.invalidKey
        }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard let jwt = try? JSONWebToken(parsing: token),
            entra.checkAccessToken(jwt, audiences: MockAzureEngine.cognitiveServicesAudiences)
        else { return ContentSafetyError.invalidToken }
        return nil
    }
}
