import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Entra ID tokens for the proxy's credentials, handled as a production client handles them: one cached token per
/// (flow, authority, tenant, client, scope); refreshed in the background ahead of its expiry while requests go on
/// with the cached one; one fetch in flight per key however many requests wait; a failed refresh keeps the cached
/// token in use while it is valid and is retried after a pause, not by every request. Tokens, secrets and
/// assertions stay in memory: logs name the flow, tenant and client only.
public final class EntraTokenProvider: Sendable {
    public struct Configuration: Sendable {
        /// A token is refreshed when this share of its lifetime is left (at most `refreshMargin` before expiry).
        public var refreshShare: Double = 0.2
        public var refreshMargin: Duration = .seconds(300)
        /// A token is no longer sent this share of its lifetime before expiry (at most `expirySkew`): it could
        /// expire on the way.
        public var expiryShare: Double = 0.05
        public var expirySkew: Duration = .seconds(30)
        /// After a failed fetch, the next one waits this long (a token endpoint outage is not hammered).
        public var failureBackoff: Duration = .seconds(1)
        /// A token request's whole exchange; a managed identity endpoint's connection (IMDS is local or absent).
        public var requestTimeout: Duration = .seconds(10)
        public var managedIdentityConnectTimeout: Duration = .seconds(2)

        public init() {}
    }

    typealias Instant = ContinuousClock.Instant

    struct Entry {
        var token: String?
        var usableUntil: Instant
        var refreshAt: Instant
        var fetch: Task<String, any Error>?
        var retryAt: Instant?
        var lastError: EntraTokenError?

        init(now: Instant) {
            usableUntil = now
            refreshAt = now
        }
    }

    let configuration: Configuration
    let environment: [String: String]
    let logger: Logger
    /// Told of every fetch: the flow (`source`) and `success`, `rejected` or `unavailable` (the metrics count them).
    let observe: @Sendable (_ source: String, _ outcome: String) -> Void
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    public init(
        configuration: Configuration = Configuration(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        observe: @escaping @Sendable (_ source: String, _ outcome: String) -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
        self.observe = observe
    }

    /// A valid token for `credential`: the cached one (starting a background refresh when it is due), else the one
    /// the fetch in flight brings, else a new fetch's. `fresh`: not one whose refresh is due (the database pool
    /// signs its new connections in with it for most of its life).
    public func token(_ credential: EntraCredential, fresh: Bool = false) async throws(EntraTokenError) -> String {
        enum Step {
            case ready(String)
            case wait(Task<String, any Error>)
            case fail(EntraTokenError)
        }
        let key = credential.cacheKey
        let now = ContinuousClock.now
        let step = entries.withLockedValue { entries -> Step in
            var entry = entries[key] ?? Entry(now: now)
            defer { entries[key] = entry }
            if let token = entry.token, now < entry.usableUntil, !fresh || now < entry.refreshAt {
                if now >= entry.refreshAt, entry.fetch == nil, entry.retryAt.map({ now >= $0 }) ?? true {
                    entry.fetch = start(credential)
                }
                return .ready(token)
            }
            if let fetch = entry.fetch { return .wait(fetch) }
            if let retryAt = entry.retryAt, now < retryAt, let error = entry.lastError { return .fail(error) }
            let fetch = start(credential)
            entry.fetch = fetch
            return .wait(fetch)
        }
        switch step {
        case .ready(let token): return token
        case .fail(let error): throw error
        case .wait(let fetch):
            do {
                return try await fetch.value
            } catch let error as EntraTokenError {
                throw error
            } catch {
                throw .unavailable("the token fetch failed")
            }
        }
    }

    /// Azure refused `token` (401): it is dropped, so the next `token` fetches a new one. Only that token: a 401 for
    /// one already replaced changes nothing, so a burst of refusals makes one fetch.
    public func invalidate(_ credential: EntraCredential, token: String) {
        entries.withLockedValue { entries in
            guard entries[credential.cacheKey]?.token == token else { return }
            entries[credential.cacheKey]?.token = nil
            entries[credential.cacheKey]?.retryAt = nil
        }
    }

    /// Called under the lock: the fetch records its own outcome when it ends (after the caller has stored it).
    private func start(_ credential: EntraCredential) -> Task<String, any Error> {
        Task {
            let started = ContinuousClock.now
            do {
                let (value, lifetime) = try await fetch(credential)
                let refresh = min(lifetime * configuration.refreshShare, configuration.refreshMargin)
                let skew = min(lifetime * configuration.expiryShare, configuration.expirySkew)
                entries.withLockedValue { entries in
                    var entry = entries[credential.cacheKey] ?? Entry(now: started)
                    entry.token = value
                    entry.usableUntil = started + lifetime - skew
                    entry.refreshAt = started + lifetime - refresh
                    entry.fetch = nil
                    entry.retryAt = nil
                    entry.lastError = nil
                    entries[credential.cacheKey] = entry
                }
                observe(credential.kind, "success")
                return value
            } catch {
                let failure = error as? EntraTokenError ?? .unavailable("the token fetch failed")
                let retryAt = ContinuousClock.now + configuration.failureBackoff
                entries.withLockedValue { entries in
                    entries[credential.cacheKey]?.fetch = nil
                    entries[credential.cacheKey]?.retryAt = retryAt
                    entries[credential.cacheKey]?.lastError = failure
                }
                observe(credential.kind, failure.outcome)
                logger.warning(
                    "Entra ID token fetch failed",
                    metadata: [
                        "flow": "\(credential.kind)", "tenant": "\(credential.tenantID ?? "-")",
                        "client_id": "\(credential.clientID ?? "-")", "scope": "\(credential.scope)",
                        "reason": "\(failure.reason)",
                    ]
                )
                throw failure
            }
        }
    }

    /// One token request. A client assertion is read from its file or variable now, not at start: the projected
    /// service-account token is rotated by the kubelet. A client of its own per fetch (they come once per token
    /// lifetime): redirects refused, nothing left to shut down.
    func fetch(_ credential: EntraCredential) async throws(EntraTokenError) -> (String, Duration) {
        var assertion: String?
        if case .clientAssertion(let source) = credential.source {
            assertion = try readAssertion(source)
        }
        let request = EntraTokenRequest(credential, assertion: assertion)
        var http = HTTPClient.Configuration()
        http.redirectConfiguration = .disallow
        http.decompression = .disabled
        // AsyncHTTPClient would trace with the process's tracer (tracing on): a root span and a traceparent per fetch.
        http.tracing.tracer = nil
        if case .managedIdentity = credential.source {
            http.timeout = .init(connect: .init(configuration.managedIdentityConnectTimeout))
        }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: http)
        let answer: (status: Int, body: [UInt8])
        do {
            var outgoing = HTTPClientRequest(url: request.url)
            outgoing.method = .init(rawValue: request.method)
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(outgoing, timeout: .init(configuration.requestTimeout))
            let body = try await response.body.collect(upTo: 1024 * 1024)
            answer = (Int(response.status.code), Array(body.readableBytesView))
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            let reason =
                (error as? HTTPClientError).map { "the token endpoint is unreachable (\($0.shortDescription))" }
                ?? "the token endpoint is unreachable (\(type(of: error)))"
            throw .unavailable(reason)
        }
        let token = try EntraTokenRequest.token(status: answer.status, body: answer.body)
        return token
    }

    func readAssertion(_ source: EntraCredential.Assertion) throws(EntraTokenError) -> String {
        let text: String?
        switch source {
        case .file(let path): text = try? String(contentsOfFile: path, encoding: .utf8)
        case .environment(let name): text = environment[name]
        }
        guard let assertion = text?.trimmingCharacters(in: .whitespacesAndNewlines), !assertion.isEmpty else {
            switch source {
            case .file: throw .rejected("the federated token file could not be read")
            case .environment(let name): throw .rejected("the environment variable \(name) is not set")
            }
        }
        return assertion
    }
}

extension EntraTokenError {
    /// The metrics' outcome label.
    var outcome: String {
        switch self {
        case .rejected: "rejected"
        case .unavailable: "unavailable"
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
