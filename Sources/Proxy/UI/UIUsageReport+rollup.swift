import Foundation
import Wire

/// Usage from LiteLLM's daily rollups (`LiteLLM_DailyTeamSpend`, `…TagSpend`) rather than spend rows: the rows
/// `/team/daily/activity` and `/tag/daily/activity` sum, already one per day, key and model, so a 30-day view reads
/// a few rows per day instead of every request.
extension UIUsageReport {
    /// Adds one rollup row to its day and its model group (the model when the row has no group).
    mutating func add(rollup row: JSONObject) {
        scanned += 1
        guard let index = dayIndex[row["date"]?.stringValue ?? ""] else { return }
        let group = row["model_group"]?.stringValue ?? ""
        let name = group.isEmpty ? (row["model"]?.stringValue ?? "") : group
        let totals = Totals(rollup: row)
        days[index].totals.add(totals)
        days[index].byModel[name, default: Totals()].add(totals)
        modelTotals[name, default: Totals()].add(totals)
        total.add(totals)
    }
}

extension UIUsageReport.Totals {
    /// A rollup row's counters. Rollups keep no reasoning tokens: they stay 0 (the pages built on rollups leave that
    /// column out).
    init(rollup row: JSONObject) {
        self.init()
        requests = row["api_requests"]?.intValue ?? 0
        failures = row["failed_requests"]?.intValue ?? 0
        spend = row["spend"]?.doubleValue ?? 0
        promptTokens = row["prompt_tokens"]?.intValue ?? 0
        completionTokens = row["completion_tokens"]?.intValue ?? 0
    }

    mutating func add(_ other: UIUsageReport.Totals) {
        requests += other.requests
        failures += other.failures
        spend += other.spend
        promptTokens += other.promptTokens
        completionTokens += other.completionTokens
        reasoningTokens += other.reasoningTokens
    }
}
