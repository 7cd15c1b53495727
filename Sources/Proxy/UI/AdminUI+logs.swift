import Foundation
import Hummingbird
import Wire

/// The Logs page (newest first, paged, filtered) and a request's detail page.
extension AdminUI {
    struct LogsPage {
        struct Option {
            var value: String
            var label: String
            var selected: Bool
        }

        struct Link {
            var href: String
            var label: String
            var current: Bool
        }

        var rows: [UILogRow]
        var empty: Bool
        var total: String
        var capped: Bool
        var scanLimit: String
        var start: String
        var end: String
        var keyAlias: String
        var models: [Option]
        var statuses: [Option]
        var ranges: [Link]
        var pager: UIPager
        var noStore: Bool
    }

    var store: (any SpendStore)? { services.spendLogs.store }

    func logsPage(_ request: Request, id: String, session: UISession) async throws -> Response {
        var filter = UILogFilter(UIForm.query(request))
        filter.user = session.scope.ownUser
        let (rows, total, capped) = try await fetchLogs(filter)
        func link(page: Int) -> String { "/ui/logs?" + UIForm.encode(filter.queryItems + [("page", String(page))]) }
        let masterKeyHash = settings.masterKey.map(SecretHash.sha256Hex)
        let groups = services.catalog.router.groupOrder
        let page = LogsPage(
            rows: rows.map { UILogRow($0, masterKeyHash: masterKeyHash) },
            empty: rows.isEmpty,
            total: UIFormat.count(total),
            capped: capped,
            scanLimit: UIFormat.count(UILogFilter.scanLimit),
            start: filter.range == nil ? UIFormat.inputTime(filter.start) : "",
            end: UIFormat.inputTime(filter.end),
            keyAlias: filter.keyAlias ?? "",
            models: [LogsPage.Option(value: "", label: "All models", selected: filter.model == nil)]
                + (groups.contains(filter.model ?? "") || filter.model == nil ? groups : groups + [filter.model!]).map {
                    LogsPage.Option(value: $0, label: $0, selected: $0 == filter.model)
                },
            statuses: [("", "Any status"), ("success", "Success"), ("failure", "Failure")].map {
                LogsPage.Option(value: $0.0, label: $0.1, selected: $0.0 == (filter.status ?? ""))
            },
            ranges: UILogFilter.ranges.map { range in
                var items = filter.queryItems.filter { $0.0 != "start" && $0.0 != "range" }
                items.append(("range", range.0))
                return LogsPage.Link(
                    href: "/ui/logs?" + UIForm.encode(items),
                    label: range.1,
                    current: filter.range == range.0
                )
            },
            pager: UIPager(
                page: filter.page,
                total: total,
                size: UILogFilter.pageSize,
                labels: ("Newer", "Older"),
                link: link
            ),
            noStore: store == nil
        )
        return render("logs", title: "Logs", page: page, session: (id, session, "/ui/logs"))
    }

    func fetchLogs(_ filter: UILogFilter) async throws -> (rows: [SpendRow], total: Int, capped: Bool) {
        guard let store else { return ([], 0, false) }
        do {
            return try await filter.fetch(store)
        } catch {
            throw UIFailure(
                status: 503,
                message:
                    "The spend log database is unavailable (\(String(describing: type(of: error)))). Try again shortly."
            )
        }
    }

    func logDetailPage(_ requestID: String, id: String, session: UISession) async throws -> Response {
        let rows = try await services.spendLogs.rows(SpendLogQuery(requestID: requestID, limit: 1))
        guard let row = rows.first, session.scope.ownUser == nil || row.user == session.scope.ownUser else {
            throw UIFailure(status: 404, message: "No log with request id \(requestID).")
        }
        let detail = UILogDetail(row, masterKey: settings.masterKey)
        return render("log-detail", title: "Log \(row.requestID)", page: detail, session: (id, session, "/ui/logs"))
    }
}
