import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The audit log through the router in memory: every management change recorded with who made it and the row
/// before and after, LiteLLM's `/audit` filters and paging, never a secret.
@Suite struct AuditLogTests {
    typealias Call = KeyAccessTests

    static func logs(_ proxy: ProxyRouterClient, _ query: String = "") async throws -> [JSON] {
        let page = try await proxy.get("/audit?page_size=100" + query)
        #expect(page.status == 200, "\(page.text)")
        return page.json?["audit_logs"]?.arrayValue ?? []
    }

    @Test func managementChangesAreRecordedWithoutSecrets() async throws {
        try await withProxyRouter { proxy in
            _ = try await Call.post(proxy, "/team/new", #"{"team_id": "t1", "max_budget": 5}"#)
            _ = try await Call.post(proxy, "/team/update", #"{"team_id": "t1", "max_budget": 7}"#)
            _ = try await Call.post(proxy, "/team/block", #"{"team_id": "t1"}"#)
            let key = try await Call.newKey(proxy, #"{"key_alias": "ci"}"#)
            let token = SecretHash.sha256Hex(key)
            _ = try await Call.post(proxy, "/key/update", #"{"key": "\#(key)", "max_budget": 3}"#)
            _ = try await Call.post(proxy, "/key/delete", #"{"keys": ["\#(key)"]}"#)
            _ = try await Call.post(proxy, "/user/new", #"{"user_id": "ann"}"#)
            _ = try await Call.post(proxy, "/user/delete", #"{"user_ids": ["ann"]}"#)

            let all = try await Self.logs(proxy, "&sort_order=asc")
            let trail = all.map { "\($0["table_name"]?.stringValue ?? "") \($0["action"]?.stringValue ?? "")" }
            #expect(
                trail == [
                    "LiteLLM_TeamTable created", "LiteLLM_TeamTable updated", "LiteLLM_TeamTable blocked",
                    "LiteLLM_VerificationToken created", "LiteLLM_VerificationToken updated",
                    "LiteLLM_VerificationToken deleted", "LiteLLM_UserTable created",
                    // LiteLLM's /user/new makes the user a key, and /user/delete deletes it with the user.
                    "LiteLLM_VerificationToken created", "LiteLLM_VerificationToken deleted",
                    "LiteLLM_UserTable deleted",
                ]
            )
            let master = SecretHash.sha256Hex(TestConfigs.masterKey)
            #expect(all.allSatisfy { $0["changed_by"] == "default_user_id" })
            #expect(all.allSatisfy { $0["changed_by_api_key"] == .string(master) })
            let update = try #require(all.first { $0["action"] == "updated" && $0["object_id"] == "t1" })
            #expect(update["object_id"] == "t1")
            #expect(update.value(at: "before_value.max_budget")?.doubleValue == 5)
            #expect(update.value(at: "updated_values.max_budget")?.doubleValue == 7)
            let keyRows = all.filter { $0["object_id"] == .string(token) }
            #expect(keyRows.count == 3)
            #expect(keyRows.last?.value(at: "before_value.max_budget")?.doubleValue == 3)
            let text = JSON.array(all).serialized()
            #expect(!text.contains(key) && !text.contains(TestConfigs.masterKey), "no secret in the audit log")

            // LiteLLM's filters, paging and single reads.
            let teamUpdates = try await Self.logs(proxy, "&table_name=LiteLLM_TeamTable&action=updated")
            #expect(teamUpdates.count == 1)
            let newestFirst = try await proxy.get("/audit?page=2&page_size=3")
            #expect(newestFirst.json?["total"]?.intValue == 10 && newestFirst.json?["total_pages"]?.intValue == 4)
            #expect(newestFirst.json?.value(at: "audit_logs.0.id") == all[6]["id"])
            let one = try await proxy.get("/audit/\(all[0]["id"]?.stringValue ?? "")")
            #expect(one.json?["action"] == "created" && one.json?["object_id"] == "t1", "\(one.text)")
            #expect(try await proxy.get("/audit/missing").status == 404)
            #expect(try await proxy.get("/audit?page=0").status == 400)
            // Dates and ISO times (the shape /audit answers) bound `updated_at`.
            let first = all[0]["updated_at"]?.stringValue ?? ""
            #expect(try await Self.logs(proxy, "&start_date=\(first)").count == 10)
            #expect(try await Self.logs(proxy, "&end_date=\(first)").count == 1)
            #expect(try await Self.logs(proxy, "&end_date=2000-01-01").isEmpty)
            #expect(try await proxy.get("/audit?start_date=yesterday").status == 400)
            #expect(try await proxy.get("/audit?sort_by=secret").status == 400)

            // Not for keys without an admin role.
            let plain = try await Call.newKey(proxy, "{}")
            #expect(try await proxy.get("/audit", key: plain).status == 401)
        }
    }

    @Test func storeAuditLogsFalseRecordsNothing() async throws {
        let config =
            TestConfigs.standard(mockBase: "http://127.0.0.1:1") + "\nlitellm_settings: {store_audit_logs: false}\n"
        try await withProxyRouter(config: config) { proxy in
            _ = try await Call.post(proxy, "/team/new", #"{"team_id": "t1"}"#)
            #expect(try await Self.logs(proxy).isEmpty)
        }
    }

    /// The store's side of `/audit`: several equalities, a date range, newest first from an offset, and the count.
    /// Shared by both backends (PostgreSQL in PostgresStoreTests).
    static func storePagesNewestFirst(_ store: some RecordStore) async throws {
        let table = AccountSchema.auditLog
        for index in 0 ..< 5 {
            let row: JSONObject = [
                "id": .string("a\(index)"), "updated_at": .string("2026-12-0\(index + 1)T10:00:00.000Z"),
                "changed_by": "store-test", "changed_by_api_key": "", "action": index % 2 == 0 ? "created" : "updated",
                "table_name": "LiteLLM_TeamTable", "object_id": "t", "before_value": nil, "updated_values": [:],
            ]
            try await store.upsert(table, table.texts(row))
        }
        let created = RowFilter(
            all: [("action", "created"), ("changed_by", "store-test")],
            range: ("updated_at", "2026-12-02", nil),
            sort: ("updated_at", true)
        )
        #expect(try await store.rows(table, created, limit: 10).compactMap { $0["id"] } == ["a4", "a2"])
        #expect(try await store.count(table, created) == 2)
        let page = RowFilter(all: [("changed_by", "store-test")], sort: ("updated_at", true), offset: 1)
        #expect(try await store.rows(table, page, limit: 2).compactMap { $0["id"] } == ["a3", "a2"])
        let oldest = RowFilter(all: [("changed_by", "store-test")], sort: ("updated_at", false))
        #expect(try await store.rows(table, oldest, limit: 1).compactMap { $0["id"] } == ["a0"])
        #expect(try await store.count(table, RowFilter(all: [("no_such_column", "x")])) == 0)
    }

    @Test func storePagesNewestFirstOnSQLite() async throws {
        let store = SQLiteStore(path: try TestPaths.temporaryDirectory("audit").appendingPathComponent("s.sqlite").path)
        try await store.prepare()
        try await Self.storePagesNewestFirst(store)
        try await store.close()
    }
}
