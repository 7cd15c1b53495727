import Foundation
import Wire

/// One row of "LiteLLM_VerificationToken": a virtual key, stored by the sha256 of the key (never the key).
public struct VirtualKey: Sendable, Equatable {
    /// sha256 hex of the key: the primary key.
    public var token: String
    /// `sk-...last4`.
    public var keyName: String
    public var keyAlias: String?
    public var spend: Double
    public var expires: Date?
    /// Model groups it may use; empty = all.
    public var models: [String]
    public var maxBudget: Double?
    public var budgetDuration: String?
    public var budgetResetAt: Date?
    public var tpmLimit: Int?
    public var rpmLimit: Int?
    public var maxParallelRequests: Int?
    public var userID: String?
    public var teamID: String?
    public var metadata: JSON
    public var blocked: Bool
    public var createdAt: Date
    public var createdBy: String?
    /// Set by whoever changes the key (the stores write it as given).
    public var updatedAt: Date

    public init(
        token: String,
        keyName: String,
        keyAlias: String? = nil,
        spend: Double = 0,
        expires: Date? = nil,
        models: [String] = [],
        maxBudget: Double? = nil,
        budgetDuration: String? = nil,
        budgetResetAt: Date? = nil,
        tpmLimit: Int? = nil,
        rpmLimit: Int? = nil,
        maxParallelRequests: Int? = nil,
        userID: String? = nil,
        teamID: String? = nil,
        metadata: JSON = [:],
        blocked: Bool = false,
        createdAt: Date = Date(),
        createdBy: String? = nil,
        updatedAt: Date? = nil
    ) {
        self.token = token
        self.keyName = keyName
        self.keyAlias = keyAlias
        self.spend = spend
        self.expires = expires
        self.models = models
        self.maxBudget = maxBudget
        self.budgetDuration = budgetDuration
        self.budgetResetAt = budgetResetAt
        self.tpmLimit = tpmLimit
        self.rpmLimit = rpmLimit
        self.maxParallelRequests = maxParallelRequests
        self.userID = userID
        self.teamID = teamID
        self.metadata = metadata
        self.blocked = blocked
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt ?? createdAt
    }

    /// LiteLLM's key info shape (no key material beyond the hash and `sk-...last4`).
    public var json: JSON {
        [
            "token": .string(token),
            "key_name": .string(keyName),
            "key_alias": keyAlias.map(JSON.string) ?? nil,
            "spend": .double(spend),
            "expires": expires.map { .string(VirtualKey.iso($0)) } ?? nil,
            "models": .array(models.map(JSON.string)),
            "max_budget": maxBudget.map(JSON.double) ?? nil,
            "budget_duration": budgetDuration.map(JSON.string) ?? nil,
            "budget_reset_at": budgetResetAt.map { .string(VirtualKey.iso($0)) } ?? nil,
            "tpm_limit": tpmLimit.map(JSON.int) ?? nil,
            "rpm_limit": rpmLimit.map(JSON.int) ?? nil,
            "max_parallel_requests": maxParallelRequests.map(JSON.int) ?? nil,
            "user_id": userID.map(JSON.string) ?? nil,
            "team_id": teamID.map(JSON.string) ?? nil,
            "metadata": metadata,
            "blocked": .bool(blocked),
            "created_at": .string(VirtualKey.iso(createdAt)),
            "created_by": createdBy.map(JSON.string) ?? nil,
            "updated_at": .string(VirtualKey.iso(updatedAt)),
        ]
    }

    static func iso(_ date: Date) -> String {
        TimestampText.format(date).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    /// A new key: `sk-` and 22 url-safe random characters (about 131 bits).
    public static func generateKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return "sk-" + String((0 ..< 22).map { _ in alphabet[Int(generator.next() % 64)] })
    }
}
