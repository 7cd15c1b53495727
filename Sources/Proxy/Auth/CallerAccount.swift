import Foundation

/// What the key's records said when it checked out, for `/metrics`: its team's alias, its user's email, and the
/// spend and budget of the key, team and user (LiteLLM's budget gauges start from these values at auth time).
public struct CallerAccount: Sendable, Equatable {
    public struct Budget: Sendable, Equatable {
        public var spend: Double
        public var max: Double?
        public var resetAt: Date?

        public init(spend: Double, max: Double?, resetAt: Date?) {
            self.spend = spend
            self.max = max
            self.resetAt = resetAt
        }
    }

    public var teamAlias: String?
    public var userEmail: String?
    public var key: Budget?
    public var team: Budget?
    public var user: Budget?

    public init() {}
}
