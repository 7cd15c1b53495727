import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle
import Wire

/// The database's pooled client. With a password, one client for the process. With Entra ID (Azure Database for
/// PostgreSQL), each connection's password is an access token: postgres-nio reads the password when it opens a
/// connection, so before a token expires a new client is started with a fresh one and takes the new queries, and
/// the old one is closed once its queries had time to finish. Queries made before the first token wait for it.
public final class PostgresPool: Service, Sendable {
    struct Entra: Sendable {
        var configuration: PostgresClient.Configuration
        var credential: EntraCredential
        var identity: EntraTokenProvider
    }

    private struct State {
        var client: PostgresClient?
        var waiting: [CheckedContinuation<PostgresClient, any Error>] = []
        var closed = false
    }

    /// The pool was stopped before it had a client.
    public struct Closed: Error {}

    let entra: Entra?
    let logger: Logger
    /// How long a replaced client keeps serving the queries it already has.
    let drain: Duration
    private let state: NIOLockedValueBox<State>

    /// A client with the configured password; whoever made it runs it.
    public init(client: PostgresClient, logger: Logger = Logger(label: "proxy.store")) {
        self.entra = nil
        self.logger = logger
        self.drain = .seconds(30)
        self.state = NIOLockedValueBox(State(client: client))
    }

    /// Clients whose password is a token for `credential` (scope `ossrdbms-aad`), renewed by `run`.
    public init(
        configuration: PostgresClient.Configuration,
        credential: EntraCredential,
        identity: EntraTokenProvider,
        drain: Duration = .seconds(30),
        logger: Logger
    ) {
        self.entra = Entra(configuration: configuration, credential: credential, identity: identity)
        self.logger = logger
        self.drain = drain
        self.state = NIOLockedValueBox(State())
    }

    /// The client queries go to now (nil before the first token).
    public var current: PostgresClient? { state.withLockedValue { $0.client } }

    /// The client to query, waiting for the first token if need be.
    public func client() async throws -> PostgresClient {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLockedValue { state -> Result<PostgresClient, any Error>? in
                if let client = state.client { return .success(client) }
                if state.closed { return .failure(Closed()) }
                state.waiting.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    public func run() async throws {
        guard let entra else { return }
        var current: Task<Void, Never>?
        var retiring: [(runner: Task<Void, Never>, after: ContinuousClock.Instant)] = []
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let token: String
            do {
                token = try await entra.identity.token(entra.credential, fresh: true)
            } catch {
                logger.error("no Entra ID token for the database", metadata: ["reason": "\(error.reason)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
                continue
            }
            var configuration = entra.configuration
            configuration.password = token
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            if let current { retiring.append((current, .now + drain)) }
            current = Task { await client.run() }
            let waiting = state.withLockedValue { state in
                state.client = client
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting { continuation.resume(returning: client) }
            // A replaced client closes once its queries had `drain` to finish.
            let now = ContinuousClock.now
            for old in retiring where old.after <= now { old.runner.cancel() }
            retiring.removeAll { $0.after <= now }
            let renewIn = PostgresPool.renewal(of: token)
            logger.debug("database connections use a new Entra ID token", metadata: ["renew_in": "\(renewIn)"])
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: renewIn) }
        }
        let waiting = state.withLockedValue { state in
            state.closed = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume(throwing: Closed()) }
        let runners = retiring.map(\.runner) + (current.map { [$0] } ?? [])
        for runner in runners { runner.cancel() }
        for runner in runners { await runner.value }
    }

    /// When the connections should move to a new token: at 80 % of the token's remaining life (its `exp`), at
    /// least a second from now; 45 minutes when the token says nothing.
    static func renewal(of token: String, now: Date = Date()) -> Duration {
        guard let expires = (try? JSONWebToken(parsing: token))?.date("exp") else { return .seconds(45 * 60) }
        let left = expires.timeIntervalSince(now) * 0.8
        return .milliseconds(Int64(max(1, left) * 1000))
    }
}
