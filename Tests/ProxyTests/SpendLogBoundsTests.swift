import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// R9 (docs/reliability.md): `/spend/logs` answers a bounded page, and a stored body is bounded even when it holds
/// long numeric arrays (an embedding's vector, a prompt of token ids), which string truncation alone let through.
@Suite struct SpendLogBoundsTests {
    /// A row the writer committed but has not yet dropped from its queue is in both places for a moment: the page
    /// lists it once and counts it once (CI once saw a total of 2 for one request).
    @Test func aRowInTheQueueAndTheTableCountsOnce() async throws {
        let store = SQLiteStore(path: try TestPaths.temporaryDirectory("page").appendingPathComponent("s.sqlite").path)
        try await store.prepare()
        let committed = SpendWriterTests.row(1)
        let queuedOnly = SpendWriterTests.row(2)
        try await store.insert([committed])
        let reader = SpendLogReader(store: store, queued: { _ in [queuedOnly, committed] })
        let page = try await reader.page(["page": "1", "page_size": "10"])
        #expect(page["total"]?.intValue == 2 && page["total_pages"]?.intValue == 1, "\(page.serialized())")
        #expect(page["data"]?.arrayValue?.compactMap { $0["request_id"]?.stringValue } == ["req-2", "req-1"])
        try await store.close()
    }

    @Test func embeddingVectorsAndTokenArraysAreCutInStoredBodies() async throws {
        try await withProxy { proxy in
            let tokens = (0 ..< 5000).map(String.init).joined(separator: ",")
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/embeddings",
                headers: proxy.auth,
                body: #"{"model":"text-embedding-3-small","user":"r9-vector","input":[\#(tokens)]}"#
            )
            #expect(response.status == 200)
            #expect(
                response.json?.value(at: "data.0.embedding")?.arrayValue?.count == 1536,
                "the client gets the whole vector"
            )
            let row = try #require(try await SpendLogTests.rows(proxy, "?end_user=r9-vector").first)
            let vector = try #require(row.value(at: "response.data.0.embedding")?.arrayValue)
            #expect(vector.count < 400, "stored vector has \(vector.count) numbers")
            #expect(vector.last?.stringValue == "…(truncated \(1536 - vector.count + 1) of 1536 numbers)")
            #expect(vector.dropLast().allSatisfy { $0.doubleValue != nil })
            #expect(vector.dropLast().map { $0.serialized() }.joined(separator: ",").utf8.count <= 2048)
            let input = try #require(row.value(at: "proxy_server_request.input")?.arrayValue)
            #expect(
                input.count < 1000 && input.first?.intValue == 0
                    && input.last?.stringValue?.hasPrefix("…(truncated ") == true
            )
            // Whole row: a few KiB, where it was ~30 KiB (the vector) + ~24 KiB (the token ids, twice).
            #expect(row.serialized().utf8.count < 12_000, "row is \(row.serialized().utf8.count) bytes")
        }
    }

    @Test func shortNumericArraysAndHugeNumbersInBodies() async throws {
        try await withProxy { proxy in
            let digits = String(repeating: "7", count: 5000)
            let body =
                #"{"model":"gpt-4o","user":"r9-short","messages":[{"role":"user","content":"n"}],"#
                + #""metadata":{"ids":[1,2.5,-3],"big":\#(digits)}}"#
            #expect(
                try await TestHTTP.request(.POST, "\(proxy.base)/chat/completions", headers: proxy.auth, body: body)
                    .status == 200
            )
            let row = try #require(try await SpendLogTests.rows(proxy, "?end_user=r9-short").first)
            #expect(
                row.value(at: "proxy_server_request.metadata.ids")?.serialized() == "[1,2.5,-3]",
                "short arrays are kept as they are"
            )
            let big = try #require(row.value(at: "proxy_server_request.metadata.big")?.stringValue)
            #expect(big.hasPrefix(String(repeating: "7", count: 2048) + "…(truncated 2952 digits)"))
        }
    }

    @Test func spendLogsAnswersAPageByDefaultAndAtMostTheMaximum() async throws {
        #expect(SpendLogReader.limit([:]) == 100)
        #expect(SpendLogReader.limit(["limit": "10000"]) == 1000)
        #expect(SpendLogReader.limit(["limit": "0"]) == 1 && SpendLogReader.limit(["limit": "x"]) == 100)
        try await withProxy { proxy in
            for index in 0 ..< 130 {
                _ = try await TestHTTP.request(
                    .POST,
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth,
                    body:
                        #"{"model":"gpt-4o","user":"r9-page","messages":[{"role":"user","content":"page \#(index)"}]}"#
                )
            }
            let all = try await SpendLogTests.rows(proxy, "?end_user=r9-page&limit=500", count: 130)
            #expect(all.count == 130)
            let first =
                try await TestHTTP.request(.GET, "\(proxy.base)/spend/logs?end_user=r9-page", headers: proxy.auth).json?
                .arrayValue ?? []
            #expect(first.count == 100, "the default page")
            let rest =
                try await TestHTTP.request(
                    .GET,
                    "\(proxy.base)/spend/logs?end_user=r9-page&offset=100",
                    headers: proxy.auth
                ).json?.arrayValue ?? []
            #expect(rest.count == 30)
            let ids = Set((first + rest).compactMap { $0["request_id"]?.stringValue })
            #expect(ids.count == 130, "offset pages through every row once")
        }
    }
}
