import Foundation
import Hummingbird
import Wire

/// The Audit page: management changes newest first (who, what, which row, and the fields that changed), filtered by
/// table and action, from `LiteLLM_AuditLog`.
extension AdminUI {
    struct AuditPage {
        struct Entry {
            var time: String
            var changedBy: String
            var apiKey: String?
            var action: String
            var table: String
            var object: String
            var changes: String
        }

        struct Option {
            var value: String
            var selected: Bool
        }

        var entries: [Entry]
        var empty: Bool
        var total: String
        var tables: [Option]
        var actions: [Option]
        var pager: UIPager
        var noStore: Bool
    }

    static let auditPageSize = 50
    static let auditTables = [
        "LiteLLM_VerificationToken", "LiteLLM_TeamTable", "LiteLLM_UserTable", "LiteLLM_EndUserTable",
        "LiteLLM_BudgetTable", "LiteLLM_ModelTable",
    ]
    static let auditActions = ["created", "updated", "deleted", "blocked", "unblocked", "rotated"]

    func auditPage(_ request: Request, id: String, session: UISession) async throws -> Response {
        let query = UIForm.query(request)
        let page = Paging.page(query["page"])
        let table = query["table_name"].flatMap { AdminUI.auditTables.contains($0) ? $0 : nil }
        let action = query["action"].flatMap { AdminUI.auditActions.contains($0) ? $0 : nil }
        var answer = JSONObject()
        if let accounts = services.keys?.accounts {
            var filters = ["page": String(page), "page_size": String(AdminUI.auditPageSize)]
            filters["table_name"] = table
            filters["action"] = action
            do {
                answer = try await accounts.auditLogs(filters)
            } catch {
                throw UIFailure(status: 503, message: "The audit log is unavailable. Try again shortly.")
            }
        }
        let total = answer["total"]?.intValue ?? 0
        let masterKey = settings.masterKey
        let entries = (answer["audit_logs"]?.arrayValue ?? []).map { AdminUI.auditEntry($0, masterKey: masterKey) }
        let link = { (page: Int) in
            "/ui/audit?page=\(page)" + (table.map { "&table_name=\($0)" } ?? "")
                + (action.map { "&action=\($0)" } ?? "")
        }
        let view = AuditPage(
            entries: entries,
            empty: entries.isEmpty,
            total: UIFormat.count(total),
            tables: AdminUI.auditTables.map { AuditPage.Option(value: $0, selected: $0 == table) },
            actions: AdminUI.auditActions.map { AuditPage.Option(value: $0, selected: $0 == action) },
            pager: UIPager(page: page, total: total, size: AdminUI.auditPageSize, link: link),
            noStore: services.keys?.accounts == nil
        )
        return render("audit", title: "Audit log", page: view, session: (id, session, "/ui/audit"))
    }

    /// One row: the fields that differ between before and after (all of them for a new row, none for a deletion).
    static func auditEntry(_ row: JSON, masterKey: String?) -> AuditPage.Entry {
        let before = row["before_value"]?.objectValue ?? JSONObject()
        let after = row["updated_values"]?.objectValue ?? JSONObject()
        let changed = after.keys.filter { $0 != "updated_at" && before[$0] != after[$0] }.map { name in
            let text = UIFormat.redact(after[name] ?? .null, masterKey: masterKey).serialized()
            return "\(name): " + (text.count > 80 ? text.prefix(80) + "…" : text)
        }
        let key = row["changed_by_api_key"]?.stringValue ?? ""
        return AuditPage.Entry(
            time: String((row["updated_at"]?.stringValue ?? "").prefix(19)).replacingOccurrences(of: "T", with: " "),
            changedBy: row["changed_by"]?.stringValue ?? "",
            apiKey: key.isEmpty ? nil : String(key.prefix(12)) + "…",
            action: row["action"]?.stringValue ?? "",
            table: row["table_name"]?.stringValue ?? "",
            object: row["object_id"]?.stringValue ?? "",
            changes: changed.joined(separator: "; ")
        )
    }
}
