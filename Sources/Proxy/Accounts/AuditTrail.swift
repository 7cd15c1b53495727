import Foundation
import Logging
import NIOConcurrencyHelpers
import Wire

/// Who makes the management change being run: set around each management call, read where records are written.
public struct AuditActor: Sendable {
    /// The caller's user id (LiteLLM's `litellm_proxy_admin_name`, `default_user_id`, for the master key).
    public var changedBy: String
    /// The sha256 of the caller's key: never the key itself.
    public var apiKeyHash: String

    @TaskLocal public static var current: AuditActor?

    public init(_ caller: Caller) {
        self.init(changedBy: caller.userID ?? Caller.adminUserID, apiKeyHash: caller.keyHash)
    }

    public init(changedBy: String, apiKeyHash: String) {
        self.changedBy = changedBy
        self.apiKeyHash = apiKeyHash
    }
}

/// LiteLLM's audit log (`LiteLLM_AuditLog`): one row per management change of a key, team, user, end user or budget,
/// with who made it, the row before and the values after (key hashes only: a key's record never holds its secret).
/// A failed write is logged and never fails the change it records.
public struct AuditTrail: Sendable {
    static let table = AccountSchema.auditLog

    let store: any RecordStore
    /// `litellm_settings.store_audit_logs` (env `LITELLM_STORE_AUDIT_LOGS`).
    public let enabled: Bool
    let logger: Logger

    public init(store: any RecordStore, enabled: Bool, logger: Logger = Logger(label: "audit")) {
        self.store = store
        self.enabled = enabled
        self.logger = logger
    }

    /// Whether a change made now is recorded: the trail is on and a management call is making it.
    var isRecording: Bool { enabled && AuditActor.current != nil }

    /// Records a change (`created`, `updated`, `deleted`, `blocked`, `unblocked`, `rotated`) of a row of `table`.
    func record(_ action: String, table: String, objectID: String, before: JSON?, after: JSON?) async {
        guard enabled, let actor = AuditActor.current else { return }
        let row: JSONObject = [
            "id": .string(UUID().uuidString.lowercased()),
            "updated_at": .string(VirtualKey.iso(Self.nextTime())),
            "changed_by": .string(actor.changedBy),
            "changed_by_api_key": .string(actor.apiKeyHash),
            "action": .string(action),
            "table_name": .string(table),
            "object_id": .string(objectID),
            "before_value": before ?? .null,
            "updated_values": after ?? [:],
        ]
        do {
            try await store.upsert(Self.table, Self.table.texts(row))
        } catch {
            logger.warning(
                "audit log write failed",
                metadata: ["table": "\(table)", "action": "\(action)", "error": "\(type(of: error))"]
            )
        }
    }

    /// The last time given to a row: `updated_at` is kept to the millisecond, and changes made within one must still
    /// list in the order they were made.
    static let lastTime = NIOLockedValueBox(Date.distantPast)

    static func nextTime() -> Date {
        lastTime.withLockedValue { last in
            let now = Date()
            last = now.timeIntervalSince(last) >= 0.001 ? now : last.addingTimeInterval(0.001)
            return last
        }
    }

    /// `created` for a new row, `blocked`/`unblocked` when only `blocked` changed, `updated`, or nil when nothing
    /// but `updated_at` did (a write that changes nothing is not a change).
    static func action(before: JSONObject?, after: JSONObject) -> String? {
        guard let before else { return "created" }
        let changed = Set(after.keys.filter { $0 != "updated_at" && before[$0] != after[$0] })
        if changed.isEmpty { return nil }
        if changed == ["blocked"] { return after["blocked"]?.boolValue == true ? "blocked" : "unblocked" }
        return "updated"
    }
}
