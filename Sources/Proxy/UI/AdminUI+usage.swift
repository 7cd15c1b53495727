import Foundation
import Hummingbird
import Wire

/// The Usage page: spend and tokens per day and per model group for a range of UTC days, as a chart and tables.
extension AdminUI {
    struct UsagePage {
        struct Row {
            var label: String
            var requests: String
            var failures: String
            var spend: String
            var promptTokens: String
            var completionTokens: String
            var reasoningTokens: String
        }

        struct Link {
            var href: String
            var label: String
            var current: Bool
        }

        var start: String
        var end: String
        var chart: UIChart
        var metrics: [Link]
        var days: [Row]
        var models: [Row]
        var hasModels: Bool
        var total: Row
        var capped: Bool
        var scanLimit: String
        var noStore: Bool
    }

    func usagePage(_ request: Request, id: String, session: UISession) async throws -> Response {
        let form = UIForm.query(request)
        let today = TimestampText.parse(UIFormat.inputDate(Date())) ?? Date()
        var end = form["end"].flatMap(TimestampText.parse) ?? today
        var start = form["start"].flatMap(TimestampText.parse) ?? end.addingTimeInterval(-6 * 86400)
        if start > end { swap(&start, &end) }
        start = max(start, end.addingTimeInterval(-Double(UIUsageReport.maximumDays - 1) * 86400))
        let tokens = form["metric"] == "tokens"
        var report = UIUsageReport(start: start, end: end)
        if let store {
            do {
                report = try await UIUsageReport.load(store, start: start, end: end, user: session.scope.ownUser)
            } catch {
                throw UIFailure(
                    status: 503,
                    message: "The spend log database is unavailable (\(String(describing: type(of: error)))). "
                        + "Try again shortly."
                )
            }
        }
        let chart =
            tokens
            ? UIChart(
                report,
                metric: "Tokens",
                value: { Double($0.tokens) },
                format: { UIFormat.count(Int($0.rounded())) }
            )
            : UIChart(report, metric: "Spend", value: { $0.spend }, format: UIFormat.dollars)
        let range = [("start", UIFormat.inputDate(start)), ("end", UIFormat.inputDate(end))]
        let page = UsagePage(
            start: UIFormat.inputDate(start),
            end: UIFormat.inputDate(end),
            chart: chart,
            metrics: [("spend", "Spend"), ("tokens", "Tokens")].map { metric in
                UsagePage.Link(
                    href: "/ui/usage?" + UIForm.encode(range + [("metric", metric.0)]),
                    label: metric.1,
                    current: (metric.0 == "tokens") == tokens
                )
            },
            days: report.days.reversed().map { AdminUI.usageRow($0.day, $0.totals) },
            models: report.models.map { AdminUI.usageRow($0.name, $0.totals) },
            hasModels: !report.models.isEmpty,
            total: AdminUI.usageRow("Total", report.total),
            capped: report.capped,
            scanLimit: UIFormat.count(UIUsageReport.scanLimit),
            noStore: store == nil
        )
        return render("usage", title: "Usage", page: page, session: (id, session, "/ui/usage"))
    }

    static func usageRow(_ label: String, _ totals: UIUsageReport.Totals) -> UsagePage.Row {
        UsagePage.Row(
            label: label,
            requests: UIFormat.count(totals.requests),
            failures: UIFormat.count(totals.failures),
            spend: UIFormat.dollars(totals.spend),
            promptTokens: UIFormat.count(totals.promptTokens),
            completionTokens: UIFormat.count(totals.completionTokens),
            reasoningTokens: UIFormat.count(totals.reasoningTokens)
        )
    }
}
