import Foundation
import NIOConcurrencyHelpers
import Wire

/// Virtual keys: authentication through a cache in front of the database (keys already seen keep working while
/// the database is down), LiteLLM's refusals (blocked, expired, model not allowed, budget exhausted), per-key
/// rpm / tpm / parallel limits, and the `/key/*` management operations.
public final class KeyService: VirtualKeyStore, Sendable {
    public let store: any KeyStore
    /// Teams and users: what a key's team and user add to its check (nil without the tables).
    public let accounts: AccountService?
    public let cacheTTL: Duration
    let budgetStatus: Int
    /// `general_settings.allow_requests_on_db_unavailable`: a key the database cannot be asked about (and that is not
    /// cached) is let through as LiteLLM lets it, instead of a 503.
    public let allowRequestsOnDBUnavailable: Bool
    /// A lookup the database has not answered after this long counts as the database being down: PostgreSQL's pool
    /// waits for a connection as long as the server is unreachable, and a request must not wait with it.
    public let lookupTimeout: Duration

    struct Cached: Sendable {
        var key: VirtualKey
        var fetched: ContinuousClock.Instant
    }

    struct Usage: Sendable {
        var requests: [ContinuousClock.Instant] = []
        var tokens: [(ContinuousClock.Instant, Int)] = []
        var inFlight = 0

        /// The last minute's requests and tokens and what is in flight, counted in place (no copy of the entries,
        /// under the lock every key shares).
        func lastMinute(_ now: ContinuousClock.Instant) -> KeyUsage {
            KeyUsage(
                requests: requests.reduce(0) { now - $1 < .seconds(60) ? $0 + 1 : $0 },
                tokens: tokens.reduce(0) { now - $1.0 < .seconds(60) ? $0 + $1.1 : $0 },
                inFlight: inFlight
            )
        }
    }

    let cache = NIOLockedValueBox<[String: Cached]>([:])
    let usage = NIOLockedValueBox<[String: Usage]>([:])
    /// The other replicas' last-minute usage per key, as of the last sync (`KeyUsageSync`).
    let remote = NIOLockedValueBox<[String: KeyUsage]>([:])

    public init(
        store: any KeyStore,
        accounts: AccountService? = nil,
        cacheTTL: Duration = .seconds(60),
        budgetExceededStatus: Int = 400,
        allowRequestsOnDBUnavailable: Bool = false,
        lookupTimeout: Duration = .seconds(5)
    ) {
        self.store = store
        self.accounts = accounts
        self.cacheTTL = cacheTTL
        self.budgetStatus = budgetExceededStatus
        self.allowRequestsOnDBUnavailable = allowRequestsOnDBUnavailable
        self.lookupTimeout = lookupTimeout
    }

    // MARK: authentication

    public func caller(forKey key: String, enforceBudget: Bool) async throws(ProxyError) -> Caller {
        let token = SecretHash.sha256Hex(key)
        let found: VirtualKey?
        do {
            found = try await lookup(token: token)
        } catch {
            // LiteLLM: with allow_requests_on_db_unavailable the request goes on as a restricted internal user with no
            // key limits; without it, a 503 the client can retry. The row keeps the presented key's hash, so its spend
            // is added to that key (if it is one) when the row is written.
            guard allowRequestsOnDBUnavailable else { throw KeyService.databaseUnavailable }
            return Caller(
                kind: .virtualKey(token: token, alias: nil, models: []),
                keyHash: token,
                dbUnavailableFallback: true
            )
        }
        guard var record = found else { throw .invalidKey(key) }
        if record.blocked {
            throw ProxyError(
                OpenAIError(
                    status: 401,
                    message: "Authentication Error - Key is blocked. Update via `/key/unblock` if you're admin.",
                    type: "auth_error",
                    param: "None"
                )
            )
        }
        if let expires = record.expires, expires < Date() {
            throw ProxyError(
                OpenAIError(
                    status: 401,
                    message: "Authentication Error - Expired Key. Key Expiry time \(VirtualKey.iso(expires)) "
                        + "and current time \(VirtualKey.iso(Date()))",
                    type: "expired_key",
                    param: "None"
                )
            )
        }
        if let duration = record.budgetDuration.flatMap(DurationText.seconds), let reset = record.budgetResetAt,
            reset <= Date()
        {
            record.spend = 0
            record.budgetResetAt = Date().addingTimeInterval(duration)
            try? await store.replaceKey(record)
            remember(record)
        }
        if enforceBudget, let budget = record.maxBudget, record.spend >= budget {
            let label = record.keyAlias ?? "key"
            throw .budgetExceeded(
                "Budget has been exceeded! Key=\(label) (\(record.keyName)) Current cost: \(record.spend), "
                    + "Max budget: \(budget)",
                status: budgetStatus
            )
        }
        var caller = Caller(
            kind: .virtualKey(token: token, alias: record.keyAlias, models: record.models),
            keyHash: token,
            userID: record.userID
        )
        caller.limits = RateLimit.of(
            scope: token,
            name: "key",
            rpm: record.rpmLimit,
            tpm: record.tpmLimit,
            parallel: record.maxParallelRequests
        )
        caller.policyTags = record.metadata["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        caller.guardrails = record.metadata["guardrails"]?.arrayValue?.compactMap(\.stringValue) ?? []
        caller.account.key = .init(spend: record.spend, max: record.maxBudget, resetAt: record.budgetResetAt)
        try await accounts?.admit(
            &caller,
            teamID: record.teamID,
            userID: record.userID,
            budgetStatus: budgetStatus
        )
        return caller
    }

    enum KeyLookupError: Error { case databaseUnavailable }

    /// LiteLLM's answer when the key database is unreachable and requests are not allowed through.
    static let databaseUnavailable = ProxyError(
        OpenAIError(
            status: 503,
            message:
                "Service Unavailable, the authentication database is temporarily unreachable. Please retry shortly.",
            type: "no_db_connection",
            param: "None"
        )
    )

    /// The key record, from the cache while fresh, else the database; a cached record also answers while the
    /// database is down.
    func lookup(token: String) async throws(KeyLookupError) -> VirtualKey? {
        let cached = cache.withLockedValue { $0[token] }
        if let cached, ContinuousClock.now - cached.fetched < cacheTTL { return cached.key }
        do {
            let answer = NIOLockedValueBox<VirtualKey?>(nil)
            let store = self.store
            try await Deadline.run(within: lookupTimeout) {
                let key = try await store.key(token: token)
                answer.withLockedValue { $0 = key }
            }
            let key = answer.withLockedValue { $0 }
            if let key { remember(key) } else { cache.withLockedValue { _ = $0.removeValue(forKey: token) } }
            return key
        } catch {
            if let cached { return cached.key }
            throw .databaseUnavailable
        }
    }

    func remember(_ key: VirtualKey) {
        cache.withLockedValue { $0[key.token] = Cached(key: key, fetched: .now) }
    }

    func forget(_ token: String) {
        cache.withLockedValue { _ = $0.removeValue(forKey: token) }
    }

    // MARK: limits

    /// Counts a request against each of its limits (key, team, end user): rpm and parallel now, tpm on what already
    /// ran. The first limit reached refuses it and nothing is counted.
    public func admit(_ caller: Caller) throws(ProxyError) {
        guard !caller.limits.isEmpty else { return }
        let now = ContinuousClock.now
        let others = remote.withLockedValue { table in caller.limits.map { table[$0.scope] ?? KeyUsage() } }
        let refusal: (String, Duration)? = usage.withLockedValue { table in
            for (limit, remote) in zip(caller.limits, others) {
                var entry = table[limit.scope] ?? Usage()
                entry.requests.removeAll { now - $0 >= .seconds(60) }
                entry.tokens.removeAll { now - $0.0 >= .seconds(60) }
                table[limit.scope] = entry
                if let refusal = KeyService.refusal(limit, entry, remote, now: now) { return refusal }
            }
            for limit in caller.limits {
                table[limit.scope, default: Usage()].requests.append(now)
                table[limit.scope, default: Usage()].inFlight += 1
            }
            return nil
        }
        if let (message, wait) = refusal {
            let seconds = max(
                1,
                Int(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18 + 0.999)
            )
            throw ProxyError(
                OpenAIError(status: 429, message: message, type: "throttling_error", param: "None"),
                headers: [("retry-after", String(seconds))]
            )
        }
    }

    /// The message and wait of a limit already reached, or nil.
    static func refusal(_ limit: RateLimit, _ entry: Usage, _ others: KeyUsage, now: ContinuousClock.Instant)
        -> (String, Duration)?
    {
        let inFlight = entry.inFlight + others.inFlight
        if let parallel = limit.parallel, inFlight >= parallel {
            return (
                "Max parallel request limit reached. \(limit.name.capitalized) has \(inFlight) requests in flight, "
                    + "limit \(parallel).",
                .seconds(1)
            )
        }
        let requests = entry.requests.count + others.requests
        if let rpm = limit.rpm, requests >= rpm {
            return (
                "Rate limit exceeded for \(limit.name): current rpm \(requests), rpm limit \(rpm).",
                entry.requests.first.map { .seconds(60) - (now - $0) } ?? .seconds(1)
            )
        }
        let tokens = entry.tokens.reduce(0) { $0 + $1.1 } + others.tokens
        if let tpm = limit.tpm, tokens >= tpm {
            return (
                "Rate limit exceeded for \(limit.name): current tpm \(tokens), tpm limit \(tpm).",
                entry.tokens.first.map { .seconds(60) - (now - $0.0) } ?? .seconds(1)
            )
        }
        return nil
    }

    /// What the caller's limits used this minute (all replicas), for the rate-limit gauges; empty without limits.
    public func usage(of caller: Caller) -> [LimitUsage] {
        guard !caller.limits.isEmpty else { return [] }
        let now = ContinuousClock.now
        let others = remote.withLockedValue { table in caller.limits.map { table[$0.scope] ?? KeyUsage() } }
        return usage.withLockedValue { table in
            zip(caller.limits, others).map { limit, remote in
                let local = (table[limit.scope] ?? Usage()).lastMinute(now)
                return LimitUsage(
                    limit: limit,
                    requests: local.requests + remote.requests,
                    tokens: local.tokens + remote.tokens
                )
            }
        }
    }

    /// This replica's last-minute usage of every key it has seen, for the other replicas.
    public func localUsage() -> [String: KeyUsage] {
        let now = ContinuousClock.now
        return usage.withLockedValue { table in
            table.compactMapValues { entry in
                let usage = entry.lastMinute(now)
                return usage == KeyUsage() ? nil : usage
            }
        }
    }

    public func setRemoteUsage(_ usage: [String: KeyUsage]) {
        remote.withLockedValue { $0 = usage }
    }

    /// Ends a request admitted by `admit`: frees its parallel slot, counts its tokens, and adds its spend to the
    /// cached record so the budget holds before the batched database update lands.
    public func release(_ caller: Caller, tokens: Int, spend: Double) {
        usage.withLockedValue { table in
            for limit in caller.limits {
                guard var entry = table[limit.scope] else { continue }
                entry.inFlight = max(0, entry.inFlight - 1)
                if tokens > 0 { entry.tokens.append((.now, tokens)) }
                table[limit.scope] = entry
            }
        }
        guard spend > 0 else { return }
        if case .virtualKey(let token, _, _) = caller.kind { cache.withLockedValue { $0[token]?.key.spend += spend } }
        accounts?.addCachedSpend(caller, spend)
    }
}
