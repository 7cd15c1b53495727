import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The Models and Usage pages, and the pieces they are built from.
@Suite struct UIModelsUsageTests {
    @Test func modelsShowGroupsDeploymentsAndHealthButNoKey() async throws {
        try await withUI { proxy, browser in
            let page = try await browser.get("/ui/models")
            #expect(page.status == 200)
            for group in ["o4-mini", "gpt-4o", "text-embedding-3-small", "unreachable"] {
                #expect(page.text.contains("<h2>\(group)</h2>"), "\(group)")
            }
            #expect(
                page.text.contains(#"<td class="api-base">\#(proxy.mockBase)</td>"#)
                    && page.text.contains("<td>2025-01-01-preview</td>")
            )
            #expect(page.text.contains(proxy.gateway.config.deployments[0].id))
            #expect(page.text.contains("timeout 0.5 s") && page.text.contains("mode embedding"))
            #expect(
                !page.text.contains(TestConfigs.azureKey) && !page.text.contains("healthy</span>"),
                "health only on demand"
            )
            let checked = try await browser.get("/ui/models?health=1")
            #expect(checked.text.contains("healthy</span>") && checked.text.contains("unhealthy</span>"))
            let unreachable = try #require(
                checked.text.range(of: "<h2>unreachable</h2>").map {
                    String(checked.text[$0.upperBound...].prefix(1500))
                }
            )
            #expect(unreachable.contains(#"<span class="status failure">unhealthy</span>"#))
            #expect(!checked.text.contains(TestConfigs.azureKey))
        }
    }

    @Test func usageSumsTheSeedPerDayAndModelWithAChart() async throws {
        try await withUI { proxy, browser in
            // MockAzure answers the seed with the same id each time, and a row per request id is kept: one seed, one
            // other.
            try await uiChat(proxy)
            try await uiChat(proxy, model: "gpt-4o", prompt: "Say hello in three languages")
            let usage = try await browser.poll("/ui/usage", until: "<tr><td>gpt-4o</td>")
            #expect(usage.status == 200)
            let models = try #require(UILogsTests.section("usage-models", in: usage.text, tag: "table"))
            #expect(
                models.contains(
                    #"""
                    <tr><td>o4-mini</td><td class="num">1</td><td class="num">0</td><td class="num">$0.0007689</td>\#
                    <td class="num">11</td><td class="num">172</td><td class="num">128</td></tr>
                    """#
                ),
                "\(models)"
            )
            let today = UIFormat.inputDate(Date())
            let days = try #require(UILogsTests.section("usage-days", in: usage.text, tag: "table"))
            #expect(days.contains("<tr><td>\(today)</td><td class=\"num\">2</td>"))
            #expect(days.components(separatedBy: "<tr><td>").count - 1 == 7, "the last 7 days, empty ones included")
            #expect(models.contains("<tfoot><tr><th>Total</th><th class=\"num\">2</th>"))
            #expect(
                usage.text.contains("<svg") && usage.text.contains(#"<rect class="s0""#)
                    && usage.text.contains("<title>\(today) · o4-mini: $0.0007689</title>")
            )
            let tokens = try await browser.get("/ui/usage?metric=tokens&start=\(today)&end=\(today)")
            #expect(tokens.text.contains("<title>\(today) · o4-mini: 183</title>"))
            let empty = try await browser.get("/ui/usage?start=2001-01-01&end=2001-01-03")
            #expect(empty.text.contains("No requests in this range.") && !empty.text.contains("<rect"))
        }
    }

    @Test func usageReportGroupsByDayAndModel() {
        func row(_ day: String, _ group: String, spend: Double, status: String = "success") -> SpendRow {
            SpendRow(
                requestID: UUID().uuidString,
                callType: "acompletion",
                apiKey: "",
                spend: spend,
                totalTokens: 3,
                promptTokens: 1,
                completionTokens: 2,
                startTime: TimestampText.parse(day + " 12:00:00")!,
                endTime: TimestampText.parse(day + " 12:00:01")!,
                completionStartTime: nil,
                requestDurationMs: 1000,
                model: "azure/" + group,
                modelID: "id",
                modelGroup: group,
                customLLMProvider: "azure",
                apiBase: "",
                user: "",
                metadata: ["usage_object": ["completion_tokens_details": ["reasoning_tokens": 2]]],
                endUser: nil,
                requesterIPAddress: nil,
                messages: [:],
                response: [:],
                sessionID: nil,
                status: status,
                proxyServerRequest: [:],
                litellmCallID: "c"
            )
        }
        var report = UIUsageReport(start: TimestampText.parse("2025-09-18")!, end: TimestampText.parse("2025-09-20")!)
        for item in [
            row("2025-09-18", "a", spend: 1), row("2025-09-20", "a", spend: 2),
            row("2025-09-20", "b", spend: 4, status: "failure"), row("2025-09-21", "a", spend: 8),
        ] {
            report.add(item)
        }
        #expect(report.days.map(\.day) == ["2025-09-18", "2025-09-19", "2025-09-20"])
        #expect(
            report.days.map(\.totals.spend) == [1, 0, 6] && report.total.spend == 7,
            "a row outside the range is not counted"
        )
        #expect(
            report.models.map(\.name) == ["b", "a"] && report.modelTotals["a"]?.requests == 2
                && report.total.failures == 1
        )
        #expect(report.total.reasoningTokens == 6 && report.total.tokens == 9)
        let chart = UIChart(report, metric: "Spend", value: { $0.spend }, format: UIFormat.dollars)
        #expect(chart.bars.count == 3 && chart.legend.map(\.name) == ["b", "a"])
        #expect(
            chart.bars.map(\.height) == ["34.0", "136.0", "68.0"] && chart.bars.last?.y == "16.0",
            "the largest day fills the plot height"
        )
    }

    @Test func redactionMasksKeysInBodies() {
        let body: JSON = [
            "api_key": "sk-secret-body-key-1", "nested": ["Authorization": "Bearer x", "max_tokens": 5],
            "messages": [["content": "use sk-AbCdEfGhIjKl1234 or sk-...9999 or my-master"]],
        ]
        let shown = UIFormat.redact(body, masterKey: "my-master").serialized()
        #expect(
            shown.contains(#""api_key":"***""#) && shown.contains(#""Authorization":"***""#)
                && shown.contains(#""max_tokens":5"#)
        )
        #expect(shown.contains("use sk-...1234 or sk-...9999 or sk-...ster"), "\(shown)")
        #expect(!shown.contains("sk-AbCdEfGhIjKl1234") && !shown.contains("my-master"))
        #expect(
            ModelDeployment.publicURL("https://user:pw@x.openai.azure.com/path?sig=abc")
                == "https://x.openai.azure.com/path"
        )
    }
}
