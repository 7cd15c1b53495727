import Foundation
import Wire

/// One team as the Teams table and a team's page show it, from its `LiteLLM_TeamTable` row (LiteLLM's shape, as
/// `/team/info` answers it). Every field is a string or a flag: the templates never see an optional here, so a
/// missing value never picks up a same-named one from the page around it.
struct UITeamRow {
    var id: String
    var href: String
    /// The alias, or the id for a team without one (the link text).
    var name: String
    var alias: String
    var models: String
    var members: String
    var spend: String
    var budget: String
    var budgetPeriod: String
    var limits: String
    var blocked: Bool

    init(_ team: JSONObject) {
        id = team["team_id"]?.stringValue ?? ""
        href = "/ui/teams/" + UIForm.pathSegment(id)
        alias = team["team_alias"]?.stringValue ?? ""
        name = alias.isEmpty ? id : alias
        let models = UITeamRow.strings(team["models"])
        self.models = models.isEmpty ? "all" : models.joined(separator: ", ")
        members = UIFormat.count(team["members_with_roles"]?.arrayValue?.count ?? 0)
        spend = UIFormat.dollars(team["spend"]?.doubleValue ?? 0)
        budget = team["max_budget"]?.doubleValue.map(UIFormat.dollars) ?? "no limit"
        budgetPeriod = UITeamRow.budgetPeriod(team)
        limits = UITeamRow.limits(team)
        blocked = team["blocked"]?.boolValue ?? false
    }

    /// `resets every 30d, next 2025-10-01 00:00:00 UTC`; empty without a budget period.
    static func budgetPeriod(_ record: JSONObject) -> String {
        guard let duration = record["budget_duration"]?.stringValue, !duration.isEmpty else { return "" }
        let next = record["budget_reset_at"]?.stringValue.flatMap(TimestampText.parse)
        return "resets every \(duration)" + (next.map { ", next " + UIFormat.time($0) + " UTC" } ?? "")
    }

    /// TPM, RPM and parallel-request limits, as the Keys table writes them.
    static func limits(_ record: JSONObject) -> String {
        let limits = [
            record["tpm_limit"]?.intValue.map { "\(UIFormat.count($0)) TPM" },
            record["rpm_limit"]?.intValue.map { "\(UIFormat.count($0)) RPM" },
            record["max_parallel_requests"]?.intValue.map { "\($0) parallel" },
        ].compactMap { $0 }
        return limits.isEmpty ? "–" : limits.joined(separator: " · ")
    }

    /// A text-array column's strings (`models`, a user's `teams`).
    static func strings(_ value: JSON?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
