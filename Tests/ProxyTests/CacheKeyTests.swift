import Foundation
import NIOCore
import Testing
import Wire

@testable import Proxy

/// The response cache's pure parts: LiteLLM's key, a request's controls, the stream replay, the in-memory store's
/// bounds, and the config.
@Suite struct CacheKeyTests {
    static func object(_ text: String) throws -> JSONObject {
        try #require(JSON.parse(Array(text.utf8)).objectValue)
    }

    /// The keys LiteLLM 1.110.2's proxy gave (its `x-litellm-cache-key`) for these chat bodies, and those its
    /// `Cache.get_cache_key` gives for the same parameters (strings, quotes, escapes, non-ASCII, floats, None and
    /// nesting; the model group in `metadata.model_group`, plus the proxy's `stream: False` for a chat request).
    @Test func keysAreLiteLLMs() throws {
        let cases: [(String, String, Bool, String)] = [
            (
                #"{"model":"gpt-4o","messages":[{"role":"user","content":"cache probe 77"}]}"#, "gpt-4o", true,
                "1e9d19b6db3f88e19e262817c4751f8d59c6f0a2c7c9a7b14b727ee4092d5125"
            ),
            (
                #"""
                {"model":"gpt-4o","temperature":0.2,"messages":[{"role":"user","content":"cache probe 78"}],\#
                "max_tokens":50}
                """#, "gpt-4o", true, "9d6db109ea789a73165b59dc39a15fd524b1aa8d618981ba9e3590c82a102cdb"
            ),
            (
                #"""
                {"model":"gpt-4o","stream":true,"temperature":0.2,\#
                "messages":[{"role":"user","content":"cache probe 79"}]}
                """#, "gpt-4o", true, "2225e91dd3d7ac432f9e62d77451d5959e0a5d4313464fa77c3a2dc0e2f1c777"
            ),
            (
                #"""
                {"model":"gpt-4o","user":"u1","stream":false,\#
                "messages":[{"role":"user","content":"cache probe 80"}]}
                """#,
                "gpt-4o", true, "5c9dfa6614a504a894a11e17a25cd5ccbc08633cfa3518ff5040bec4adf9f9da"
            ),
            (
                #"{"model":"o4-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.2}"#, "o4-mini", true,
                "75e6fbfde8b0c9fc62be7fa210451d03aded5fcda5d28829d2184ada7748ccef"
            ),
            (
                #"""
                {"model":"x","messages":[{"role":"system","content":"It's \"quoted\"\n\ttab é 日本"},\#
                {"role":"user","content":"it's"}],"max_tokens":100,"stream":true,\#
                "stream_options":{"include_usage":true},\#
                "user":null,"n":1,"top_p":1.0,"stop":["a","b"],"metadata":{"tags":["t"]},"seed":12345678901234,\#
                "response_format":{"type":"json_object"},"logit_bias":{"50256":-100},"tools":[{"type":"function",\#
                "function":{"name":"f","parameters":{"type":"object","properties":{},"required":[],\#
                "additionalProperties":false}}}]}
                """#, "o4-mini", true,
                "5d4319683ccd56c92a93ab83c9329c0bb92d541659fce87892cffdce1a6cba48"
            ),
            (
                #"""
                {"model":"emb","input":["a","b"],"encoding_format":"float","dimensions":256,"temperature":1e-05,\#
                "presence_penalty":0.5e1}
                """#, "text-embedding-3-small", false,
                "9d435151033353f30340a81d3832883078b9c524d4e8aee22e8b4fcc2cfb7de6"
            ),
        ]
        for (body, group, chat, expected) in cases {
            let object = try Self.object(body)
            #expect(
                CacheKey.key(object, group: group, chat: chat, namespace: nil) == expected,
                "\(CacheKey.material(object, group: group, chat: chat))"
            )
        }
        let plain = try Self.object(cases[4].0)
        #expect(CacheKey.key(plain, group: "o4-mini", chat: true, namespace: "ci") == "ci:" + cases[4].3)
        #expect(
            CacheKey.material(plain, group: "o4-mini", chat: true)
                == "model: o4-minimessages: [{'role': 'user', 'content': 'hi'}]temperature: 0.2stream: False"
        )
    }

    /// Python's repr escapes what it does not print: the key's text must too.
    @Test func reprEscapesWhatPythonDoesNotPrint() {
        var text = ""
        PythonText.appendRepr("a\u{A0}b\u{200B}\u{85}\u{1F600}\u{2028}é\u{7F}\u{E000}", to: &text)
        #expect(text == #"'a\xa0b\u200b\x85😀\u2028é\x7f\ue000'"#)
    }

    /// What changes the answer changes the key; what does not (metadata, a provider's own field, an api key) does not.
    @Test func onlyAnswerChangingParametersCount() throws {
        let base = try Self.object(#"{"model":"a","messages":[{"role":"user","content":"hi"}]}"#)
        let key = CacheKey.key(base, group: "g", chat: true, namespace: nil)
        var other = base
        other["metadata"] = ["tags": ["x"]]
        other["api_key"] = "sk-secret"
        other["mock_delay"] = 1
        #expect(CacheKey.key(other, group: "g", chat: true, namespace: nil) == key)
        other["temperature"] = 0.5
        #expect(CacheKey.key(other, group: "g", chat: true, namespace: nil) != key)
        #expect(CacheKey.key(base, group: "h", chat: true, namespace: nil) != key)
        var streamed = base
        streamed["stream"] = true
        #expect(CacheKey.key(streamed, group: "g", chat: true, namespace: nil) != key)
    }

    static func plan(
        _ body: String,
        settings: CacheSettings = CacheSettings(),
        stream: Bool = false,
        operation: ProxyOperation = .chatCompletions,
        header: String? = nil,
        caller: Caller = Caller(kind: .master, keyHash: "hash-a")
    ) throws -> CachePlan? {
        CachePlan(
            body: try object(body),
            operation: operation,
            isStream: stream,
            group: "g",
            caller: caller,
            cacheControl: header,
            settings: settings
        )
    }

    @Test func requestControlsFollowLiteLLM() throws {
        let messages = #""messages":[{"role":"user","content":"hi"}]"#
        let plain = try #require(try Self.plan("{\(messages)}"))
        #expect(plain.lookup && plain.store && plain.ttl == 600 && plain.maximumAge == nil)
        #expect(plain.scope == "key:hash-a")
        let noCache = try #require(try Self.plan(#"{\#(messages),"cache":{"no-cache":true}}"#))
        #expect(!noCache.lookup && noCache.store)
        let noStore = try #require(try Self.plan(#"{\#(messages),"cache":{"no-store":true}}"#))
        #expect(noStore.lookup && !noStore.store)
        #expect(try Self.plan(#"{\#(messages),"caching":false}"#)?.lookup == false)
        let aged = try #require(try Self.plan(#"{\#(messages),"cache":{"ttl":30,"s-maxage":5}}"#))
        #expect(aged.ttl == 30 && aged.maximumAge == 5)
        let now = Date()
        #expect(aged.accepts(storedAt: now.addingTimeInterval(-4), now: now))
        #expect(!aged.accepts(storedAt: now.addingTimeInterval(-6), now: now))
        // TTL: the request's cache.ttl, the config's ttl, Cache-Control's s-maxage, then the backend's default.
        var configured = CacheSettings()
        configured.ttl = 90
        #expect(try Self.plan("{\(messages)}", settings: configured, header: "max-age=1, s-maxage=7")?.ttl == 90)
        #expect(try Self.plan("{\(messages)}", header: "max-age=1, s-maxage=7")?.ttl == 7)
        #expect(try Self.plan(#"{\#(messages),"cache":{"namespace":"ns"}}"#)?.key.hasPrefix("ns:") == true)
        #expect(try Self.plan(#"{\#(messages),"cache_key":"mine"}"#)?.key == "mine")
    }

    @Test func whatTheCacheDoesNotServe() throws {
        let five = String(repeating: #"{"role":"user","content":"x"},"#, count: 5).dropLast()
        #expect(try Self.plan(#"{"messages":[\#(five)]}"#) == nil)
        #expect(try Self.plan(#"{"input":[\#(five)]}"#, operation: .responses) == nil)
        // Embedding strings and file items are not turns.
        #expect(try Self.plan(#"{"input":["a","b","c","d","e","f"]}"#, operation: .embeddings) != nil)
        let files = String(repeating: #"{"type":"file","file_id":"f"},"#, count: 5).dropLast()
        #expect(try Self.plan(#"{"input":[\#(files)]}"#, operation: .responses) != nil)
        var off = CacheSettings()
        off.defaultOn = false
        let messages = #""messages":[{"role":"user","content":"hi"}]"#
        #expect(try Self.plan("{\(messages)}", settings: off) == nil)
        #expect(try Self.plan(#"{\#(messages),"cache":{"use-cache":true}}"#, settings: off) != nil)
        var chatOnly = CacheSettings()
        chatOnly.callTypes = ["acompletion"]
        #expect(try Self.plan(#"{"input":"x"}"#, settings: chatOnly, operation: .embeddings) == nil)
        #expect(try Self.plan(#"{"input":"x"}"#, operation: .embeddings) != nil)
        #expect(try Self.plan(#"{"input":"x"}"#, stream: true, operation: .responses) == nil)
        #expect(try Self.plan(#"{"model":"m"}"#, operation: .transcription) == nil)
    }

    @Test func scopesSeparateKeysUnlessShared() throws {
        let body = #"{"messages":[{"role":"user","content":"hi"}]}"#
        let team = Caller(kind: .master, keyHash: "hash-b", teamID: "team-1")
        #expect(try Self.plan(body, caller: team)?.scope == "key:hash-b")
        var byTeam = CacheSettings()
        byTeam.scope = .team
        #expect(try Self.plan(body, settings: byTeam, caller: team)?.scope == "team:team-1")
        var global = CacheSettings()
        global.scope = .global
        #expect(try Self.plan(body, settings: global, caller: team)?.scope == "")
        // A key the client chose stays in its own key's scope: anyone could compute a shared entry's key.
        let custom = #"{"messages":[{"role":"user","content":"hi"}],"cache_key":"k"}"#
        #expect(try Self.plan(custom, settings: global, caller: team)?.scope == "key:hash-b")
    }

    @Test func streamReplaySplitsWordsAsLiteLLM() throws {
        #expect(CachedStream.words("  Hello  big\nworld ") == ["  Hello  ", "big\n", "world "])
        #expect(CachedStream.words("") == [])
        #expect(CachedStream.words("   ") == [])
        let answer = try JSON.parse(
            Array(
                #"""
                {"id":"chatcmpl-1","created":1,"model":"o4-mini","object":"chat.completion","choices":[{"index":0,\#
                "finish_reason":"stop","message":{"role":"assistant","content":"one two three"}}],\#
                "usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}}
                """#.utf8
            )
        )
        let replay = CachedStream.events(answer, clientWantsUsage: true, now: Date(timeIntervalSince1970: 99))
        var parser = SSEParser(maximumEventSize: 1 << 20)
        let events = try parser.feed(Array(replay.readableBytesView))
        #expect(events.last?.isDone == true)
        let chunks = events.compactMap(\.json)
        #expect(chunks.count == 5)
        #expect(chunks.allSatisfy { $0["id"] == "chatcmpl-1" && $0["created"] == 99 })
        #expect(chunks[0].value(at: "choices.0.delta.role") == "assistant")
        let text = chunks.compactMap { $0.value(at: "choices.0.delta.content")?.stringValue }.joined()
        #expect(text == "one two three")
        #expect(chunks[3].value(at: "choices.0.finish_reason") == "stop")
        #expect(chunks[4]["usage"]?["total_tokens"] == 6)
        let quiet = CachedStream.events(answer, clientWantsUsage: false)
        #expect(try SSEParser(maximumEventSize: 1 << 20).feedAll(quiet).count == 5)
    }

    /// A stream is stored only when its assembled answer is all of it: text of one choice that finished.
    @Test func onlyWholeTextStreamsAreStored() throws {
        func summary(_ chunks: [String]) throws -> StreamRelay.Summary {
            var summary = StreamRelay.Summary()
            for chunk in chunks { summary.absorb(try JSON.parse(Array(chunk.utf8))) }
            return summary
        }
        let text = #"{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"}}]}"#
        let end = #"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
        #expect(try summary([text, end]).isWhole)
        #expect(try !summary([text]).isWhole)
        #expect(try !summary([text, #"{"error":{"message":"boom"}}"#, end]).isWhole)
        #expect(try !summary([#"{"choices":[{"index":0,"delta":{"refusal":"no"}}]}"#, end]).isWhole)
        #expect(
            try !summary([#"{"choices":[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[]}}]}"#, end]).isWhole
        )
        #expect(try !summary([#"{"choices":[{"index":0,"delta":{"tool_calls":[]}}]}"#, end]).isWhole)
        #expect(try !summary([#"{"choices":[{"index":1,"delta":{"content":"b"}}]}"#, end]).isWhole)
    }

    static func answer(_ size: Int) -> CachedAnswer {
        CachedAnswer(body: Array(repeating: UInt8(ascii: "x"), count: size), storedAt: Date(), modelID: "m")
    }

    @Test func localStoreEvictsTheLeastRecentlyUsed() async throws {
        let store = LocalCacheStore(maximumEntries: 3, maximumEntryBytes: 1000, maximumBytes: 10_000)
        let later = Date().addingTimeInterval(60)
        for name in ["a", "b", "c"] { try await store.store(scope: "s", key: name, Self.answer(10), expires: later) }
        #expect(try await store.entry(scope: "s", key: "a", now: Date()) != nil)  // a is now the newest
        try await store.store(scope: "s", key: "d", Self.answer(10), expires: later)
        #expect(try await store.entry(scope: "s", key: "b", now: Date()) == nil)
        #expect(try await store.entry(scope: "s", key: "a", now: Date()) != nil)
        #expect(try await store.entry(scope: "other", key: "a", now: Date()) == nil)
        #expect(store.usage.entries == 3)
        // Expired entries are not served; one entry over its bound is not stored.
        try await store.store(scope: "s", key: "old", Self.answer(10), expires: Date().addingTimeInterval(-1))
        #expect(try await store.entry(scope: "s", key: "old", now: Date()) == nil)
        try await store.store(scope: "s", key: "huge", Self.answer(2000), expires: later)
        #expect(try await store.entry(scope: "s", key: "huge", now: Date()) == nil)
        #expect(try await store.delete(keys: ["a", "zzz"]) == 1)
        try await store.flush()
        #expect(store.usage.entries == 0 && store.usage.bytes == 0)
    }

    @Test func localStoreIsBoundedByBytes() async throws {
        let store = LocalCacheStore(maximumEntries: 1000, maximumEntryBytes: 1000, maximumBytes: 2500)
        let later = Date().addingTimeInterval(60)
        for index in 0 ..< 10 { try await store.store(scope: "", key: "k\(index)", Self.answer(900), expires: later) }
        #expect(store.usage.entries == 2)
        #expect(store.usage.bytes <= 2500)
        #expect(try await store.entry(scope: "", key: "k9", now: Date()) != nil)
        #expect(try await store.entry(scope: "", key: "k0", now: Date()) == nil)
    }

    @Test func configReadsLiteLLMsCacheSettings() throws {
        #expect(try ConfigLoader.parse("litellm_settings: {cache_params: {type: local}}").settings.cache == nil)
        let local = try ConfigLoader.parse(
            """
            litellm_settings:
              cache: true
              cache_params: {type: local, ttl: 30, namespace: ci, mode: default_off, max_size_in_memory: 10,
                             supported_call_types: [acompletion], scope: global, max_messages: 8}
            """
        )
        let cache = try #require(local.settings.cache)
        #expect(cache.backend == .local && cache.ttl == 30 && cache.namespace == "ci" && !cache.defaultOn)
        #expect(cache.maximumEntries == 10 && cache.callTypes == ["acompletion"] && cache.scope == .global)
        #expect(cache.maximumMessages == 8)
        #expect(local.warnings.allSatisfy { !$0.contains("cache") })
        // `cache: true` alone is LiteLLM's Redis: served from memory without a database, and said so.
        let redis = try ConfigLoader.parse("litellm_settings: {cache: true}")
        #expect(redis.settings.cache?.backend == .local && redis.settings.cache?.requestedType == "redis")
        #expect(redis.warnings.contains { $0.contains("'redis' is served by this process's memory") })
        let shared = try ConfigLoader.parse(
            "general_settings: {database_url: 'postgresql://u:p@db/x'}\nlitellm_settings: {cache: true}"
        )
        #expect(shared.settings.cache?.backend == .postgres)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("litellm_settings: {cache: true, cache_params: {type: postgres}}")
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("litellm_settings: {cache: true, cache_params: {type: memcached}}")
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("litellm_settings: {cache: true, cache_params: {scope: everyone}}")
        }
    }
}

extension SSEParser {
    /// Every event of a whole buffer.
    func feedAll(_ buffer: ByteBuffer) throws -> [SSEEvent] {
        var parser = self
        return try parser.feed(Array(buffer.readableBytesView))
    }
}
