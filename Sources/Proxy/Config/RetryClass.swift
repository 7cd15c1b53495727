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

    /// The wait before retry number `retry` (0 for the first): the upstream's `retry-after-ms` / `retry-after` when it
    /// is between 0 and 60 s, else 0.5·2ⁿ s capped at 8 s, plus up to 0.75 s of jitter (`jitter` in [0, 1)).
    public static func wait(beforeRetry retry: Int, headers: [(String, String)], jitter: Double) -> Duration {
        if let hinted = retryAfter(headers), hinted <= 60 { return .milliseconds(Int64((hinted * 1000).rounded())) }
        let base = min(0.5 * pow(2, Double(max(0, retry))), 8)
        return .milliseconds(Int64(((base + 0.75 * jitter) * 1000).rounded()))
    }

    /// The upstream's hint in seconds: `retry-after-ms`, else `retry-after` in seconds.
    public static func retryAfter(_ headers: [(String, String)]) -> Double? {
        func value(_ name: String) -> Double? {
            headers.first { $0.0.lowercased() == name }.flatMap { Double($0.1.trimmingCharacters(in: .whitespaces)) }
                .flatMap { $0 >= 0 ? $0 : nil }
        }
        if let milliseconds = value("retry-after-ms") { return milliseconds / 1000 }
        return value("retry-after")
    }
}
