import Foundation

/// A key's use in the last minute on one replica: requests, tokens and requests in flight.
public struct KeyUsage: Sendable, Equatable {
    public var requests = 0
    public var tokens = 0
    public var inFlight = 0

    public init(requests: Int = 0, tokens: Int = 0, inFlight: Int = 0) {
        self.requests = requests
        self.tokens = tokens
        self.inFlight = inFlight
    }
}

/// Where replicas share their key usage (PostgreSQL; the embedded SQLite store serves one process and has no need).
public protocol KeyUsageStore: Sendable {
    func prepareKeyUsage() async throws
    /// Replaces this replica's published usage.
    func publishKeyUsage(replica: String, usage: [String: KeyUsage]) async throws
    /// The other live replicas' usage, summed per key.
    func otherReplicasKeyUsage(excluding replica: String) async throws -> [String: KeyUsage]
}
