import Foundation
import Wire

/// The Logs page's filters, and how its rows are found: the store's own paging when only the time range is set;
/// else the range is read newest first (at most `scanLimit` rows, 500 at a time) and model, key alias and status
/// are matched here. Only the rows of the page shown are kept.
struct UILogFilter: Sendable {
    var start: Date?
    var end: Date?
    var range: String?
    var model: String?
    var keyAlias: String?
    var status: String?
    var page: Int
    /// An internal user's own requests only (the spend row's `user`); nil for the roles that see every request.
    var user: String?

    static let pageSize = 50
    static let scanLimit = 10_000
    static let ranges: [(String, String, TimeInterval)] = [
        ("15m", "15 min", 900), ("1h", "1 hour", 3600), ("24h", "24 hours", 86400), ("7d", "7 days", 604_800),
        ("30d", "30 days", 2_592_000),
    ]

    init(_ form: UIForm, now: Date = Date()) {
        range = form["range"].flatMap { name in UILogFilter.ranges.contains { $0.0 == name } ? name : nil }
        start =
            UIFormat.parseTime(form["start"])
            ?? range.flatMap { name in UILogFilter.ranges.first { $0.0 == name }.map { now.addingTimeInterval(-$0.2) } }
        end = UIFormat.parseTime(form["end"]).map { date in
            // An end without seconds covers its whole minute (or day).
            let pieces = (form["end"] ?? "").split(whereSeparator: { "T -:.".contains($0) }).count
            return date.addingTimeInterval(pieces == 3 ? 86399.999 : pieces == 5 ? 59.999 : 0)
        }
        model = form["model"]
        keyAlias = form["key_alias"]
        status = form["status"].flatMap { ["success", "failure"].contains($0) ? $0 : nil }
        page = max(1, min(10_000, Int(form["page"] ?? "") ?? 1))
    }

    var needsScan: Bool { model != nil || keyAlias != nil || status != nil }

    func matches(_ row: SpendRow) -> Bool {
        if let model, row.modelGroup != model, row.model != model { return false }
        if let status, row.status != status { return false }
        if let keyAlias, row.metadata["user_api_key_alias"]?.stringValue?.lowercased() != keyAlias.lowercased() {
            return false
        }
        return true
    }

    /// The filters as query items (for paging links), the page excluded.
    var queryItems: [(String, String?)] {
        [
            ("start", range == nil ? UIFormat.inputTime(start) : nil), ("end", UIFormat.inputTime(end)),
            ("range", range), ("model", model), ("key_alias", keyAlias), ("status", status),
        ]
    }

    /// One page of matching rows, newest first; the number of matches; whether the scan stopped at its limit.
    func fetch(_ store: any SpendStore) async throws -> (rows: [SpendRow], total: Int, capped: Bool) {
        let offset = (page - 1) * UILogFilter.pageSize
        var query = SpendLogQuery(user: user, start: start, end: end, limit: UILogFilter.pageSize, offset: offset)
        guard needsScan else {
            let rows = try await store.spendLogs(query)
            return (rows, try await store.countSpendLogs(query), false)
        }
        var kept: [SpendRow] = []
        var matched = 0
        var scanned = 0
        query.limit = 500
        query.offset = 0
        while scanned < UILogFilter.scanLimit {
            let chunk = try await store.spendLogs(query)
            for row in chunk where matches(row) {
                if matched >= offset, kept.count < UILogFilter.pageSize { kept.append(row) }
                matched += 1
            }
            scanned += chunk.count
            query.offset += chunk.count
            if chunk.count < query.limit { return (kept, matched, false) }
        }
        return (kept, matched, true)
    }
}
