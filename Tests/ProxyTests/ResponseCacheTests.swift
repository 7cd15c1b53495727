import AsyncHTTPClient
import Foundation
import Logging
import MockAzure
import NIOCore
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The response cache through the gateway against a real MockAzure: what is served from the cache (the mock's journal
/// says what went upstream), its headers, the stream replay, the spend rows and metrics of hits and misses.
@Suite struct ResponseCacheTests {
    struct Harness {
        let gateway: Gateway
        let mock: MockAzureEngine
        let writer: SpendWriter
        let metrics: ProxyMetrics

        func chat(
            _ prompt: String,
            stream: Bool = false,
            extra: String = "",
            headers: [(String, String)] = [("authorization", "Bearer sk-master")]
        ) async -> ProxyOutcome {
            let streamed = stream ? #","stream":true,"stream_options":{"include_usage":true}"# : ""
            return await gateway.handle(
                RouterIntegrationTests.chatCall("o4-mini", prompt, extra: streamed + extra, headers: headers)
            )
        }

        var upstreamCalls: Int { mock.journal.entries.count }
        var rows: [SpendRow] { writer.queuedRows(limit: 100) }
        var metricsText: String { String(decoding: metrics.render(writer: nil), as: UTF8.self) }
    }

    /// A gateway with a cache in front of MockAzure: `o4-mini` (deployment `dep-1`), `backup` (gpt-4o), and
    /// `o4-mini-responses` for the Responses API.
    static func withCache<T: Sendable>(
        _ params: String = "{type: local}",
        router: String = "{}",
        _ body: @Sendable (Harness) async throws -> T
    ) async throws -> T {
        try await MockGateway.with(
            label: "cache",
            config: { base in
                """
                model_list:
                  - {model_name: o4-mini, litellm_params: {model: azure/o4-mini, api_base: \(base), \
                api_version: '2025-01-01-preview', api_key: \(TestConfigs.azureKey)}, model_info: {id: dep-1}}
                  - {model_name: backup, litellm_params: {model: azure/gpt-4o, api_base: \(base), \
                api_version: '2025-01-01-preview', api_key: \(TestConfigs.azureKey)}}
                  - {model_name: o4-mini-responses, litellm_params: {model: azure/o4-mini, api_base: \(base), \
                api_key: \(TestConfigs.azureKey)}}
                router_settings: \(router)
                litellm_settings: {cache: true, cache_params: \(params)}
                general_settings: {master_key: sk-master}
                """
            }
        ) { built in
            try await body(
                Harness(gateway: built.gateway, mock: built.mock, writer: built.writer, metrics: built.metrics)
            )
        }
    }

    static func body(_ outcome: ProxyOutcome) -> [UInt8] {
        if case .complete(_, _, let body) = outcome { return Array(body.readableBytesView) }
        return []
    }

    static func header(_ outcome: ProxyOutcome, _ name: String) -> String? {
        RouterIntegrationTests.header(outcome, name)
    }

    /// Writes are in the background: the next request may come before the entry is there.
    static func eventually(_ check: () async -> Bool) async -> Bool {
        for _ in 0 ..< 200 {
            if await check() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    @Test func aRepeatedRequestIsServedFromTheCache() async throws {
        try await Self.withCache { harness in
            let first = await harness.chat("cache me")
            #expect(RouterIntegrationTests.status(first) == 200)
            #expect(Self.header(first, "x-litellm-cache-key") == nil)
            let entries = harness.gateway.cache?.store as? LocalCacheStore
            #expect(await Self.eventually { entries?.usage.entries == 1 })
            let second = await harness.chat("cache me")
            #expect(harness.upstreamCalls == 1)
            #expect(Self.body(second) == Self.body(first))
            let key = try #require(Self.header(second, "x-litellm-cache-key"))
            #expect(key.count == 64)
            #expect(Self.header(second, "x-litellm-response-cost") == "0.0")
            #expect(Self.header(second, "x-litellm-model-id") == "dep-1")
            // Another prompt, and the same prompt with no-cache, go upstream.
            _ = await harness.chat("something else")
            #expect(harness.upstreamCalls == 2)
            let refreshed = await harness.chat("cache me", extra: #","cache":{"no-cache":true}"#)
            #expect(Self.header(refreshed, "x-litellm-cache-key") == nil)
            #expect(harness.upstreamCalls == 3)

            let rows = harness.rows
            #expect(rows.count == 4)
            let hit = try #require(rows.first { $0.cacheHit == "True" })
            let original = try #require(rows.first { $0.cacheHit == "False" && $0.cacheKey == key })
            #expect(hit.requestID.hasPrefix(original.requestID + "_cache_hit"))
            #expect(hit.spend == 0 && original.spend > 0)
            #expect(hit.cacheKey == key && hit.totalTokens == original.totalTokens)
            #expect(rows.filter { $0.cacheHit == "True" }.count == 1)
            let metrics = harness.metricsText
            #expect(metrics.contains("litellm_cache_hits_metric_total{"))
            #expect(metrics.contains("litellm_cache_misses_metric_total{"))
            #expect(metrics.contains(#"model_id="dep-1""#))
        }
    }

    /// A stream request is cached as the assembled answer and replayed as chunks; it does not share the plain entry.
    @Test func streamsAreStoredAssembledAndReplayed() async throws {
        try await Self.withCache { harness in
            guard case .stream(_, let relay) = await harness.chat("stream me", stream: true) else {
                Issue.record("expected a stream")
                return
            }
            let original = await relay.run { _ in }
            let entries = harness.gateway.cache?.store as? LocalCacheStore
            #expect(await Self.eventually { entries?.usage.entries == 1 })
            let replay = await harness.chat("stream me", stream: true)
            #expect(harness.upstreamCalls == 1)
            #expect(Self.header(replay, "content-type") == "text/event-stream")
            #expect(Self.header(replay, "x-litellm-cache-key") != nil)
            var parser = SSEParser(maximumEventSize: 1 << 20)
            let events = try parser.feed(Self.body(replay))
            let chunks = events.compactMap(\.json)
            let text = chunks.compactMap { $0.value(at: "choices.0.delta.content")?.stringValue }.joined()
            #expect(!text.isEmpty && text == original.content)
            #expect(chunks.last?["usage"]?["total_tokens"] == original.usage?["total_tokens"])
            #expect(events.last?.isDone == true)
            // The plain request has its own key.
            _ = await harness.chat("stream me")
            #expect(harness.upstreamCalls == 2)
        }
    }

    /// Entries belong to the key that stored them unless the config shares them.
    @Test func entriesAreNotSharedAcrossKeysByDefault() async throws {
        for (params, shared) in [("{type: local}", false), ("{type: local, scope: global}", true)] {
            try await Self.withCache(params) { harness in
                _ = await harness.chat("scoped")
                let entries = harness.gateway.cache?.store as? LocalCacheStore
                #expect(await Self.eventually { entries?.usage.entries == 1 })
                let anonymous = await harness.chat("scoped", headers: [])
                #expect(RouterIntegrationTests.status(anonymous) == 401)
                // The same request under a second key identity: the master key's hash differs from a virtual key's;
                // here a team-less caller with another key hash is made by the no-store/lookup of another scope.
                let plan = try #require(
                    harness.gateway.cachePlan(
                        try Self.request(harness, prompt: "scoped", keyHash: "another-key"),
                        group: "o4-mini"
                    )
                )
                let found = await harness.gateway.cache?.lookup(plan)
                #expect((found != nil) == shared, "\(params)")
            }
        }
    }

    static func request(_ harness: Harness, prompt: String, keyHash: String) throws -> GatewayRequest {
        let body = #"{"model":"o4-mini","messages":[{"role":"user","content":\#(JSON.string(prompt).serialized())}]}"#
        return try GatewayRequest(
            ProxyCall(
                operation: .chatCompletions,
                route: "/chat/completions",
                headers: [],
                body: ByteBuffer(string: body)
            ),
            caller: Caller(kind: .virtualKey(token: keyHash, alias: nil, models: []), keyHash: keyHash),
            callID: "c",
            baseHeaders: [],
            settings: harness.gateway.config.settings,
            logger: Logger(label: "t")
        )
    }

    /// An answer from a fallback group is not stored under the request's own group: the repeat goes upstream.
    @Test func fallbackAnswersAreNotStored() async throws {
        try await Self.withCache(router: "{num_retries: 0, fallbacks: [{o4-mini: [backup]}]}") { harness in
            let prompt = "fallback\n#mock-fault@o4-mini: 500"
            let first = await harness.chat(prompt)
            #expect(RouterIntegrationTests.status(first) == 200)
            #expect(Self.header(first, "x-litellm-model-group") == "backup")
            try await Task.sleep(for: .milliseconds(50))
            let entries = harness.gateway.cache?.store as? LocalCacheStore
            #expect(entries?.usage.entries == 0)
            let again = await harness.chat(prompt)
            #expect(Self.header(again, "x-litellm-cache-key") == nil)
        }
    }

    /// A Responses API hit books the stored answer's tokens (its input/output tokens as prompt/completion).
    @Test func responsesHitsBookTheirTokens() async throws {
        try await Self.withCache { harness in
            let call = {
                ProxyCall(
                    operation: .responses,
                    route: "/responses",
                    headers: [("authorization", "Bearer sk-master")],
                    body: ByteBuffer(string: #"{"model":"o4-mini-responses","input":"cache a response"}"#)
                )
            }
            let first = await harness.gateway.handle(call())
            #expect(RouterIntegrationTests.status(first) == 200, "\(String(decoding: Self.body(first), as: UTF8.self))")
            let hit = await harness.gateway.handle(call())
            #expect(Self.header(hit, "x-litellm-cache-key") != nil)
            let row = try #require(harness.rows.first { $0.cacheHit == "True" })
            #expect(row.promptTokens > 0 && row.completionTokens > 0 && row.spend == 0)
        }
    }

    /// `no-store` answers without storing; `s-maxage` refuses an entry older than it.
    @Test func noStoreAndMaximumAge() async throws {
        try await Self.withCache { harness in
            _ = await harness.chat("not kept", extra: #","cache":{"no-store":true}"#)
            try await Task.sleep(for: .milliseconds(50))
            let entries = harness.gateway.cache?.store as? LocalCacheStore
            #expect(entries?.usage.entries == 0)
            _ = await harness.chat("kept")
            #expect(await Self.eventually { entries?.usage.entries == 1 })
            try await Task.sleep(for: .milliseconds(1100))
            let stale = await harness.chat("kept", extra: #","cache":{"s-maxage":1}"#)
            #expect(Self.header(stale, "x-litellm-cache-key") == nil)
            let fresh = await harness.chat("kept", extra: #","cache":{"s-maxage":60}"#)
            #expect(Self.header(fresh, "x-litellm-cache-key") != nil)
        }
    }
}

/// LiteLLM's `/cache/*` routes: for admins only; 503 without a cache; delete and flush empty the store.
@Suite struct CacheRouteTests {
    @Test func pingDeleteAndFlush() async throws {
        try await withProxyRouter { proxy in
            let off = try await proxy.get("/cache/ping")
            #expect(off.status == 503 && off.text.contains("Cache not initialized"), "\(off.text)")
        }
        let config =
            TestConfigs.standard(mockBase: "http://127.0.0.1:1")
            + "\nlitellm_settings: {cache: true, cache_params: {type: local, namespace: ci}}\n"
        try await withProxyRouter(config: config) { proxy in
            #expect(try await proxy.request(.get, "/cache/ping").status == 401)
            let generated = try await proxy.post("/key/generate", "{}")
            let virtual = try #require(generated.json?["key"]?.stringValue)
            #expect(try await proxy.get("/cache/ping", key: virtual).status == 401)
            let ping = try await proxy.get("/cache/ping")
            #expect(ping.status == 200 && ping.json?["status"] == "healthy" && ping.json?["cache_type"] == "local")
            #expect(ping.json?["litellm_cache_params"]?.stringValue?.contains(#""namespace":"ci""#) == true)
            let cache = try #require(proxy.gateway.cache)
            let answer = CachedAnswer(body: Array("{}".utf8), storedAt: Date(), modelID: "m")
            for key in ["one", "two", "three"] {
                try await cache.store.store(scope: "s", key: key, answer, expires: Date().addingTimeInterval(60))
            }
            let deleted = try await proxy.post("/cache/delete", #"{"keys":["one","missing"]}"#)
            #expect(deleted.status == 200 && deleted.json?["status"] == "success")
            #expect(try await cache.store.entry(scope: "s", key: "one", now: Date()) == nil)
            #expect(try await cache.store.entry(scope: "s", key: "two", now: Date()) != nil)
            #expect(try await proxy.post("/cache/delete", #"{"keys":[]}"#).status == 400)
            #expect(try await proxy.post("/cache/flushall", "{}").json?["status"] == "success")
            #expect(try await cache.store.entry(scope: "s", key: "two", now: Date()) == nil)
        }
    }
}
