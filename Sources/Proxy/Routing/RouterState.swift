import NIOConcurrencyHelpers

/// What the router remembers about each deployment: requests in flight, recent latencies, this minute's requests,
/// tokens and failures, and when a cooldown ends. One lock; every operation is a few field updates. The clock is
/// injected so cooldowns and windows are testable without waiting.
public final class RouterState: Sendable {
    public typealias Clock = @Sendable () -> ContinuousClock.Instant

    public struct Stats: Sendable {
        public var inFlight = 0
        /// Recent latencies in seconds (time to first token for streams), newest last, at most 10.
        public var latencies: [(at: ContinuousClock.Instant, seconds: Double)] = []
        public var minute: Int64 = -1
        public var minuteRequests = 0
        public var minuteTokens = 0
        public var minuteFailures = 0
        public var coolingUntil: ContinuousClock.Instant?
        public var lastFailure: Int?
    }

    let stats = NIOLockedValueBox<[String: Stats]>([:])
    let origin: ContinuousClock.Instant
    public let now: Clock

    public init(now: @escaping Clock = { ContinuousClock.now }) {
        self.now = now
        self.origin = now()
    }

    func minute(of instant: ContinuousClock.Instant) -> Int64 {
        (instant - origin).components.seconds / 60
    }

    /// A snapshot of one deployment, with this minute's counters reset if the minute has turned.
    public func snapshot(_ id: String) -> Stats {
        let current = minute(of: now())
        return stats.withLockedValue { all in
            var value = all[id] ?? Stats()
            if value.minute != current {
                value.minuteRequests = 0; value.minuteTokens = 0; value.minuteFailures = 0; value.minute = current
            }
            return value
        }
    }

    func update(_ id: String, _ body: (inout Stats, ContinuousClock.Instant) -> Void) {
        let instant = now()
        let current = minute(of: instant)
        stats.withLockedValue { all in
            var value = all[id] ?? Stats()
            if value.minute != current {
                value.minuteRequests = 0; value.minuteTokens = 0; value.minuteFailures = 0; value.minute = current
            }
            body(&value, instant)
            all[id] = value
        }
    }

    /// A request starts on the deployment.
    public func begin(_ id: String) {
        update(id) { stats, _ in
            stats.inFlight += 1; stats.minuteRequests += 1
        }
    }

    /// A request on the deployment succeeded after `latency` seconds and used `tokens`.
    public func succeeded(_ id: String, latency: Double, tokens: Int, ttl: Double) {
        update(id) { stats, instant in
            stats.inFlight = max(0, stats.inFlight - 1)
            stats.minuteTokens += tokens
            stats.latencies.append((instant, latency))
            stats.latencies.removeAll { (instant - $0.at) > .milliseconds(Int64(ttl * 1000)) }
            if stats.latencies.count > 10 { stats.latencies.removeFirst(stats.latencies.count - 10) }
        }
    }

    /// A request on the deployment failed. Cools it down (when `cooling` allows) for `cooldown` seconds after a
    /// 429 (or its retry-after, if longer), at once after a 401/404, or once this minute's failures pass
    /// `allowedFails`. Returns whether it is now cooling.
    @discardableResult
    public func failed(
        _ id: String,
        status: Int,
        failure: RetryClass,
        retryAfter: Double?,
        settings: RouterSettings,
        cooling: Bool
    ) -> Bool {
        var cooled = false
        update(id) { stats, instant in
            stats.inFlight = max(0, stats.inFlight - 1)
            stats.minuteFailures += 1
            stats.lastFailure = status
            guard cooling else { return }
            var seconds: Double?
            if failure == .rateLimit {
                seconds = max(settings.cooldownTime, min(retryAfter ?? 0, 3600))
            } else if failure.coolsAtOnce || stats.minuteFailures > settings.allowedFails {
                seconds = settings.cooldownTime
            }
            if let seconds {
                stats.coolingUntil = instant + .milliseconds(Int64(seconds * 1000))
                cooled = true
            }
        }
        return cooled
    }

    /// A request ended without an answer either way (client gone): only the in-flight count changes.
    public func abandoned(_ id: String) {
        update(id) { stats, _ in stats.inFlight = max(0, stats.inFlight - 1) }
    }

    /// When the deployment's cooldown ends, if it is cooling now.
    public func coolingUntil(_ id: String) -> ContinuousClock.Instant? {
        let instant = now()
        return stats.withLockedValue { all in all[id]?.coolingUntil.flatMap { $0 > instant ? $0 : nil } }
    }
}
