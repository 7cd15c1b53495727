import Foundation

/// What the spend log reads from `general_settings` and `litellm_settings`, typed, each default here.
public struct SpendSettings: Sendable {
    /// `store_prompts_in_spend_logs` (env `STORE_PROMPTS_IN_SPEND_LOGS`); `litellm_settings.turn_off_message_logging`
    /// turns it off whatever it says.
    public var storePrompts = true
    /// `disable_spend_logs`: no row is written (keys still count spend).
    public var disabled = false
    /// `spend_log_max_string_length`: longest string kept in a stored request or response.
    public var maximumStringLength = 2048
    /// `proxy_batch_write_at`: seconds between spend-log writes (LiteLLM's default: 10).
    public var batchInterval: Double = 10
    /// `sqlite_path` (env `LITELLM_SQLITE_PATH`): the embedded store when no database URL is set.
    public var sqlitePath = "litellm_proxy.sqlite"
    /// `maximum_spend_logs_retention_period` (general or litellm settings): rows older than it are deleted.
    public var retentionPeriod: Double?
    /// `maximum_spend_logs_retention_interval`: seconds between retention sweeps.
    public var retentionInterval: Double = 86400
    /// `spend_spill_path`: where rows go while the store is down; nil: next to the SQLite file, or
    /// `spend-spill.jsonl` with PostgreSQL.
    public var spillPath: String?
    /// `spend_queue_capacity`: rows held in memory before they spill.
    public var queueCapacity = 10_000
    /// `spend_journal` (default on) keeps rows a SIGKILL or OOM kill would otherwise lose; `spend_journal_path`
    /// says where (default: the spill path with `.journal`).
    public var journal = true
    public var journalPath: String?
    /// `spend_journal_window_ms`: rows are journaled in groups, one write(2) per window; a SIGKILL loses the rows of
    /// the requests answered in the last window.
    public var journalWindow: Duration = .milliseconds(10)
    /// `request_tags` gain `User-Agent: <product>` and `User-Agent: <full>` unless
    /// `litellm_settings.disable_add_user_agent_to_request_tags` is true (as LiteLLM's spend logs).
    public var userAgentTags = true
    /// `litellm_settings.extra_spend_tag_headers`: request headers recorded as `Name: value` tags.
    public var tagHeaders: [String] = []

    public init() {}

    /// The spill file: as configured, else beside the SQLite file or in the working folder for PostgreSQL.
    public func spill(usesDatabaseServer: Bool) -> String {
        spillPath ?? (usesDatabaseServer ? "spend-spill.jsonl" : sqlitePath + ".spill.jsonl")
    }

    /// The journal file, nil when `spend_journal: false`.
    public func journal(usesDatabaseServer: Bool) -> String? {
        guard journal else { return nil }
        return journalPath
            ?? spill(usesDatabaseServer: usesDatabaseServer).replacingOccurrences(of: ".jsonl", with: "") + ".journal"
    }
}
