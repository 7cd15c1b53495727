import Foundation
import MockAzure
import NIOHTTP1
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The Responses API through the proxy against MockAzure: create (plain and streamed), the calls on a stored
/// response routed by the deployment its id names, `previous_response_id`, and the spend row.
@Suite struct ResponsesAPITests {
    /// `o4-mini` on the v1 path (no api-version: `preview`), `gpt-4o` on the dated-preview path.
    static func config(_ mock: String) -> String {
        """
        model_list:
          - model_name: o4-mini
            litellm_params: {model: azure/o4-mini, api_base: \(mock), api_key: \(TestConfigs.azureKey)}
          - model_name: gpt-4o
            litellm_params:
              model: azure/gpt-4o
              api_base: \(mock)
              api_key: \(TestConfigs.azureKey)
              api_version: "2025-04-01-preview"
        general_settings:
          master_key: \(TestConfigs.masterKey)
          proxy_batch_write_at: 0.1
          sqlite_path: \(TestConfigs.temporarySQLitePath())
        """
    }

    static let mock = MockAzureConfiguration(
        port: 0,
        fixturesDirectory: TestPaths.fixtures,
        apiKey: TestConfigs.azureKey,
        speed: 0
    )

    static func post(_ proxy: ProxyTestContext, _ body: JSON, path: String = "/v1/responses") async throws
        -> TestResponse
    {
        try await TestHTTP.request(.POST, proxy.base + path, headers: proxy.auth, body: body.serialized())
    }

    static func call(_ proxy: ProxyTestContext, _ method: HTTPMethod, _ path: String) async throws -> TestResponse {
        try await TestHTTP.request(method, proxy.base + path, headers: proxy.auth)
    }

    @Test func createRetrieveListDeleteByTheDeploymentTheIdNames() async throws {
        try await withProxy(mock: Self.mock, config: Self.config) { proxy in
            let created = try await Self.post(
                proxy,
                ["model": "o4-mini", "input": "what llm are you?", "reasoning": ["summary": "auto"]]
            )
            #expect(created.status == 200, "\(created.text)")
            let id = try #require(created.json?["id"]?.stringValue)
            let decoded = ResponseID.decode(id)
            let deployment = proxy.gateway.config.deployments[0]
            #expect(decoded.modelID == deployment.id && decoded.provider == "azure")
            #expect(decoded.responseID.hasPrefix("resp_") && decoded.responseID != id)
            #expect(created.json?.value(at: "output.0.summary.0.type") == "summary_text")
            #expect(created.json?.value(at: "usage.output_tokens_details.reasoning_tokens")?.intValue ?? 0 > 0)
            #expect(
                created.header("x-litellm-response-cost") != nil
                    && created.header("x-litellm-model-id") == deployment.id
            )
            let entry = try #require(proxy.mock.journal.entries.last)
            #expect(entry.path == "/openai/v1/responses" && entry.query == "api-version=preview")

            for path in ["/v1/responses/", "/responses/", "/openai/v1/responses/"] {
                let fetched = try await Self.call(proxy, .GET, path + id)
                #expect(fetched.status == 200 && fetched.json?["id"]?.stringValue == id, "\(path): \(fetched.text)")
            }
            let items = try await Self.call(proxy, .GET, "/v1/responses/\(id)/input_items")
            #expect(
                items.json?["object"] == "list" && items.json?.value(at: "data.0.content.0.text") == "what llm are you?"
            )
            let deleted = try await Self.call(proxy, .DELETE, "/v1/responses/\(id)")
            #expect(deleted.status == 200 && deleted.json?["deleted"] == true && deleted.json?["id"]?.stringValue == id)
            let gone = try await Self.call(proxy, .GET, "/v1/responses/\(id)")
            #expect(gone.status == 404 && gone.json?.value(at: "error.code") == "404", "\(gone.text)")

            let raw = try await Self.call(proxy, .GET, "/v1/responses/\(decoded.responseID)")
            #expect(
                raw.status == 403 && raw.json?.value(at: "error.message")?.stringValue?.hasPrefix("Forbidden.") == true
            )
            let generated = try await TestHTTP.request(
                .POST,
                proxy.base + "/key/generate",
                headers: proxy.auth,
                body: #"{"models": ["gpt-4o"]}"#
            )
            let narrowKey = try #require(generated.json?["key"]?.stringValue)
            let denied = try await TestHTTP.request(
                .GET,
                proxy.base + "/v1/responses/\(id)",
                headers: [("authorization", "Bearer \(narrowKey)")]
            )
            #expect(denied.status == 403 && denied.json?.value(at: "error.type") == "key_model_access_denied")
            let rows = try await SpendLogTests.rows(proxy, count: 5)
            let types = Set(rows.compactMap { $0["call_type"]?.stringValue })
            #expect(types.isSuperset(of: ["aresponses", "aget_responses", "alist_input_items", "adelete_responses"]))
            let create = try #require(rows.first { $0["call_type"] == "aresponses" })
            #expect(create["completion_tokens"]?.intValue == created.json?.value(at: "usage.output_tokens")?.intValue)
            #expect((create["spend"]?.doubleValue ?? 0) > 0 && create["model_group"] == "o4-mini")
        }
    }

    @Test func previousResponseIDGoesUpstreamAsAzuresOwn() async throws {
        try await withProxy(mock: Self.mock, config: Self.config) { proxy in
            let first = try await Self.post(proxy, ["model": "gpt-4o", "input": "my name is Ada"], path: "/responses")
            #expect(first.status == 200, "\(first.text)")
            let id = try #require(first.json?["id"]?.stringValue)
            #expect(proxy.mock.journal.entries.last?.path == "/openai/responses")
            #expect(proxy.mock.journal.entries.last?.query == "api-version=2025-04-01-preview")
            let second = try await Self.post(
                proxy,
                ["model": "gpt-4o", "input": "what is my name?", "previous_response_id": .string(id)],
                path: "/openai/v1/responses"
            )
            #expect(second.status == 200, "\(second.text)")
            let upstream = try #require(proxy.mock.journal.entries.last?.body)
            #expect(upstream["previous_response_id"]?.stringValue == ResponseID.decode(id).responseID)
            let unknown = ResponseID.encode(
                provider: "azure",
                modelID: proxy.gateway.config.deployments[1].id,
                responseID: "resp_unknown"
            )
            let refused = try await Self.post(
                proxy,
                ["model": "gpt-4o", "input": "again", "previous_response_id": .string(unknown)]
            )
            #expect(refused.status == 400, "\(refused.text)")
            #expect(
                refused.json?.value(at: "error.message")?.stringValue?.contains("previous_response_not_found") == true
                    || refused.json?.value(at: "error.message")?.stringValue?.contains("not found") == true
            )
        }
    }

    @Test func aStreamRelaysEveryEventNamedWithTheProxysID() async throws {
        try await withProxy(mock: Self.mock, config: Self.config) { proxy in
            let response = try await Self.post(
                proxy,
                ["model": "o4-mini", "input": "stream please", "stream": true, "reasoning": ["summary": "auto"]]
            )
            #expect(response.status == 200 && response.header("content-type")?.hasPrefix("text/event-stream") == true)
            var parser = SSEParser()
            let events = try parser.feed(Array(response.text.utf8))
            let types = events.compactMap(\.event)
            #expect(types.first == "response.created" && types.last == "response.completed", "\(types)")
            #expect(
                types.contains("response.reasoning_summary_text.delta") && types.contains("response.output_text.delta")
            )
            #expect(!response.text.contains("[DONE]"))
            let data = events.compactMap { try? JSON.parse(Array($0.data.utf8)) }
            #expect(data.map { $0["sequence_number"]?.intValue ?? -1 } == Array(0 ..< data.count))
            let ids = Set(data.compactMap { $0.value(at: "response.id")?.stringValue })
            #expect(ids.count == 1 && ResponseID.decode(ids.first ?? "").modelID != nil)
            let rows = try await SpendLogTests.rows(proxy, count: 1)
            #expect(rows.first?["call_type"] == "aresponses" && (rows.first?["total_tokens"]?.intValue ?? 0) > 0)
        }
    }

    @Test func anUpstreamCutMidStreamEndsWithResponseFailed() async throws {
        try await withProxy(mock: Self.mock, config: Self.config) { proxy in
            let response = try await Self.post(
                proxy,
                ["model": "gpt-4o", "input": "#mock-fault: disconnect-after:4\nhello", "stream": true]
            )
            var parser = SSEParser()
            let events = try parser.feed(Array(response.text.utf8))
            #expect(events.count == 5 && events.last?.event == "response.failed", "\(events.map(\.event))")
            let failed = try #require(events.last.flatMap { try? JSON.parse(Array($0.data.utf8)) })
            #expect(failed["sequence_number"]?.intValue == 4 && failed.value(at: "response.status") == "failed")
            #expect(ResponseID.decode(failed.value(at: "response.id")?.stringValue ?? "").modelID != nil)
            let rows = try await SpendLogTests.rows(proxy, count: 1)
            #expect(rows.first?.value(at: "metadata.stream_outcome") == "upstream_failed")
        }
    }

    /// A 429 before the first byte is retried on the group; a group that keeps failing falls back; the created
    /// response's id names the deployment that answered, so its calls go there.
    @Test func retriesAndFallbacksBeforeTheFirstByte() async throws {
        let config: @Sendable (String) -> String = { mock in
            """
            model_list:
              - model_name: flaky
                litellm_params:
                  model: azure/o4-mini
                  api_base: \(mock)
                  api_key: \(TestConfigs.azureKey)
                  extra_headers: {x-mock-fault: "429 then 200"}
              - model_name: broken
                litellm_params:
                  model: azure/gpt-4o
                  api_base: \(mock)
                  api_key: \(TestConfigs.azureKey)
                  extra_headers: {x-mock-fault: "500"}
              - model_name: o4-mini
                litellm_params: {model: azure/o4-mini, api_base: \(mock), api_key: \(TestConfigs.azureKey)}
            router_settings:
              num_retries: 1
              retry_after: 0
              fallbacks: [{broken: [o4-mini]}]
            general_settings:
              master_key: \(TestConfigs.masterKey)
            """
        }
        try await withProxy(mock: Self.mock, config: config) { proxy in
            let retried = try await Self.post(proxy, ["model": "flaky", "input": "hello"])
            #expect(retried.status == 200, "\(retried.text)")
            #expect(retried.headers.first(name: "x-litellm-attempted-retries") == "1")
            let fellBack = try await Self.post(proxy, ["model": "broken", "input": "hello"])
            #expect(fellBack.status == 200, "\(fellBack.text)")
            #expect(fellBack.headers.first(name: "x-litellm-attempted-fallbacks") == "1")
            #expect(fellBack.headers.first(name: "x-litellm-model-group") == "o4-mini")
            let id = try #require(fellBack.json?["id"]?.stringValue)
            let answering = proxy.gateway.config.deployments.first { $0.modelName == "o4-mini" }
            #expect(ResponseID.decode(id).modelID == answering?.id)
        }
    }

    @Test func azureResponsesURLsFollowLiteLLMsVersionRules() throws {
        func url(_ params: String) throws -> String {
            let config = try ConfigLoader.parse(
                "model_list: [{model_name: m, litellm_params: {model: azure/d, "
                    + "api_base: 'https://r.openai.azure.com'\(params)}}]",
                file: "t.yaml",
                environment: [:]
            )
            return UpstreamRequestBuilder.azureResponses(config.deployments[0]).url
        }
        #expect(try url("") == "https://r.openai.azure.com/openai/v1/responses?api-version=preview")
        #expect(
            try url(", api_version: 2025-04-01-preview")
                == "https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview"
        )
        #expect(
            try url(", api_version: '2024-10-21'")
                == "https://r.openai.azure.com/openai/v1/responses?api-version=preview"
        )
        #expect(try url(", api_version: latest") == "https://r.openai.azure.com/openai/v1/responses?api-version=latest")
        #expect(
            try url(", api_version: '2024-10-21', responses_api_version: 2025-03-01-preview")
                == "https://r.openai.azure.com/openai/responses?api-version=2025-03-01-preview"
        )
        let id = ResponseID.encode(provider: "azure", modelID: "my-model-id-1", responseID: "resp_abc123")
        #expect(
            id
                == "resp_bGl0ZWxsbTpjdXN0b21fbGxtX3Byb3ZpZGVyOmF6dXJlO21vZGVsX2lkOm15LW1vZGVsLWlkLTE7"
                + "cmVzcG9uc2VfaWQ6cmVzcF9hYmMxMjM="
        )
        #expect(ResponseID.decode(id) == .init(provider: "azure", modelID: "my-model-id-1", responseID: "resp_abc123"))
        #expect(ResponseID.decode(String(id.dropLast())).modelID == nil)
        // Bytes whose standard base64 has `+` and `/`: the id stays a single path segment, and reads back.
        let awkward = ResponseID.encode(provider: "azure", modelID: "ÿÿ?>>", responseID: "resp_ÿ")
        #expect(!awkward.contains("/") && !awkward.contains("+"))
        #expect(ResponseID.decode(awkward).modelID == "ÿÿ?>>")
    }
}
