import Foundation
import Wire

/// Spend and tokens per day and per model group over a range of UTC days, summed from spend rows.
struct UIUsageReport: Sendable {
    struct Totals: Sendable, Equatable {
        var requests = 0
        var failures = 0
        var spend = 0.0
        var promptTokens = 0
        var completionTokens = 0
        var reasoningTokens = 0

        var tokens: Int { promptTokens + completionTokens }

        mutating func add(_ row: SpendRow) {
            requests += 1
            if row.status != "success" { failures += 1 }
            spend += row.spend
            promptTokens += row.promptTokens
            completionTokens += row.completionTokens
            reasoningTokens += UILogRow.reasoningTokens(row) ?? 0
        }
    }

    struct Day: Sendable {
        var day: String
        var totals = Totals()
        var byModel: [String: Totals] = [:]
    }

    /// Every day of the range, oldest first (days without requests included).
    var days: [Day]
    /// Model groups by spend, then requests (highest first).
    var models: [(name: String, totals: Totals)] {
        modelTotals.sorted { ($0.value.spend, $0.value.requests, $1.key) > ($1.value.spend, $1.value.requests, $0.key) }
            .map { ($0.key, $0.value) }
    }
    var total = Totals()
    var dayIndex: [String: Int] = [:]
    var modelTotals: [String: Totals] = [:]
    /// Rows read; the scan stopped at its limit when `capped`.
    var scanned = 0
    var capped = false

    static let scanLimit = 20_000
    static let maximumDays = 366

    /// The days from `start` to `end` (UTC dates, inclusive).
    init(start: Date, end: Date) {
        var days: [Day] = []
        var day = start
        while day <= end, days.count < UIUsageReport.maximumDays {
            days.append(Day(day: UIFormat.inputDate(day)))
            day = day.addingTimeInterval(86400)
        }
        self.days = days
        for (index, day) in days.enumerated() { dayIndex[day.day] = index }
    }

    mutating func add(_ row: SpendRow) {
        scanned += 1
        let day = UIFormat.inputDate(row.startTime)
        guard let index = dayIndex[day] else { return }
        let group = row.modelGroup.isEmpty ? row.model : row.modelGroup
        days[index].totals.add(row)
        days[index].byModel[group, default: Totals()].add(row)
        modelTotals[group, default: Totals()].add(row)
        total.add(row)
    }

    /// Reads the range from the store, newest first, 500 rows at a time, at most `scanLimit` rows.
    /// The report over the days, of one user's requests when `user` is given.
    static func load(_ store: any SpendStore, start: Date, end: Date, user: String? = nil) async throws
        -> UIUsageReport
    {
        var report = UIUsageReport(start: start, end: end)
        var query = SpendLogQuery(
            user: user,
            start: start,
            end: end.addingTimeInterval(86399.999),
            limit: 500,
            offset: 0
        )
        while report.scanned < scanLimit {
            let chunk = try await store.spendLogs(query)
            for row in chunk { report.add(row) }
            query.offset += chunk.count
            if chunk.count < query.limit { return report }
        }
        report.capped = true
        return report
    }
}
