import Foundation
import Wire

/// Content Safety's error bodies: Azure's `{"error": {"code", "message"}}` shape with the service's own codes
/// (`InvalidRequestBody`, `InternalError`, `TooManyRequests`, `ServerBusy`), not Azure OpenAI's OpenAI-style
/// `invalid_request_error`. Codes from the service's error-code table; messages other than the auth ones and the
/// unsupported-fields one are not from a recorded exchange.
enum ContentSafetyError {
    /// No key, an empty key or the wrong key (the same wording Azure OpenAI uses: both sit behind the same gateway).
    static let invalidKey = AzureError.invalidKey

    /// A bearer token that is not a JWT this tenant signed for Cognitive Services, or has expired.
    static let invalidToken = (
        status: 401,
        body: AzureError.body(
            code: "401",
            message:
                """
                Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), \
                or have expired.
                """
        )
    )

    static func invalidBody(_ message: String) -> (status: Int, body: JSON) {
        (400, AzureError.body(code: "InvalidRequestBody", message: message))
    }

    /// A member the operation does not define (as reported against Content Safety for a wrong api-version's body).
    static let unsupportedFields = invalidBody(
        """
        The body of your request contains fields that we do not support, please double check the api-version and \
        the API definition under this api-version.
        """
    )

    static let tooManyRequests = (
        status: 429,
        body: AzureError.body(code: "TooManyRequests", message: "Rate limit is exceeded. Try again in 1 seconds.")
    )

    static let internalError = (
        status: 500,
        body: AzureError.body(
            code: "InternalError",
            message: "An unexpected error occurred on the server. Please retry the request."
        )
    )

    static let serverBusy = (
        status: 503,
        body: AzureError.body(
            code: "ServerBusy",
            message: "The server is busy and cannot process the request now. Please retry the request."
        )
    )
}

/// How the simulator decides what Content Safety finds: directive lines a test writes into the analysed text, else a
/// short phrase list for prompt attacks and severity 0 for every harm category.
enum ContentSafetyVerdict {
    /// The harm categories in the order Content Safety reports them when the request names none.
    static let harmCategories = ["Hate", "SelfHarm", "Sexual", "Violence"]

    /// Phrases the offline heuristic takes for a prompt attack (compared in lower case).
    static let attackPhrases = [
        "ignore all previous instructions", "ignore previous instructions", "disregard your instructions",
        "you are now dan",
    ]

    /// The longest `userPrompt` or `text`, in characters.
    static let textLimit = 10_000

    /// The canonical name of a harm category, matched without regard to case.
    static func harmCategory(_ name: String) -> String? {
        harmCategories.first { $0.lowercased() == name.lowercased() }
    }

    /// A line whose first word is `#mock-attack`, else one of the attack phrases anywhere in the text.
    static func attackDetected(in text: String) -> Bool {
        for line in text.split(whereSeparator: \.isNewline)
        where line.split(whereSeparator: \.isWhitespace).first?.lowercased() == "#mock-attack" {
            return true
        }
        let lower = text.lowercased()
        return attackPhrases.contains { lower.contains($0) }
    }

    /// A severity directive the simulator cannot follow, reported to the test that wrote it.
    struct DirectiveError: Error {
        var message: String
    }

    /// The severities `#mock-category: Violence=4, Hate=2` lines ask for (a later line wins for the same category);
    /// raw values, before the output type's scale applies.
    static func severities(in text: String) -> Result<[String: Int], DirectiveError> {
        var severities: [String: Int] = [:]
        guard text.lowercased().contains("#mock-category") else { return .success(severities) }
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let value = MockDirectives.value(of: trimmed, prefix: "#mock-category:") else { continue }
            for pair in value.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let category = harmCategory(parts[0]), let severity = Int(parts[1]) else {
                    let message = """
                        #mock-category: cannot read '\(pair.trimmingCharacters(in: .whitespaces))' (use NAME=SEVERITY \
                        with Hate, SelfHarm, Sexual or Violence, e.g. 'Violence=4')
                        """
                    return .failure(DirectiveError(message: message))
                }
                severities[category] = severity
            }
        }
        return .success(severities)
    }

    /// A severity on the requested scale: 0…7 for `EightSeverityLevels`, else rounded down to 0, 2, 4 or 6.
    static func scaled(_ severity: Int, eightLevels: Bool) -> Int {
        let clamped = min(7, max(0, severity))
        return eightLevels ? clamped : clamped / 2 * 2
    }
}
