import Foundation
import Wire

/// Why no token could be had. Reasons are built from Entra's first sentence (AADSTS code and text, GUIDs
/// redacted) or the failure's class, never from the credential, the assertion or a URL's query.
public enum EntraTokenError: Error, Sendable, Equatable {
    /// Entra refused the credential (a wrong secret, an unknown client, an expired or unmatched assertion): a 401.
    case rejected(String)
    /// The endpoint could not be asked or did not answer with a token (down, 5xx, 429, garbled): a 503.
    case unavailable(String)

    public var reason: String {
        switch self {
        case .rejected(let reason), .unavailable(let reason): reason
        }
    }

    /// The error a request gets, in LiteLLM's shape: its `Failed to get Azure AD token: …` as an Azure
    /// `AuthenticationError` (401) or `ServiceUnavailableError` (503, which the router may retry elsewhere).
    public func proxyError(deployment: ModelDeployment) -> ProxyError {
        let status = if case .rejected = self { 401 } else { 503 }
        let message = "Failed to get Azure AD token: " + reason
        return ProxyError.upstream(
            status: status,
            body: ["error": ["message": .string(message)]],
            rawBody: message,
            deployment: deployment,
            headers: []
        )
    }

    /// Entra's AADSTS codes that mean the credential itself was refused (LiteLLM 1.110.2's list).
    static let credentialRejections: Set<Int> = [
        50012, 50013, 50027, 50034, 50053, 50055, 50057, 50059, 50076, 50079, 50126, 50128, 53003, 65001, 70001, 70002,
        70011, 70021, 70025, 70052, 90002, 90094, 500011, 500014, 700016, 700023, 700024, 700025, 700027, 700211,
        700213, 700223, 700238, 7000112, 7000215, 7000218, 7000222,
    ]

    /// A token endpoint's refusal: `rejected` when its AADSTS code is a credential rejection (and the status not
    /// 429 or 5xx), else `unavailable`.
    static func refusal(status: Int, body: [UInt8]) -> EntraTokenError {
        let json = try? JSON.parse(body)
        let description =
            json?["error_description"]?.stringValue ?? json?["error"]?["message"]?.stringValue
            ?? json?["message"]?.stringValue ?? ""
        if status != 429, status < 500, let sentence = aadstsSentence(description),
            let code = Int(sentence.dropFirst(6).prefix { $0.isNumber }), credentialRejections.contains(code)
        {
            return .rejected(sentence)
        }
        let code = json?["error"]?.stringValue ?? json?["error"]?["code"]?.stringValue
        return .unavailable("the token endpoint answered \(status)" + (code.map { " (\($0))" } ?? ""))
    }

    /// `AADSTS…: first sentence.` with every GUID replaced by `<redacted>`, as LiteLLM reports it.
    static func aadstsSentence(_ text: String) -> String? {
        guard let start = text.range(of: "AADSTS") else { return nil }
        var sentence = ""
        var index = start.lowerBound
        while index < text.endIndex {
            let character = text[index]
            sentence.append(character)
            let next = text.index(after: index)
            if character == "." && (next == text.endIndex || " '\"\\\n".contains(text[next])) { break }
            if character == "\n" { sentence.removeLast(); break }
            index = next
        }
        return redactingGUIDs(sentence)
    }

    static func redactingGUIDs(_ text: String) -> String {
        text.replacingOccurrences(
            of: "[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}",
            with: "<redacted>",
            options: .regularExpression
        )
    }
}
