import Foundation
import Logging
import MockAzure
import NIOConcurrencyHelpers
import SQLiteNIO
import ServiceLifecycle
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Spend rows end to end on the embedded SQLite store.
@Suite struct SpendLogTests {
    static let seedBody =
        #"{"model": "o4-mini", "user": "user-7", "messages": [{"role": "user", "content": "what llm are you"}]}"#

    /// Waits for the batch writer.
    static func rows(_ proxy: ProxyTestContext, _ query: String = "", count: Int = 1) async throws -> [JSON] {
        var rows: [JSON] = []
        _ = try await eventually {
            let response = try await TestHTTP.request(.GET, "\(proxy.base)/spend/logs\(query)", headers: proxy.auth)
            rows = response.json?.arrayValue ?? []
            return rows.count >= count
        }
        return rows.count >= count ? rows : []
    }

    @Test func seedRequestWritesOneRowWithTheSeedNumbers() async throws {
        try await withProxy { proxy in
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth + [("x-forwarded-for", "10.1.2.3")],
                body: Self.seedBody
            )
            #expect(response.status == 200)
            let row = try #require(
                try await Self.rows(proxy, "?request_id=chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B").first
            )
            #expect(row["spend"]?.doubleValue.map { abs($0 - 0.0007689) < 1e-12 } == true)
            #expect(
                row["prompt_tokens"]?.intValue == 11 && row["completion_tokens"]?.intValue == 172
                    && row["total_tokens"]?.intValue == 183
            )
            #expect(
                row["model"] == "azure/o4-mini" && row["model_group"] == "o4-mini"
                    && row["custom_llm_provider"] == "azure"
            )
            #expect(row["model_id"]?.stringValue == proxy.gateway.config.deployments[0].id)
            #expect(row["api_key"]?.stringValue == SecretHash.sha256Hex(TestConfigs.masterKey))
            #expect(row["call_type"] == "acompletion" && row["status"] == "success")
            // The master key's user is LiteLLM's admin id; the body's `user` is the end user only.
            #expect(row["user"] == "default_user_id" && row["end_user"] == "user-7")
            // Not a trusted proxy: its X-Forwarded-For is not believed.
            #expect(row["requester_ip_address"] == "127.0.0.1")
            #expect(row["litellm_call_id"]?.stringValue == response.header("x-litellm-call-id"))
            #expect(row["completionStartTime"]?.stringValue != nil && (row["request_duration_ms"]?.intValue ?? -1) >= 0)
            // The prompt is stored once, in proxy_server_request; `messages` is `{}`, as LiteLLM 1.110.2 writes it.
            #expect(row.value(at: "proxy_server_request.messages.0.content") == "what llm are you")
            #expect(row["messages"] == [:])
            #expect(row.value(at: "response.model") == "azure/o4-mini-2025-04-16")
            #expect(row.value(at: "proxy_server_request.user") == "user-7")
            #expect(row.value(at: "metadata.usage_object.total_tokens")?.intValue == 183)
            let detail = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/spend/logs/ui/chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B",
                headers: proxy.auth
            )
            #expect(
                detail.json?.value(at: "response.choices.0.message.content")?.stringValue?.hasPrefix("I’m ChatGPT")
                    == true
            )
            let page = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/spend/logs/ui?page=1&page_size=10",
                headers: proxy.auth
            )
            #expect(page.json?["total"]?.intValue == 1 && page.json?["total_pages"]?.intValue == 1, "\(page.text)")
            #expect(page.json?.value(at: "data.0.messages") == nil, "the paged list has no bodies")
            // A page number near Int.max (its offset overflowed and trapped) and an impossible date are empty pages.
            let far = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/spend/logs/ui?page=9223372036854775807&page_size=500",
                headers: proxy.auth
            )
            #expect(far.status == 200 && far.json?["data"]?.arrayValue?.isEmpty == true, "\(far.text)")
            let badDate = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/spend/logs?start_date=99999999999-01-01",
                headers: proxy.auth
            )
            #expect(badDate.status == 200, "\(badDate.status) \(badDate.text)")
            let byKey = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/spend/logs?api_key=\(TestConfigs.masterKey)",
                headers: proxy.auth
            )
            #expect(byKey.json?.arrayValue?.count == 1)
            #expect(try await TestHTTP.request(.GET, "\(proxy.base)/spend/logs").status == 401)
        }
    }

    @Test func streamRowHasFirstByteAndAssembledAnswer() async throws {
        try await withProxy { proxy in
            let stream = try await TestHTTP.stream(
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body:
                    #"{"model":"gpt-4o","stream":true,"#
                    + #""messages":[{"role":"user","content":"Say hello in three languages"}]}"#
            )
            let id = try #require(stream.json.compactMap { $0["id"]?.stringValue }.first { !$0.isEmpty })
            let row = try #require(try await Self.rows(proxy, "?request_id=\(id)").first)
            #expect(row["completionStartTime"]?.stringValue != nil)
            #expect(row.value(at: "response.choices.0.message.content")?.stringValue?.contains("Bonjour") == true)
            #expect(
                (row["total_tokens"]?.intValue ?? 0) > 0,
                "usage was requested upstream even though the client did not ask"
            )
            #expect((row["spend"]?.doubleValue ?? 0) > 0)
        }
    }

    @Test func failuresAreLoggedAndNoKeyMaterialIsStored() async throws {
        try await withProxy { proxy in
            _ = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: ##"{"model":"gpt-4o","messages":[{"role":"user","content":"#mock-fault: 500"}]}"##
            )
            // A client that puts a key in the body: it is neither sent upstream nor stored.
            _ = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body:
                    #"{"model":"o4-mini","api_key":"sk-client-body-key-777777","#
                    + #""messages":[{"role":"user","content":"what llm are you"}]}"#
            )
            let rows = try await Self.rows(proxy, count: 2)
            let failure = try #require(rows.first { $0["status"] == "failure" })
            #expect(failure.value(at: "metadata.error_information.error_code") == "500")
            #expect(failure["model_group"] == "gpt-4o")
            // Scan every column of every row for key material.
            let text = JSON.array(rows).serialized()
            for secret in [TestConfigs.masterKey, TestConfigs.azureKey, "sk-client-body-key-777777"] {
                #expect(!text.contains(secret))
            }
            // The rows show while still queued; written is counted once the writer flushed them.
            var ready = try await TestHTTP.request(.GET, "\(proxy.base)/health/readiness")
            _ = try await eventually {
                ready = try await TestHTTP.request(.GET, "\(proxy.base)/health/readiness")
                return (ready.json?.value(at: "spend_writer.written")?.intValue ?? 0) >= 2
            }
            #expect(ready.json?["db"] == "connected" && ready.json?.value(at: "spend_writer.dropped")?.intValue == 0)
            #expect((ready.json?.value(at: "spend_writer.written")?.intValue ?? 0) >= 2)
        }
    }

    @Test func promptsCanBeKeptOut() async throws {
        try await withProxy(config: { TestConfigs.standard(mockBase: $0) + "\n  store_prompts_in_spend_logs: false\n" })
        { proxy in
            _ = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.seedBody
            )
            let row = try #require(try await Self.rows(proxy).first)
            #expect(row["messages"] == [:] && row["response"] == [:] && row["proxy_server_request"] == [:])
            #expect(row["total_tokens"]?.intValue == 183)
        }
    }
}
