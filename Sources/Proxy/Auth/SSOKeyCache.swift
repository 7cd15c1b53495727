import NIOConcurrencyHelpers
import Wire

/// The provider's signing keys, fetched at most once per `lifetime`, and again when a token names a key the cached
/// set lacks (Entra rolls its keys), so sign-ins do not each call the provider's keys endpoint.
final class SSOKeyCache: Sendable {
    let lifetime: Duration
    private let cached = NIOLockedValueBox<(keys: JSONWebKeySet, fetched: ContinuousClock.Instant)?>(nil)

    init(lifetime: Duration = .seconds(600)) {
        self.lifetime = lifetime
    }

    /// The cached set when it is fresh and has `kid` (or the token names none), else what `fetch` answers.
    func keys(
        for kid: String?,
        now: ContinuousClock.Instant = .now,
        fetch: () async throws(SSOFailure) -> JSONWebKeySet
    ) async throws(SSOFailure) -> JSONWebKeySet {
        if let entry = cached.withLockedValue({ $0 }), now - entry.fetched < lifetime,
            kid == nil || entry.keys.keys.contains(where: { $0.id == kid })
        {
            return entry.keys
        }
        let keys = try await fetch()
        cached.withLockedValue { $0 = (keys, now) }
        return keys
    }
}
