import Foundation

/// A failed attempt's class, as LiteLLM's `retry_policy` names them (`RateLimitErrorRetries`, …). Decides whether
/// the router retries, cools the deployment down and which fallback list applies.
public enum RetryClass: String, Sendable, CaseIterable, Hashable {
    case badRequest = "BadRequestErrorRetries"
    case authentication = "AuthenticationErrorRetries"
    case timeout = "TimeoutErrorRetries"
    case rateLimit = "RateLimitErrorRetries"
    case contentPolicy = "ContentPolicyViolationErrorRetries"
    case internalServer = "InternalServerErrorRetries"
    /// Not a `retry_policy` key: context-length errors are never retried, only sent to `context_window_fallbacks`.
    case contextWindow = "ContextWindowExceededErrorRetries"
    case notFound = "NotFoundErrorRetries"

    /// The class of an upstream answer with this status and Azure/OpenAI error code.
    public static func of(status: Int, code: String?) -> RetryClass {
        switch status {
        case 400 where code == "content_filter": .contentPolicy
        case 400 where code == "context_length_exceeded": .contextWindow
        case 401, 403: .authentication
        case 404: .notFound
        case 408: .timeout
        case 429: .rateLimit
        case 500 ... 599: .internalServer
        default: .badRequest
        }
    }

    /// Retried by default: timeouts, rate limits, server errors and connection failures.
    public var retriedByDefault: Bool {
        switch self {
        case .timeout, .rateLimit, .internalServer: true
        default: false
        }
    }

    /// A deployment answering this is broken for every request, so it cools down at once (in multi-deployment groups).
    public var coolsAtOnce: Bool { self == .authentication || self == .notFound }
}
