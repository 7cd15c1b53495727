import Foundation
import Wire

/// One spend row as the Logs table shows it (LiteLLM's columns), every value already text.
struct UILogRow {
    var time: String
    var status: String
    var failed: Bool
    var requestID: String
    var detailPath: String
    var model: String
    var modelGroup: String
    /// The key's alias, "master key", or the start of its sha256.
    var key: String
    /// The full sha256 (a tooltip).
    var keyHash: String
    var promptTokens: String
    var completionTokens: String
    var reasoningTokens: String
    var cost: String
    var duration: String
    var timeToFirstToken: String
    /// Answered from the response cache (`cache_hit` "True").
    var cacheHit: Bool

    init(_ row: SpendRow, masterKeyHash: String?) {
        time = UIFormat.time(row.startTime)
        status = row.status
        failed = row.status != "success"
        requestID = row.requestID
        detailPath = "/ui/logs/" + UIForm.pathSegment(row.requestID)
        model = row.model
        modelGroup = row.modelGroup
        key = UILogRow.keyLabel(row, masterKeyHash: masterKeyHash)
        keyHash = row.apiKey
        promptTokens = UIFormat.count(row.promptTokens)
        completionTokens = UIFormat.count(row.completionTokens)
        reasoningTokens = UILogRow.reasoningTokens(row).map(UIFormat.count) ?? "–"
        cost = UIFormat.cost(row.spend)
        duration = UIFormat.milliseconds(row.requestDurationMs)
        timeToFirstToken = UIFormat.milliseconds(UILogRow.timeToFirstToken(row))
        cacheHit = row.cacheHit == "True"
    }

    static func keyLabel(_ row: SpendRow, masterKeyHash: String?) -> String {
        if let alias = row.metadata["user_api_key_alias"]?.stringValue, !alias.isEmpty { return alias }
        if row.apiKey.isEmpty { return "–" }
        if row.apiKey == masterKeyHash { return "master key" }
        return String(row.apiKey.prefix(12)) + "…"
    }

    static func reasoningTokens(_ row: SpendRow) -> Int? {
        row.metadata.value(at: "usage_object.completion_tokens_details.reasoning_tokens")?.intValue
    }

    static func timeToFirstToken(_ row: SpendRow) -> Int? {
        guard let first = row.completionStartTime, row.status == "success" else { return nil }
        return max(0, Int((first.timeIntervalSince(row.startTime) * 1000).rounded()))
    }
}
