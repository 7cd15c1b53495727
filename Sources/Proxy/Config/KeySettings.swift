/// What virtual keys read from `general_settings` and `litellm_settings`, typed, each default here.
public struct KeySettings: Sendable {
    /// `user_api_key_cache_ttl`: seconds a looked-up key is trusted before the store is asked again.
    public var cacheTTL: Double = 60
    /// `litellm_settings.budget_exceeded_status_code`: the status of a request over its key's budget.
    public var budgetExceededStatus = 422
    /// `allow_requests_on_db_unavailable`, nil when not given: with true a key that cannot be looked up goes on as a
    /// restricted internal user; readiness reports unhealthy without a database only when it is false.
    public var allowRequestsOnDBUnavailable: Bool?
    /// `limit_sync_interval`: seconds between replicas' virtual-key usage syncs.
    public var limitSyncInterval: Double = 1
    /// `litellm_settings.store_audit_logs` (env `LITELLM_STORE_AUDIT_LOGS`): management changes are recorded in
    /// `LiteLLM_AuditLog` unless it is false (LiteLLM keeps this for its enterprise edition; here it is on).
    public var storeAuditLogs = true

    public init() {}
}
