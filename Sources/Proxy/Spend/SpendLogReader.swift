import Foundation
import Wire

/// Reads the spend log for `/spend/logs*` and the admin UI: filters from query parameters, bounded pages, and the
/// errors LiteLLM gives without a database or when it is down.
public struct SpendLogReader: Sendable {
    /// nil when the proxy runs without a store.
    public let store: (any SpendStore)?
    /// The rows the spend writer still holds (newest first), so a request shows as soon as it ends, not at the flush.
    public let queued: (@Sendable (Int) -> [SpendRow])?

    public init(store: (any SpendStore)?, queued: (@Sendable (Int) -> [SpendRow])? = nil) {
        self.store = store
        self.queued = queued
    }

    /// `/spend/logs`: rows with bodies, newest first, filtered by api_key (a key or its hash), request_id, user_id
    /// (the key's owner), end_user (the body's `user`; ours, LiteLLM has no such filter) and dates; `limit` (default
    /// `defaultLimit`, at most `maximumLimit`) and `offset` page through them.
    public func logs(_ parameters: [String: String]) async throws(ProxyError) -> JSON {
        var query = Self.query(parameters, limit: Self.limit(parameters))
        query.offset = max(0, Int(parameters["offset"] ?? "") ?? 0)
        return .array(try await rows(query).map(\.json))
    }

    /// Rows `/spend/logs` answers without a `limit`. Each row carries its bodies (up to a few tens of KiB once
    /// truncated), so an unbounded answer is a memory spike for the proxy and for whoever polls it.
    static let defaultLimit = 100
    /// The most rows one `/spend/logs` answer holds, whatever `limit` asks: LiteLLM's largest page
    /// (`/spend/logs/v2`'s `page_size` ≤ 1000). More rows: `offset`.
    static let maximumLimit = 1000

    static func limit(_ parameters: [String: String]) -> Int {
        min(maximumLimit, max(1, Int(parameters["limit"] ?? "") ?? defaultLimit))
    }

    /// `/spend/logs/ui`: one page without bodies, `{data, total, page, page_size, total_pages}`.
    public func page(_ parameters: [String: String]) async throws(ProxyError) -> JSON {
        let page = Paging.page(parameters["page"])
        let size = min(500, max(1, Int(parameters["page_size"] ?? "") ?? 50))
        var query = Self.query(parameters, limit: size)
        query.offset = (page - 1) * size
        let waiting = pending(query)
        // Counted before the page is read: a queued row committed by the count is then in the page, so it is
        // counted once, by the table (a row leaves the queue only after its commit).
        var total: Int
        do {
            total = try await store?.countSpendLogs(query) ?? 0
        } catch {
            throw Self.unavailable(error)
        }
        let (rows, unwritten) = try await merged(query, pending: waiting)
        total += unwritten
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
    public func detail(_ requestID: String) async throws(ProxyError) -> JSON? {
        guard let row = try await rows(SpendLogQuery(requestID: requestID, limit: 1)).first else { return nil }
        return ["messages": row.messages, "response": row.response, "proxy_server_request": row.proxyServerRequest]
    }

    /// The most queued rows a read looks at.
    static let maximumQueued = 1000

    /// Queued rows the query matches, looked at before the table (see `SpendWriter.queuedRows`).
    func pending(_ query: SpendLogQuery) -> [SpendRow] {
        guard query.offset == 0, let queued else { return [] }
        return queued(Self.maximumQueued).filter(query.matches)
    }

    public func rows(_ query: SpendLogQuery) async throws(ProxyError) -> [SpendRow] {
        try await rows(query, pending: pending(query))
    }

    /// The stored rows, with the queued ones the query matches on its first page (newest first, each once).
    func rows(_ query: SpendLogQuery, pending: [SpendRow]) async throws(ProxyError) -> [SpendRow] {
        try await merged(query, pending: pending).rows
    }

    /// The merged page and how many of `pending` were not among the stored rows read.
    func merged(
        _ query: SpendLogQuery,
        pending: [SpendRow]
    ) async throws(ProxyError) -> (rows: [SpendRow], unwritten: Int) {
        guard let store else {
            throw ProxyError(OpenAIError(status: 400, message: "No connected db.", type: "no_db_connection"))
        }
        let stored: [SpendRow]
        do {
            stored = try await store.spendLogs(query)
        } catch {
            throw Self.unavailable(error)
        }
        guard !pending.isEmpty else { return (stored, 0) }
        let written = Set(stored.map(\.requestID))
        let unwritten = pending.filter { !written.contains($0.requestID) }
        let merged = unwritten + stored
        return (Array(merged.sorted { $0.startTime > $1.startTime }.prefix(query.limit)), unwritten.count)
    }

    static func unavailable(_ error: any Error) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 503,
                message: "Spend log database unavailable: \(String(describing: type(of: error)))",
                type: "db_unavailable"
            )
        )
    }

    static func query(_ parameters: [String: String], limit: Int) -> SpendLogQuery {
        var apiKey = parameters["api_key"]
        // A key is looked up by its hash, which is all the table holds.
        if let key = apiKey, key.hasPrefix("sk-") { apiKey = SecretHash.sha256Hex(key) }
        return SpendLogQuery(
            apiKey: apiKey,
            requestID: parameters["request_id"],
            user: parameters["user_id"],
            endUser: parameters["end_user"],
            start: parameters["start_date"].flatMap(TimestampText.parse),
            end: parameters["end_date"].flatMap {
                TimestampText.parse($0).map {
                    $0.addingTimeInterval(
                        $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 86400) == 0 ? 86399.999 : 0
                    )
                }
            },
            limit: limit
        )
    }
}
