import Wire

/// Reading the audit log (`GET /audit`, `/audit/{id}`): LiteLLM's filters, sort and paging.
extension AccountService {
    /// The columns `GET /audit` filters on by equality.
    static let auditFilters = ["changed_by", "changed_by_api_key", "action", "table_name", "object_id"]

    /// A page of audit rows, newest first unless `sort_order=asc` (or by `sort_by`), in LiteLLM's
    /// `PaginatedAuditLogResponse`.
    public func auditLogs(_ query: [String: String]) async throws(ProxyError) -> JSONObject {
        let page = try AccountService.whole(query["page"], "page", default: 1, in: 1 ... Paging.lastPage)
        let size = try AccountService.whole(query["page_size"], "page_size", default: 10, in: 1 ... 100)
        let column = query["sort_by"].flatMap { $0.isEmpty ? nil : $0 } ?? "updated_at"
        guard AccountSchema.auditLog.names.contains(column) else {
            throw AccountService.badRequest("sort_by must be a column of the audit log", param: "sort_by")
        }
        let filter = RowFilter(
            all: AccountService.auditFilters.compactMap { name in
                query[name].flatMap { $0.isEmpty ? nil : (name, $0) }
            },
            range: (
                "updated_at", try AccountService.time(query["start_date"], "start_date"),
                try AccountService.time(query["end_date"], "end_date")
            ),
            sort: (column, query["sort_order"]?.lowercased() != "asc"),
            offset: (page - 1) * size
        )
        let table = AccountSchema.auditLog
        let rows = try await storeCall { try await self.store.rows(table, filter, limit: size) }
        let total = try await storeCall { try await self.store.count(table, filter) }
        return [
            "audit_logs": .array(rows.map { .object(table.json($0)) }), "total": .int(total), "page": .int(page),
            "page_size": .int(size), "total_pages": .int((total + size - 1) / size),
        ]
    }

    public func auditLog(_ id: String) async throws(ProxyError) -> JSONObject {
        let table = AccountSchema.auditLog
        guard let row = try await storeCall({ try await self.store.row(table, key: id) }) else {
            throw AccountService.notFound("Audit log with ID \(id) not found", param: "id")
        }
        return table.json(row)
    }

    /// A date or time from a query, as the table stores times (`YYYY-MM-DD HH:MM:SS.mmm`, so text order is time
    /// order); 400 naming it when it is not one.
    static func time(_ text: String?, _ name: String) throws(ProxyError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = TimestampText.parse(text) else {
            throw badRequest("\(name) must be a date (YYYY-MM-DD) or an ISO 8601 time", param: name)
        }
        return TimestampText.format(date)
    }

    /// A whole number from a query, within bounds (400 naming it otherwise).
    static func whole(_ text: String?, _ name: String, default value: Int, in bounds: ClosedRange<Int>)
        throws(ProxyError) -> Int
    {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), bounds.contains(number) else {
            throw badRequest(
                "\(name) must be a whole number from \(bounds.lowerBound) to \(bounds.upperBound)",
                param: name
            )
        }
        return number
    }
}
