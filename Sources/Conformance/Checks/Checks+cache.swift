import Foundation
import Wire

extension ConformanceCatalog {
    /// LiteLLM's response cache (`litellm_settings.cache`), for a proxy that has one (`GET /cache/ping` answers 200;
    /// skipped otherwise). Entries are written after an answer has gone: a repeat waits `settle` first.
    static var cache: [ConformanceCheck] {
        [
            ConformanceCheck(
                "cache.repeat-served",
                .cache,
                """
                A repeated request is answered from the cache: the same body, x-litellm-cache-key, cost 0.0, and one \
                upstream call
                """,
                litellm: .deviation(
                    "a hit loses each choice's content_filter_results (its provider_specific_fields is {})"
                ),
                requires: .mock,
                run: repeatServed
            ),
            ConformanceCheck(
                "cache.stream-replayed",
                .cache,
                "A repeated stream is replayed from the cache: the same text, usage, [DONE], one upstream call",
                requires: .mock,
                run: streamReplayed
            ),
            ConformanceCheck(
                "cache.no-cache-goes-upstream",
                .cache,
                "cache: {no-cache: true} is not answered from the cache: the upstream is called again",
                requires: .mock,
                run: noCacheGoesUpstream
            ),
        ]
    }

    static func repeatServed(_ c: CheckContext) async throws -> JSON {
        try await requireCache(c)
        let marker = c.marker()
        let body = c.chat(c.target.chatModel, marker)
        let first = try await c.post("/chat/completions", body)
        try c.expect(first.status == 200, "status \(first.status)", observed: .int(first.status))
        let hit = try await repeated(c, body)
        let key = hit.header("x-litellm-cache-key")
        try c.expect(key?.isEmpty == false, "no x-litellm-cache-key on the repeat")
        try c.expect(
            hit.json?["id"] == first.json?["id"] && hit.json?["choices"] == first.json?["choices"],
            "the cached answer differs from the first",
            observed: hit.json?["id"] ?? nil
        )
        let cost = hit.header("x-litellm-response-cost")
        try c.expect(cost.flatMap { Double($0) } == 0, "x-litellm-response-cost \(cost ?? "missing") on a hit")
        let calls = try await c.journalEntries(containing: marker).count
        try c.expect(calls == 1, "\(calls) upstream calls for the prompt", observed: .int(calls))
        return ["cache_key": .string(key ?? "")]
    }

    static func streamReplayed(_ c: CheckContext) async throws -> JSON {
        try await requireCache(c)
        let marker = c.marker()
        let body = c.chat(c.target.chatModel, marker, stream: true, includeUsage: true)
        let first = try await c.stream("/chat/completions", body)
        try await Task.sleep(for: settle)
        let replay = try await c.stream("/chat/completions", body)
        try c.expect(replay.headers.first(name: "x-litellm-cache-key") != nil, "the repeat was not a hit")
        let text: ([JSON]) -> String = { frames in
            frames.compactMap { $0.value(at: "choices.0.delta.content")?.stringValue }.joined()
        }
        try c.expect(
            !text(first.json).isEmpty && text(replay.json) == text(first.json),
            "replayed text differs",
            observed: .string(String(text(replay.json).prefix(120)))
        )
        try c.expect(replay.events.last?.event.isDone == true, "the replay does not end with [DONE]")
        let usage = replay.json.last?["usage"]?["total_tokens"]
        try c.expect(usage != nil && usage == first.json.last?["usage"]?["total_tokens"], "usage differs")
        let calls = try await c.journalEntries(containing: marker).count
        try c.expect(calls == 1, "\(calls) upstream calls for the prompt", observed: .int(calls))
        return ["chunks": .int(replay.json.count)]
    }

    static func noCacheGoesUpstream(_ c: CheckContext) async throws -> JSON {
        try await requireCache(c)
        let marker = c.marker()
        let body = c.chat(c.target.chatModel, marker)
        _ = try await c.post("/chat/completions", body)
        _ = try await repeated(c, body)
        let fresh = try await c.post(
            "/chat/completions",
            c.chat(c.target.chatModel, marker, extra: ["cache": .object(["no-cache": .bool(true)])])
        )
        try c.expect(fresh.status == 200, "status \(fresh.status)", observed: .int(fresh.status))
        try c.expect(fresh.header("x-litellm-cache-key") == nil, "no-cache was answered from the cache")
        let calls = try await c.journalEntries(containing: marker).count
        try c.expect(calls == 2, "\(calls) upstream calls for the prompt", observed: .int(calls))
        return ["upstream_calls": .int(calls)]
    }

    /// Skips the check unless the proxy has a response cache.
    static func requireCache(_ c: CheckContext) async throws {
        let ping = try await c.get("/cache/ping")
        guard ping.status == 200 else {
            throw CheckSkipped("the proxy has no response cache (/cache/ping: \(ping.status))")
        }
    }

    /// How long a proxy may take to store an answer it has sent.
    static let settle = Duration.milliseconds(300)

    /// The request again, once the first answer has had time to be stored.
    static func repeated(_ c: CheckContext, _ body: JSON) async throws -> ObservedResponse {
        try await Task.sleep(for: settle)
        return try await c.post("/chat/completions", body)
    }
}
