import Foundation
import Hummingbird
import Wire

/// The Tags page: spend, requests and tokens per request tag over the last 30 days, from `LiteLLM_DailyTagSpend`
/// (what `/tag/daily/activity` sums), by spend. Only for the roles that see everything: the
/// rollup has no user column, so it cannot be narrowed to a user's own spend.
extension AdminUI {
    struct TagsPage {
        struct Row {
            var tag: String
            var spend: String
            var requests: String
            var failures: String
            var promptTokens: String
            var completionTokens: String
            var tokens: String
        }

        var tags: [Row]
        var empty: Bool
        var start: String
        var end: String
        var noStore: Bool
    }

    func tagsPage(_ request: Request, id: String, session: UISession) async throws -> Response {
        let (start, end) = AdminUI.lastDays()
        var totals: [String: UIUsageReport.Totals] = [:]
        if let accounts = services.keys?.accounts {
            let table = DailySpend.tables[AccountService.ActivityEntity.tag.rawValue]
            let (from, to) = (UIFormat.inputDate(start), UIFormat.inputDate(end))
            let rows = try await accountRead { try await accounts.rollup(table, entity: nil, from: from, to: to) }
            for row in rows {
                guard let tag = row["tag"]?.stringValue, !tag.isEmpty else { continue }
                totals[tag, default: UIUsageReport.Totals()].add(UIUsageReport.Totals(rollup: row))
            }
        }
        let sorted = totals.sorted {
            ($0.value.spend, $0.value.requests, $1.key) > ($1.value.spend, $1.value.requests, $0.key)
        }
        let rows = sorted.map { tag, sum in
            TagsPage.Row(
                tag: tag,
                spend: UIFormat.dollars(sum.spend),
                requests: UIFormat.count(sum.requests),
                failures: UIFormat.count(sum.failures),
                promptTokens: UIFormat.count(sum.promptTokens),
                completionTokens: UIFormat.count(sum.completionTokens),
                tokens: UIFormat.count(sum.tokens)
            )
        }
        let view = TagsPage(
            tags: rows,
            empty: rows.isEmpty,
            start: UIFormat.inputDate(start),
            end: UIFormat.inputDate(end),
            noStore: services.keys?.accounts == nil
        )
        return render("tags", title: "Tags", page: view, session: (id, session, "/ui/tags"))
    }
}
