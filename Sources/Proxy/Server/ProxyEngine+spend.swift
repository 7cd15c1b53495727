import Foundation
import Wire

extension ProxyEngine {
    /// `/health/readiness`: the database state and the spend writer's counters (dropped must stay 0).
    public func readiness() async -> (status: Int, body: JSON) {
        guard let writer = spend?.writer else {
            return (200, ["status": "healthy", "db": "Not connected", "litellm_version": .string(ProxyEngine.version)])
        }
        let counters = writer.counters
        let connected: Bool
        do {
            // Bounded: a database that stops answering must not hang the readiness probe (Kubernetes would take every
            // replica out of the Service although requests are still served).
            let store = writer.store
            try await SpendWriter.withTimeout(.seconds(1)) { try await store.ping() }
            connected = counters.connected
        } catch {
            connected = false
        }
        let requireDB = config.settings.keys.allowRequestsOnDBUnavailable == false
        let body: JSON = [
            "status": .string(connected || !requireDB ? "healthy" : "unhealthy"),
            "db": .string(connected ? "connected" : "disconnected"),
            "db_kind": .string(writer.store.kind),
            "litellm_version": .string(ProxyEngine.version),
            "spend_writer": [
                "queued": .int(counters.queued), "written": .int(counters.written), "spilled": .int(counters.spilled),
                "replayed": .int(counters.replayed), "dropped": .int(counters.dropped),
            ],
        ]
        return (connected || !requireDB ? 200 : 503, body)
    }

    /// `/spend/logs`: rows with bodies, newest first, filtered by api_key (a key or its hash), request_id, user_id (the
    /// key's owner), end_user (the body's `user`; ours, LiteLLM has no such filter) and dates; `limit` (default `spendLogsDefaultLimit`, at most `spendLogsMaximumLimit`) and `offset` page through them.
    public func spendLogs(_ parameters: [String: String]) async throws(ProxyError) -> JSON {
        var query = query(parameters, limit: Self.spendLogsLimit(parameters))
        query.offset = max(0, Int(parameters["offset"] ?? "") ?? 0)
        let rows = try await spendRows(query)
        return .array(rows.map(\.json))
    }

    /// Rows `/spend/logs` answers without a `limit`. Each row carries its bodies (up to a few tens of KiB once
    /// truncated), so an unbounded answer is a memory spike for the proxy and for whoever polls it.
    static let spendLogsDefaultLimit = 100
    /// The most rows one `/spend/logs` answer holds, whatever `limit` asks: LiteLLM's largest page
    /// (`/spend/logs/v2`'s `page_size` ≤ 1000). More rows: `offset`.
    static let spendLogsMaximumLimit = 1000

    /// The highest page number a listing reads (a larger one is that page, empty): `(page - 1) * size` stays far
    /// from overflowing (`page=9223372036854775807` trapped).
    public static let lastPage = 1_000_000_000

    /// A listing's page number from a query value: 1 when absent or not a number, at most `lastPage`.
    public static func page(_ text: String?) -> Int {
        min(lastPage, max(1, Int(text ?? "") ?? 1))
    }

    static func spendLogsLimit(_ parameters: [String: String]) -> Int {
        min(spendLogsMaximumLimit, max(1, Int(parameters["limit"] ?? "") ?? spendLogsDefaultLimit))
    }

    /// `/spend/logs/ui`: one page without bodies, `{data, total, page, page_size, total_pages}`.
    public func spendLogsPage(_ parameters: [String: String]) async throws(ProxyError) -> JSON {
        let page = ProxyEngine.page(parameters["page"])
        let size = min(500, max(1, Int(parameters["page_size"] ?? "") ?? 50))
        var query = query(parameters, limit: size)
        query.offset = (page - 1) * size
        let rows = try await spendRows(query)
        let total: Int
        do {
            total = try await spend?.writer.store.countSpendLogs(query) ?? 0
        } catch {
            throw ProxyEngine.storeUnavailable(error)
        }
        let data: [JSON] = rows.map { row in
            var json = row.json
            json["messages"] = nil
            json["response"] = nil
            json["proxy_server_request"] = nil
            return json
        }
        return [
            "data": .array(data), "total": .int(total), "page": .int(page), "page_size": .int(size),
            "total_pages": .int((total + size - 1) / size),
        ]
    }

    /// `/spend/logs/ui/{request_id}`: one row's bodies.
    public func spendLogDetail(_ requestID: String) async throws(ProxyError) -> JSON? {
        guard let row = try await spendRows(SpendLogQuery(requestID: requestID, limit: 1)).first else { return nil }
        return ["messages": row.messages, "response": row.response, "proxy_server_request": row.proxyServerRequest]
    }

    func spendRows(_ query: SpendLogQuery) async throws(ProxyError) -> [SpendRow] {
        guard let store = spend?.writer.store else {
            throw ProxyError(OpenAIError(status: 400, message: "No connected db.", type: "no_db_connection"))
        }
        do {
            return try await store.spendLogs(query)
        } catch {
            throw ProxyEngine.storeUnavailable(error)
        }
    }

    static func storeUnavailable(_ error: any Error) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 503,
                message: "Spend log database unavailable: \(String(describing: type(of: error)))",
                type: "db_unavailable"
            )
        )
    }

    func query(_ parameters: [String: String], limit: Int) -> SpendLogQuery {
        var apiKey = parameters["api_key"]
        // A key is looked up by its hash, which is all the table holds.
        if let key = apiKey, key.hasPrefix("sk-") { apiKey = SecretHash.sha256Hex(key) }
        return SpendLogQuery(
            apiKey: apiKey,
            requestID: parameters["request_id"],
            user: parameters["user_id"],
            endUser: parameters["end_user"],
            start: parameters["start_date"].flatMap(SpendRow.parse),
            end: parameters["end_date"].flatMap {
                SpendRow.parse($0).map {
                    $0.addingTimeInterval(
                        $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 86400) == 0 ? 86399.999 : 0
                    )
                }
            },
            limit: limit
        )
    }
}
