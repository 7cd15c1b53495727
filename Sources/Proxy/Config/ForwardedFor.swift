/// Who a caller is on the network. `X-Forwarded-For` is anyone's to write, so it counts only when the connection
/// comes from a proxy the config trusts (`general_settings.trusted_proxies`), or from anywhere with LiteLLM's
/// `use_x_forwarded_for: true`; otherwise the connection's peer is the caller.
public struct ForwardedFor: Sendable {
    /// `use_x_forwarded_for: true`: every peer is trusted to forward (LiteLLM's own rule, an explicit opt-in).
    public var trustEveryPeer = false
    /// Peers (IP addresses as written) whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String> = []

    public init(trustEveryPeer: Bool = false, trustedProxies: Set<String> = []) {
        self.trustEveryPeer = trustEveryPeer
        self.trustedProxies = trustedProxies
    }

    /// The caller's address: the peer's, unless the peer is trusted; then the nearest hop of the header that is not
    /// itself a trusted proxy (the first hop when every peer is trusted).
    public func clientIP(forwardedFor header: String?, peer: String?) -> String? {
        guard let header, let peer, trustEveryPeer || trustedProxies.contains(peer) else { return peer }
        let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if trustEveryPeer { return hops.first ?? peer }
        return hops.last { !trustedProxies.contains($0) } ?? hops.first ?? peer
    }
}
