import Foundation
import MockAzure
import NIOHTTP1
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Images, audio, pass-through, files and batches: bodies forwarded as they are, only the deployment's credential
/// added; keys checked as for chat; routed calls retried before the first byte; spend rows with LiteLLM's call types.
@Suite struct ForwardTests {
    static func config(_ mock: String) -> String {
        """
        model_list:
          - model_name: dall-e-3
            litellm_params:
              model: azure/dall-e-3
              api_base: \(mock)
              api_key: \(TestConfigs.azureKey)
              api_version: "2024-10-21"
              extra_headers: {x-mock-fault: "429 then 200"}
          - model_name: gpt-4o
            litellm_params:
              model: azure/gpt-4o
              api_base: \(mock)
              api_key: \(TestConfigs.azureKey)
              api_version: "2024-10-21"
              timeout: 2
        router_settings:
          num_retries: 1
          retry_after: 0
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

    /// A model call that fails before its first byte is retried; the answer is the upstream's bytes.
    @Test func routedImageIsRetriedThenRelayed() async throws {
        try await withProxy(mock: Self.mock, config: Self.config) { proxy in
            let answer = try await TestHTTP.request(
                .POST,
                proxy.base + "/v1/images/generations",
                headers: proxy.auth,
                body: #"{"model": "dall-e-3", "prompt": "a red boat"}"#
            )
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.headers.first(name: "x-litellm-attempted-retries") == "1")
            #expect(answer.json?.value(at: "data.0.revised_prompt")?.stringValue == "A detailed picture of a red boat")
            let upstream = try #require(proxy.mock.journal.entries.last)
            #expect(upstream.path == "/openai/deployments/dall-e-3/images/generations")
            #expect(upstream.query == "api-version=2024-10-21")
        }
    }

    /// `/azure/{endpoint}` naming a group in its path streams the chat events through unchanged, with the
    /// deployment's key and never the caller's.
    @Test func passThroughStreamsWithTheDeploymentsKeyOnly() async throws {
        try await withProxy(mock: Self.mock, config: Self.config) { proxy in
            let stream = try await TestHTTP.stream(
                proxy.base + "/azure/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                headers: proxy.auth,
                body: #"{"messages": [{"role": "user", "content": "hi"}], "stream": true, "#
                    + #""stream_options": {"include_usage": true}}"#
            )
            #expect(stream.status == 200)
            #expect(stream.events.last?.event.isDone == true)
            #expect(stream.json.contains { $0.value(at: "choices.0.delta.content") != nil })
            let upstream = try #require(proxy.mock.journal.entries.last)
            // The journal keeps a hash of each credential header.
            let hashed = { (secret: String) in "sha256:" + SecretHash.sha256Hex(secret) }
            #expect(upstream.headers.contains { $0.0 == "api-key" && $0.1 == hashed(TestConfigs.azureKey) })
            #expect(!upstream.headers.contains { $0.1.hasSuffix(hashed(TestConfigs.masterKey)) })
            #expect(!upstream.headers.contains { $0.1.contains(TestConfigs.masterKey) })
            // Priced from the stream's usage chunk, which the relay read after passing it on.
            #expect(
                try await eventually {
                    let row = try await Self.row(proxy, callType: "allm_passthrough_route")
                    return row?["model_group"] == "gpt-4o" && (row?["spend"]?.doubleValue ?? 0) > 0
                        && (row?["total_tokens"]?.intValue ?? 0) > 0
                }
            )
            // Azure breaking off mid-stream cuts the client's connection too: no clean end.
            let fault: JSON = [
                "stream": true, "messages": [["role": "user", "content": "#mock-fault: disconnect-after:2"]],
            ]
            let cut = try await TestHTTP.stream(
                proxy.base + "/azure/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                headers: proxy.auth,
                body: fault.serialized()
            )
            #expect(cut.failed && cut.events.count == 2, "\(cut.events.count) events, failed: \(cut.failed)")
            // Azure going silent after the head: the deployment's timeout (2 s) ends the relay, cut.
            let silent: JSON = [
                "stream": true, "messages": [["role": "user", "content": "#mock-fault: stall-after:1"]],
            ]
            let started = ContinuousClock.now
            let stalled = try await TestHTTP.stream(
                proxy.base + "/azure/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
                headers: proxy.auth,
                body: silent.serialized()
            )
            #expect(stalled.failed && ContinuousClock.now - started < .seconds(10))
        }
    }

    /// Files without `files_settings` use AZURE_API_BASE, AZURE_API_KEY and AZURE_API_VERSION.
    @Test func filesUseTheEnvironmentsResource() async throws {
        try await withProxy(
            mock: Self.mock,
            config: Self.config,
            mockEnvironment: {
                ["AZURE_API_BASE": $0, "AZURE_API_KEY": TestConfigs.azureKey, "AZURE_API_VERSION": "2024-10-21"]
            }
        ) { proxy in
            let form = MultipartForm(parts: [
                .init(name: "purpose", data: Array("batch".utf8)),
                .init(name: "file", filename: "a.jsonl", contentType: "application/jsonl", data: Array("{}\n".utf8)),
            ])
            let uploaded = try await TestHTTP.request(
                .POST,
                proxy.base + "/v1/files",
                headers: proxy.auth + [("content-type", "multipart/form-data; boundary=XyZ")],
                body: String(decoding: form.encoded(boundary: "XyZ"), as: UTF8.self)
            )
            #expect(uploaded.status == 200, "\(uploaded.text)")
            #expect(uploaded.json?["bytes"]?.intValue == 3)
            let upstream = try #require(proxy.mock.journal.entries.last)
            #expect(upstream.path == "/openai/files" && upstream.query == "api-version=2024-10-21")
        }
    }

    /// A key without the group is refused on the model routes and on pass-through naming it; pass-through with
    /// nowhere to go says what is missing.
    @Test func keysAreCheckedAndAMissingResourceIsNamed() async throws {
        try await withProxyRouter(config: Self.config("http://127.0.0.1:1")) { proxy in
            let made = try await proxy.post("/key/generate", #"{"models": ["gpt-4o"]}"#)
            let key = try #require(made.json?["key"]?.stringValue, "\(made.text)")
            let image = try await proxy.post(
                "/v1/images/generations",
                #"{"model": "dall-e-3", "prompt": "x"}"#,
                key: key
            )
            #expect(image.status == 403 && image.text.contains("key_model_access_denied"), "\(image.text)")
            let passThrough = try await proxy.post(
                "/azure/openai/deployments/dall-e-3/images/generations?api-version=2024-10-21",
                #"{"prompt": "x"}"#,
                key: key
            )
            #expect(passThrough.status == 403 && passThrough.text.contains("key_model_access_denied"))
            // A deployment that is no group goes to the resource: not for a key limited to some models.
            let around = try await proxy.post(
                "/azure/openai/deployments/secret/chat/completions",
                #"{"model": "gpt-4o", "messages": []}"#,
                key: key
            )
            #expect(around.status == 403 && around.text.contains("every model"), "\(around.text)")
            let files = try await proxy.request(.get, "/v1/files", headers: [("authorization", "Bearer \(key)")])
            #expect(files.status == 403, "\(files.text)")
            for escape in ["openai/deployments/gpt-4o/../../../x", "openai/%2e%2e/x", "openai//x"] {
                let refused = try await proxy.post("/azure/" + escape, "{}")
                #expect(refused.status == 400 && refused.text.contains("Invalid pass-through path"), "\(escape)")
            }
            let nowhere = try await proxy.post("/azure/openai/deployments/unknown/chat/completions", "{}")
            #expect(nowhere.status == 404 && nowhere.text.contains("Required 'AZURE_API_BASE'"), "\(nowhere.text)")
            let openai = try await proxy.post("/openai/v1/chat/completions", "{}")
            #expect(openai.status == 404 && openai.text.contains("Required 'OPENAI_API_KEY'"), "\(openai.text)")
            let anonymous = try await proxy.request(.post, "/azure/openai/models", body: "{}")
            #expect(anonymous.status == 401)
        }
    }

    static func row(_ proxy: ProxyTestContext, callType: String) async throws -> JSON? {
        let rows = try await TestHTTP.request(.GET, proxy.base + "/spend/logs", headers: proxy.auth)
        return rows.json?.arrayValue?.first { $0["call_type"]?.stringValue == callType }
    }
}
