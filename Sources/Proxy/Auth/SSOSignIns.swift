import Foundation
import NIOConcurrencyHelpers
import Wire

/// A sign-in sent to the identity provider and not yet back: what the callback must prove it belongs to.
struct SSOSignIn: Sendable, Equatable {
    /// PKCE's secret half (RFC 7636); only its S256 challenge left this process.
    var codeVerifier: String
    /// Echoed in the ID token, so a token minted for another sign-in is refused.
    var nonce: String
    var redirectURI: String
    /// Where the UI goes afterwards.
    var next: String
    var started: ContinuousClock.Instant
}

/// The sign-ins in flight, keyed by the sha256 of their `state` (the value itself is only in the browser's cookie
/// and the provider's redirect). Each is taken once; stale ones and the oldest beyond `capacity` are dropped.
final class SSOSignIns: Sendable {
    let capacity: Int
    let lifetime: Duration
    private let table = NIOLockedValueBox<[String: SSOSignIn]>([:])

    init(capacity: Int, lifetime: Duration) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// Remembers a new sign-in; returns its state.
    func start(redirectURI: String, next: String, now: ContinuousClock.Instant = .now) -> (
        state: String, signIn: SSOSignIn
    ) {
        let state = SSOSignIns.randomToken()
        let signIn = SSOSignIn(
            codeVerifier: SSOSignIns.randomToken(),
            nonce: SSOSignIns.randomToken(),
            redirectURI: redirectURI,
            next: next,
            started: now
        )
        table.withLockedValue { table in
            table = table.filter { now - $0.value.started < lifetime }
            while table.count >= capacity, let oldest = table.min(by: { $0.value.started < $1.value.started }) {
                table.removeValue(forKey: oldest.key)
            }
            table[SecretHash.sha256Hex(state)] = signIn
        }
        return (state, signIn)
    }

    /// The sign-in a callback's state names, once: a replayed or stale state finds nothing.
    func finish(state: String, now: ContinuousClock.Instant = .now) -> SSOSignIn? {
        let signIn = table.withLockedValue { $0.removeValue(forKey: SecretHash.sha256Hex(state)) }
        guard let signIn, now - signIn.started < lifetime else { return nil }
        return signIn
    }

    var count: Int { table.withLockedValue(\.count) }

    /// 32 random bytes, base64url (43 characters: a valid PKCE verifier, state and nonce).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0 ..< 32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
