import Foundation
import Wire

/// A refusal as Entra ID words it: the OAuth `error` code, the AADSTS number and its text, and the HTTP status the
/// token endpoint answers it with. The same error is a JSON body at the token endpoint, an error page or a redirect's
/// `error_description` at the authorize endpoint; each carries a fresh trace id, correlation id and timestamp.
struct EntraError: Error, Sendable, Equatable {
    var status: Int
    /// OAuth 2.0's code (`invalid_grant`, `invalid_client`, …).
    var error: String
    /// The AADSTS number.
    var code: Int
    /// The text after `AADSTSnnnn: `.
    var message: String

    /// One occurrence's ids, as Entra stamps every refusal.
    struct Trace: Sendable {
        var traceID = UUID().uuidString.lowercased()
        var correlationID = UUID().uuidString.lowercased()
        var date = Date()

        /// `2025-01-31 12:34:56Z`, Entra's `timestamp` format.
        var timestamp: String { ISO8601DateFormatter().string(from: date).replacingOccurrences(of: "T", with: " ") }
    }

    /// `AADSTS70008: …` then the trace lines, separated by CRLF as Entra writes them.
    func description(_ trace: Trace) -> String {
        "AADSTS\(code): \(message)\r\nTrace ID: \(trace.traceID)\r\nCorrelation ID: \(trace.correlationID)"
            + "\r\nTimestamp: \(trace.timestamp)"
    }

    /// The token endpoint's JSON body.
    func body(_ trace: Trace = Trace()) -> JSON {
        [
            "error": .string(error),
            "error_description": .string(description(trace)),
            "error_codes": [.int(code)],
            "timestamp": .string(trace.timestamp),
            "trace_id": .string(trace.traceID),
            "correlation_id": .string(trace.correlationID),
            "error_uri": .string("https://login.microsoftonline.com/error?code=\(code)"),
        ]
    }
}

extension EntraError {
    static func missingParameter(_ name: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: '\(name)'."
        )
    }

    static func unknownApplication(_ clientID: String, tenant: String) -> EntraError {
        EntraError(
            status: 400,
            error: "unauthorized_client",
            code: 700016,
            message: "Application with identifier '\(clientID)' was not found in the directory '\(tenant)'. This can "
                + "happen if the application has not been installed by the administrator of the tenant or consented "
                + "to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        )
    }

    static func invalidRedirectURI(_ redirectURI: String?, clientID: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_request",
            code: 50011,
            message: "The redirect URI '\(redirectURI ?? "")' specified in the request does not match the redirect "
                + "URIs configured for the application '\(clientID)'. Make sure the redirect URI sent in the request "
                + "matches one added to your application in the Azure portal."
        )
    }

    static func unsupportedResponseType(_ responseType: String) -> EntraError {
        EntraError(
            status: 400,
            error: "unsupported_response_type",
            code: 700054,
            message: "response_type '\(responseType)' is not enabled for the application."
        )
    }

    /// Not an Entra number: Entra also accepts `plain`, which the emulation refuses so clients use S256.
    static func unsupportedChallengeMethod(_ method: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_request",
            code: 501471,
            message: "The code_challenge_method '\(method)' is not supported; use S256."
        )
    }

    static let invalidChallengeSize = EntraError(
        status: 400,
        error: "invalid_request",
        code: 501491,
        message: "Invalid size of Code_Challenge parameter."
    )

    static func unknownUser(_ username: String, tenant: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_request",
            code: 50034,
            message: "The user account \(username) does not exist in the \(tenant) directory. To sign into this "
                + "application, the account must be added to the directory."
        )
    }

    static let codeExpired = EntraError(
        status: 400,
        error: "invalid_grant",
        code: 70008,
        message: "The provided authorization code or refresh token has expired due to inactivity. Send a new "
            + "interactive authorization request for this user and resource."
    )

    static func replyAddressMismatch(_ given: String?, expected: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_grant",
            code: 500112,
            message: "The reply address '\(given ?? "")' does not match the reply address '\(expected)' provided "
                + "when requesting Authorization code."
        )
    }

    static let verifierMismatch = EntraError(
        status: 400,
        error: "invalid_grant",
        code: 501481,
        message: "The Code_Verifier does not match the code_challenge supplied in the authorization request."
    )

    static func invalidSecret(_ clientID: String) -> EntraError {
        EntraError(
            status: 401,
            error: "invalid_client",
            code: 7000215,
            message: "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                + "secret value, not the client secret ID, for a secret added to app '\(clientID)'."
        )
    }

    static let otherTenant = EntraError(
        status: 400,
        error: "invalid_grant",
        code: 700005,
        message: "Provided Authorization Code is intended to use against other tenant, thus rejected."
    )

    /// Entra's wording for a code redeemed by another application is not published; this follows 700005's.
    static let otherClient = EntraError(
        status: 400,
        error: "invalid_grant",
        code: 700005,
        message: "Provided Authorization Code is intended to use against other client application, thus rejected."
    )

    static func unsupportedGrantType(_ grantType: String) -> EntraError {
        EntraError(
            status: 400,
            error: "unsupported_grant_type",
            code: 70003,
            message: "The app requested an unsupported grant type '\(grantType)'."
        )
    }

    static func invalidScope(_ scope: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_scope",
            code: 1002012,
            message: "The provided value for scope \(scope) is not valid. Client credential flows must have a scope "
                + "value with /.default suffixed to the resource identifier (application ID URI)."
        )
    }

    /// A client assertion that is not a JWT.
    static let malformedAssertion = EntraError(
        status: 400,
        error: "invalid_client",
        code: 50027,
        message: "JWT token is invalid or malformed."
    )

    static let assertionSignature = EntraError(
        status: 401,
        error: "invalid_client",
        code: 700027,
        message: "Client assertion failed signature validation."
    )

    static func assertionExpired(now: Date, notBefore: Date?, expires: Date?) -> EntraError {
        func text(_ date: Date?) -> String {
            date.map { ISO8601DateFormatter().string(from: $0).replacingOccurrences(of: "T", with: " ") } ?? "unknown"
        }
        return EntraError(
            status: 400,
            error: "invalid_client",
            code: 700024,
            message: "Client assertion is not within its valid time range. Current time: \(text(now)), assertion "
                + "valid from \(text(notBefore)), expiry time of assertion \(text(expires)). Review the documentation "
                + "at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."
        )
    }

    static func assertionAudience(_ audience: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_client",
            code: 700212,
            message: "No matching federated identity record found for presented assertion audience '\(audience)'. "
                + "Please check your federated identity credential Subject, Audience and Issuer against the presented "
                + "assertion."
        )
    }

    static func noFederatedRecord(issuer: String, subject: String, audience: String) -> EntraError {
        EntraError(
            status: 400,
            error: "invalid_client",
            code: 70021,
            message: "No matching federated identity record found for presented assertion. Assertion Issuer: "
                + "'\(issuer)'. Assertion Subject: '\(subject)'. Assertion Audience: '\(audience)'."
        )
    }

    static let unsupportedAssertionType = EntraError(
        status: 400,
        error: "invalid_request",
        code: 50002,
        message: "The client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."
    )

    /// What the token endpoint answers during an outage (`/__mock/entra/outage`).
    static let transient = EntraError(
        status: 503,
        error: "temporarily_unavailable",
        code: 90033,
        message: "A transient error has occurred. Please try again."
    )
}
