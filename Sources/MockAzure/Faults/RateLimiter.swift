/// Azure's per-deployment quota: requests and tokens per minute over a sliding window. A request costs its prompt
/// estimate plus its `max_tokens` / `max_completion_tokens`, counted on arrival as Azure does. I/O-free: the caller
/// passes the time, so tests drive it with a fake clock. Token sums saturate at `Int.max` instead of trapping (a
/// `max_tokens` near 2⁶³ is refused by the tpm limit, not a crash).
public struct RateLimiter: Sendable {
    public enum Decision: Sendable, Equatable {
        /// Admitted; remaining capacity in the window (nil when that limit is not set).
        case allowed(remainingRequests: Int?, remainingTokens: Int?)
        /// Refused; seconds until enough capacity frees up, and whether tokens (not requests) ran out.
        case limited(retryAfter: Double, tokens: Bool)
    }

    struct Window: Sendable {
        var times: [Double] = []
        var costs: [Int] = []
        var head = 0
        var tokens = 0

        var count: Int { times.count - head }

        mutating func expire(before cutoff: Double) {
            while head < times.count, times[head] <= cutoff {
                tokens = RateLimiter.saturating(tokens, -costs[head])
                head += 1
            }
            if head > 64, head * 2 > times.count {
                times.removeFirst(head)
                costs.removeFirst(head)
                head = 0
            }
        }
    }

    public let windowSeconds: Double
    private var windows: [String: Window] = [:]

    public init(windowSeconds: Double = 60) { self.windowSeconds = windowSeconds }

    public mutating func admit(deployment: String, rpm: Int?, tpm: Int?, cost requested: Int, now: Double) -> Decision {
        let cost = max(0, requested)
        guard rpm != nil || tpm != nil else { return .allowed(remainingRequests: nil, remainingTokens: nil) }
        var window = windows[deployment] ?? Window()
        defer { windows[deployment] = window }
        window.expire(before: now - windowSeconds)
        if let rpm, window.count + 1 > rpm {
            let oldest = window.count > 0 ? window.times[window.head] : now
            return .limited(retryAfter: max(0.001, oldest + windowSeconds - now), tokens: false)
        }
        if let tpm, RateLimiter.saturating(window.tokens, cost) > tpm {
            // Find when enough of the oldest requests leave the window for this one to fit.
            var freed = 0
            var retry = windowSeconds
            var index = window.head
            while index < window.times.count {
                freed = RateLimiter.saturating(freed, window.costs[index])
                if RateLimiter.saturating(window.tokens - freed, cost) <= tpm {
                    retry = window.times[index] + windowSeconds - now
                    break
                }
                index += 1
            }
            return .limited(retryAfter: max(0.001, retry), tokens: true)
        }
        // Tokens count only under a tpm limit, and then the sum stays ≤ tpm: it never saturates, never goes negative.
        let counted = tpm == nil ? 0 : cost
        window.times.append(now)
        window.costs.append(counted)
        window.tokens = RateLimiter.saturating(window.tokens, counted)
        return .allowed(
            remainingRequests: rpm.map { $0 - window.count },
            remainingTokens: tpm.map { max(0, $0 - window.tokens) }
        )
    }

    /// `a + b`, clamped to `Int.min…Int.max`.
    static func saturating(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }
}
