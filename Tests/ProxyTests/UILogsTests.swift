import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The Logs page and a request's detail page, with the seed request, a failure, and hostile text.
@Suite struct UILogsTests {
    static let seedID = "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B"

    @Test func theSeedRequestIsListedWithLiteLLMsColumns() async throws {
        try await withUI { proxy, browser in
            #expect(try await uiChat(proxy).status == 200)
            let logs = try await browser.poll("/ui/logs", until: Self.seedID)
            #expect(logs.status == 200)
            for header in [
                "Time (UTC)", "Status", "Request ID", "Model", "Model group", "Key", "Tokens in", "Tokens out",
                "Reasoning", "Cost", "Duration", "Time to first token",
            ] {
                #expect(
                    logs.text.contains("<th>\(header)</th>") || logs.text.contains(#"<th class="num">\#(header)</th>"#),
                    "\(header)"
                )
            }
            let row = try #require(Self.row(of: Self.seedID, in: logs.text))
            for cell in [
                "success", "azure/o4-mini", "<td>o4-mini</td>", "master key", ">11<", ">172<", ">128<", "$0.0007689",
                " ms<",
            ] {
                #expect(row.contains(cell), "\(cell) in \(row)")
            }
            #expect(row.contains(#"href="/ui/logs/\#(Self.seedID)""#))
        }
    }

    @Test func theDetailPageShowsRequestAndResponsePrettyPrinted() async throws {
        try await withUI { proxy, browser in
            try await uiChat(proxy)
            _ = try await browser.poll("/ui/logs", until: Self.seedID)
            let detail = try await browser.get("/ui/logs/\(Self.seedID)")
            #expect(detail.status == 200)
            let request = try #require(Self.section("request-json", in: detail.text))
            #expect(
                request.contains("&quot;content&quot;: &quot;what llm are you&quot;"),
                "pretty-printed, escaped: \(request)"
            )
            #expect(request.contains("\n  &quot;model&quot;: &quot;o4-mini&quot;"))
            let response = try #require(Self.section("response-json", in: detail.text))
            #expect(response.contains("I’m ChatGPT") && response.contains("&quot;reasoning_tokens&quot;: 128"))
            #expect(response.contains("azure/o4-mini-2025-04-16"))
            #expect(detail.text.contains("<dt>Cost</dt><dd>$0.0007689</dd>"))
            #expect(!detail.text.contains(#"id="error""#))
            #expect(try await browser.get("/ui/logs/no-such-request").status == 404)
        }
    }

    /// A request answered from the response cache is marked in the list and on its page, at no cost.
    @Test func cacheHitsAreMarked() async throws {
        let cached: @Sendable (String) -> String = {
            TestConfigs.standard(mockBase: $0) + "\nlitellm_settings: {cache: true, cache_params: {type: local}}\n"
        }
        try await withUI(config: cached) { proxy, browser in
            #expect(try await uiChat(proxy).header("x-litellm-cache-key") == nil)
            var key: String?
            for _ in 0 ..< 100 where key == nil {
                key = try await uiChat(proxy).header("x-litellm-cache-key")
                if key == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let cacheKey = try #require(key)
            let logs = try await browser.poll("/ui/logs", until: Self.seedID + "_cache_hit")
            let hitID = try #require(
                logs.text.range(of: Self.seedID + "_cache_hit[0-9.]+_[0-9a-f-]+", options: .regularExpression).map {
                    String(logs.text[$0])
                }
            )
            let hit = try #require(Self.row(of: hitID, in: logs.text))
            #expect(hit.contains("cache hit") && hit.contains("$0"), "\(hit)")
            let original = try #require(Self.row(of: Self.seedID, in: logs.text))
            #expect(!original.contains("cache hit"))
            let detail = try await browser.get("/ui/logs/\(hitID)")
            #expect(detail.text.contains("<dt>Response cache</dt><dd>hit (key \(cacheKey))</dd>"), "\(detail.text)")
        }
    }

    @Test func failuresShowTheirErrorAndFiltersNarrowTheList() async throws {
        try await withUI { proxy, browser in
            try await uiChat(proxy)
            let refused = try await uiChat(proxy, model: "gpt-4o", prompt: "#mock-scenario: prompt-filtered-jailbreak")
            #expect(refused.status == 400)
            let callID = try #require(refused.header("x-litellm-call-id"))
            let all = try await browser.poll("/ui/logs", until: callID)
            #expect(all.text.contains(Self.seedID))
            let failures = try await browser.get("/ui/logs?status=failure")
            #expect(failures.text.contains(callID) && !failures.text.contains(Self.seedID))
            let o4 = try await browser.get("/ui/logs?model=o4-mini&range=1h")
            #expect(o4.text.contains(Self.seedID) && !o4.text.contains(callID))
            #expect(o4.text.contains("Requests: 1"))
            let future = try await browser.get("/ui/logs?start=2999-01-01T00%3A00")
            #expect(future.text.contains("No requests match."))
            let detail = try await browser.get("/ui/logs/\(callID)")
            let error = try #require(Self.section("error", in: detail.text, tag: "section"))
            #expect(error.contains("(400)") && error.lowercased().contains("filter"), "\(error)")
            #expect(detail.text.contains(#"<span class="status failure">failure</span>"#))
        }
    }

    @Test func hostileTextIsEscapedAndKeysAreMasked() async throws {
        try await withUI { proxy, browser in
            let script = #"<script>alert("pwned")</script><img src=x onerror=alert(1)>"#
            let leaked = "sk-LeakedInAPrompt1234567"
            let sent = try await uiChat(
                proxy,
                model: "gpt-4o",
                prompt: script + " " + leaked + " " + TestConfigs.masterKey,
                extra: ["api_key": "sk-body-key-should-be-removed-9999", "user": .string(script)]
            )
            let callID = try #require(sent.header("x-litellm-call-id"))
            _ = try await browser.poll("/ui/logs", until: "gpt-4o</td>")
            let requestID = try #require(sent.json?["id"]?.stringValue ?? callID)
            let detail = try await browser.get("/ui/logs/\(requestID)")
            #expect(detail.status == 200)
            #expect(
                detail.text.contains(
                    "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
                )
            )
            #expect(!detail.text.contains("<script>alert") && !detail.text.contains("<img src=x"))
            #expect(
                detail.text.contains("sk-...4567") && !detail.text.contains(leaked),
                "a key in a prompt is shortened"
            )
            // The filters echo what was typed, escaped.
            let filtered = try await browser.get("/ui/logs?key_alias=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(
                filtered.text.contains(#"value="&lt;script&gt;alert(1)&lt;/script&gt;""#)
                    && !filtered.text.contains("<script>alert")
            )
            // No page shows the master key, the upstream key, or the body's key.
            for path in ["/ui/logs", "/ui/logs/\(requestID)", "/ui/keys", "/ui/models?health=1", "/ui/usage"] {
                let page = try await browser.get(path)
                for secret in [TestConfigs.masterKey, TestConfigs.azureKey, "sk-body-key-should-be-removed-9999"] {
                    #expect(!page.text.contains(secret), "\(secret) on \(path)")
                }
            }
        }
    }

    @Test func filterParsing() {
        let now = Date(timeIntervalSince1970: 1_758_371_868)
        let filter = UILogFilter(
            UIForm("start=2025-09-20T12%3A30&end=2025-09-20&model=o4-mini&status=bogus&page=0&key_alias=team+a"),
            now: now
        )
        #expect(filter.start == TimestampText.parse("2025-09-20 12:30:00"))
        #expect(
            filter.end.map { abs($0.timeIntervalSince(TimestampText.parse("2025-09-20 23:59:59.999")!)) < 0.01 }
                == true,
            "a date-only end covers its day"
        )
        #expect(filter.status == nil && filter.page == 1 && filter.keyAlias == "team a" && filter.needsScan)
        let ranged = UILogFilter(UIForm("range=1h"), now: now)
        #expect(ranged.start == now.addingTimeInterval(-3600) && !ranged.needsScan)
    }

    /// The table row holding `requestID`.
    static func row(of requestID: String, in html: String) -> String? {
        guard let hit = html.range(of: ">\(requestID)</a>") else { return nil }
        let start = html[..<hit.lowerBound].range(of: "<tr", options: .backwards)?.lowerBound ?? hit.lowerBound
        let end = html[hit.upperBound...].range(of: "</tr>")?.upperBound ?? hit.upperBound
        return String(html[start ..< end])
    }

    /// The text of the element with `id`.
    static func section(_ id: String, in html: String, tag: String = "pre") -> String? {
        guard let open = html.range(of: #"id="\#(id)""#), let close = html[open.upperBound...].range(of: "</\(tag)>")
        else { return nil }
        return String(html[open.upperBound ..< close.lowerBound])
    }
}
