/// One of a caller's rpm/tpm limits and what the last minute used of it (this replica's and the others').
public struct LimitUsage: Sendable {
    public var limit: RateLimit
    public var requests: Int
    public var tokens: Int
}
