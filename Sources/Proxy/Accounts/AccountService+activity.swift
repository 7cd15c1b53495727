import Foundation
import Wire

/// `/user/daily/activity`, `/team/daily/activity`, `/tag/daily/activity`: LiteLLM's daily rollups (`DailySpend`) by
/// day, with its metrics and breakdowns (models, model groups, providers, endpoints, keys, entities) and totals.
extension AccountService {
    public enum ActivityEntity: Int, Sendable { case user = 0, team = 1, tag = 2 }

    /// The most rollup rows one answer reads (days × keys × models of the filtered entities).
    static let maximumActivityRows = 100_000

    /// Rollup rows of one table between two days (inclusive), of one entity when given; a range holding more than
    /// `maximumActivityRows` is refused rather than summed in part.
    func rollup(_ table: DailySpend.Table, entity: String?, from: String?, to: String?) async throws(ProxyError)
        -> [JSONObject]
    {
        let record = DailySpend.record(table)
        let filter = RowFilter(equals: entity.map { (table.entity, $0) }, range: ("date", from, to))
        let rows = try await storeCall {
            try await self.store.rows(record, filter, limit: AccountService.maximumActivityRows + 1)
        }
        guard rows.count <= AccountService.maximumActivityRows else {
            throw AccountService.badRequest(
                "More than \(AccountService.maximumActivityRows) daily rows in range; narrow start_date and end_date",
                param: "start_date"
            )
        }
        return rows.map(record.json)
    }

    public func dailyActivity(
        _ entity: ActivityEntity,
        ids: [String]?,
        start: String?,
        end: String?,
        page: Int,
        pageSize: Int
    ) async throws(ProxyError) -> JSON {
        let table = DailySpend.tables[entity.rawValue]
        var rows: [JSONObject] = []
        for id in ids.map({ $0.map(Optional.some) }) ?? [nil] {
            rows += try await rollup(table, entity: id, from: start, to: end)
        }
        let days = Dictionary(grouping: rows) { $0["date"]?.stringValue ?? "" }.sorted { $0.key > $1.key }
        let size = min(1000, max(1, pageSize)), pages = max(1, (days.count + size - 1) / size)
        let shown = days.dropFirst((page - 1) * size).prefix(size)
        let results: [JSON] = shown.map { day, rows in
            var breakdown = JSONObject()
            for (name, column) in [
                ("models", "model"), ("model_groups", "model_group"), ("providers", "custom_llm_provider"),
                ("endpoints", "endpoint"), ("api_keys", "api_key"), ("entities", table.entity),
            ] {
                let groups = Dictionary(grouping: rows) { $0[column]?.stringValue ?? "" }
                var metrics = JSONObject()
                for (key, members) in groups.sorted(by: { $0.key < $1.key }) where !key.isEmpty {
                    metrics[key] = ["metrics": AccountService.metrics(members), "metadata": [:]]
                }
                breakdown[name] = .object(metrics)
            }
            return ["date": .string(day), "metrics": AccountService.metrics(rows), "breakdown": .object(breakdown)]
        }
        let total = AccountService.metrics(rows)
        var metadata = JSONObject()
        for member in total.objectValue ?? [:] {
            // LiteLLM's names: `total_` and the metric, but `total_tokens` and `total_response_time_ms` as they are.
            metadata[member.key.hasPrefix("total_") ? member.key : "total_" + member.key] = member.value
        }
        metadata["page"] = .int(page)
        metadata["total_pages"] = .int(pages)
        metadata["has_more"] = .bool(page < pages)
        return ["results": .array(results), "metadata": .object(metadata)]
    }

    /// LiteLLM's `SpendMetrics` of some rollup rows (the columns this gateway writes; the cache, PTU and savings ones,
    /// which Azure chat through this gateway never has, 0).
    static func metrics(_ rows: [JSONObject]) -> JSON {
        func sum(_ column: String) -> Int { rows.reduce(0) { $0 + ($1[column]?.intValue ?? 0) } }
        let prompt = sum("prompt_tokens"), completion = sum("completion_tokens")
        return [
            "spend": .double(rows.reduce(0) { $0 + ($1["spend"]?.doubleValue ?? 0) }), "prompt_tokens": .int(prompt),
            "flat_cost": .double(0), "ptu_hours": .double(0), "compression_saved_tokens": 0,
            "compression_savings_spend": .double(0), "prompt_caching_savings_spend": .double(0),
            "gateway_injected_caching_savings_spend": .double(0), "autorouter_savings_spend": .double(0),
            "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion),
            "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0, "api_requests": .int(sum("api_requests")),
            "successful_requests": .int(sum("successful_requests")), "failed_requests": .int(sum("failed_requests")),
            "total_response_time_ms": .int(sum("total_response_time_ms")),
            "timed_requests": .int(sum("timed_requests")),
        ]
    }
}

/// `/global/spend/teams`: the last 30 days' spend by team and day, from the daily team rollup.
extension AccountService {
    public func globalTeamSpend(now: Date = Date()) async throws(ProxyError) -> JSON {
        let since = String(TimestampText.format(now.addingTimeInterval(-30 * 86_400)).prefix(10))
        let rows = try await rollup(DailySpend.tables[ActivityEntity.team.rawValue], entity: nil, from: since, to: nil)
        var aliases: [String: String] = [:]
        for id in Set(rows.compactMap { $0["team_id"]?.stringValue }) where !id.isEmpty {
            aliases[id] = try await lookup(AccountSchema.teams, id)?["team_alias"]?.stringValue ?? id
        }
        // LiteLLM's names: a team by its alias (its id without one), "Unassigned" for keys without a team.
        func name(_ row: JSONObject) -> (id: String, alias: String) {
            let id = row["team_id"]?.stringValue ?? ""
            return id.isEmpty ? ("Unassigned", "Unassigned") : (id, aliases[id] ?? id)
        }
        var byDay: [String: [String: Double]] = [:]
        var totals: [String: (alias: String, spend: Double)] = [:]
        for row in rows {
            let (id, alias) = name(row), spend = row["spend"]?.doubleValue ?? 0
            byDay[row["date"]?.stringValue ?? "", default: [:]][alias, default: 0] += spend
            totals[id, default: (alias, 0)].spend += spend
        }
        let daily: [JSON] = byDay.sorted { $0.key < $1.key }.map { day, teams in
            var entry: JSONObject = ["date": .string(day)]
            for (alias, spend) in teams.sorted(by: { $0.key < $1.key }) { entry[alias] = .double(Self.cents(spend)) }
            return .object(entry)
        }
        let perTeam: [JSON] = totals.sorted { $0.value.spend > $1.value.spend }.map { id, total in
            [
                "team_id": .string(id), "team_alias": .string(total.alias),
                "total_spend": .double(Self.cents(total.spend)),
            ]
        }
        return [
            "daily_spend": .array(daily), "teams": .array(Set(totals.values.map(\.alias)).sorted().map(JSON.string)),
            "total_spend_per_team": .array(perTeam),
        ]
    }

    /// LiteLLM rounds these to cents.
    static func cents(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

/// `/global/spend/report` grouped by team (LiteLLM's default): per day, each team's spend with its models and keys,
/// from the daily team rollup.
extension AccountService {
    public func spendReport(start: String, end: String, team: String?) async throws(ProxyError) -> JSON {
        let rows = try await rollup(DailySpend.tables[ActivityEntity.team.rawValue], entity: team, from: start, to: end)
        var aliases: [String: String] = [:]
        for id in Set(rows.compactMap { $0["team_id"]?.stringValue }) where !id.isEmpty {
            aliases[id] = try await lookup(AccountSchema.teams, id)?["team_alias"]?.stringValue
        }
        let days = Dictionary(grouping: rows) { $0["date"]?.stringValue ?? "" }.sorted { $0.key < $1.key }
        return .array(
            days.map { day, rows in
                let teams = Dictionary(grouping: rows) { row -> String in
                    // LiteLLM's name: the team's alias, "Unassigned Team" without one.
                    aliases[row["team_id"]?.stringValue ?? ""] ?? "Unassigned Team"
                }
                return [
                    "group_by_day": .string(day + "T00:00:00+00:00"),
                    "teams": .array(
                        teams.sorted { $0.key < $1.key }.map { name, rows in
                            [
                                "team_name": .string(name),
                                "total_spend": .double(rows.reduce(0) { $0 + ($1["spend"]?.doubleValue ?? 0) }),
                                "metadata": .array(
                                    rows.map { row in
                                        let tokens =
                                            (row["prompt_tokens"]?.intValue ?? 0)
                                            + (row["completion_tokens"]?.intValue ?? 0)
                                        return [
                                            "model": row["model"] ?? .null, "api_key": row["api_key"] ?? .null,
                                            "spend": row["spend"] ?? 0, "total_tokens": .int(tokens),
                                        ]
                                    }
                                ),
                            ]
                        }
                    ),
                ]
            }
        )
    }
}
