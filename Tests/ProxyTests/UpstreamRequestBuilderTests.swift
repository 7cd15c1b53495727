import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

@Suite struct UpstreamRequestBuilderTests {
    static func deployment(_ yaml: String) throws -> ModelDeployment {
        try #require(try ConfigLoader.parse("model_list:\n  - " + yaml).deployments.first)
    }

    @Test func azureDeploymentURLAndKey() throws {
        let deployment = try Self.deployment(
            "{model_name: o4-mini, litellm_params: {model: o4-mini, api_base: 'https://r.openai.azure.com/', "
                + "api_version: '2025-01-01-preview', api_key: k}}"
        )
        let request = try UpstreamRequestBuilder(environment: [:]).build(
            deployment,
            operation: .chatCompletions,
            body: [
                "model": "o4-mini", "max_tokens": 5, "messages": [], "api_base": "https://evil.example",
                "metadata": ["a": 1], "user": "u1",
            ]
        )
        #expect(
            request.url
                == "https://r.openai.azure.com/openai/deployments/o4-mini/chat/completions"
                + "?api-version=2025-01-01-preview"
        )
        #expect(request.headers.contains { $0 == ("api-key", "k") })
        #expect(!request.headers.contains { $0.0 == "authorization" })
        let body = try JSON.parse(request.body)
        #expect(body["max_completion_tokens"]?.intValue == 5 && body["max_tokens"] == nil)
        #expect(body["api_base"] == nil && body["metadata"] == nil)
        #expect(body["user"] == "u1" && body["model"] == "o4-mini")
    }

    @Test func apiVersionDefaultsAndV1() throws {
        let plain = try Self.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        #expect(
            try UpstreamRequestBuilder(environment: [:]).build(plain, operation: .embeddings, body: [:]).url.hasSuffix(
                "/openai/deployments/gpt-4o/embeddings?api-version=2025-02-01-preview"
            )
        )
        #expect(
            try UpstreamRequestBuilder(environment: ["AZURE_API_VERSION": "2024-10-21"]).build(
                plain,
                operation: .chatCompletions,
                body: [:]
            ).url.hasSuffix("?api-version=2024-10-21")
        )
        let v1 = try Self.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', "
                + "api_version: v1, api_key: k}}"
        )
        #expect(
            try UpstreamRequestBuilder(environment: [:]).build(v1, operation: .chatCompletions, body: [:]).url
                == "https://r.openai.azure.com/openai/v1/chat/completions"
        )
        let full = try Self.deployment(
            "{model_name: g, litellm_params: {model: azure/x, "
                + "api_base: 'https://r.openai.azure.com/openai/deployments/x', api_version: '2024-10-21', api_key: k}}"
        )
        #expect(
            try UpstreamRequestBuilder(environment: [:]).build(full, operation: .chatCompletions, body: [:]).url
                == "https://r.openai.azure.com/openai/deployments/x/chat/completions?api-version=2024-10-21"
        )
    }

    @Test func streamsAlwaysAskForUsageAndOpenAIUsesBearer() throws {
        let deployment = try Self.deployment(
            "{model_name: g, litellm_params: {model: openai/gpt-4o, api_base: 'http://localhost:9/v1', "
                + "api_key: k, reasoning_effort: low}}"
        )
        let request = try UpstreamRequestBuilder(environment: [:]).build(
            deployment,
            operation: .chatCompletions,
            body: ["stream": true, "max_tokens": 3, "stream_options": ["include_usage": false]]
        )
        #expect(request.url == "http://localhost:9/v1/chat/completions")
        #expect(request.headers.contains { $0 == ("authorization", "Bearer k") })
        let body = try JSON.parse(request.body)
        #expect(body.value(at: "stream_options.include_usage") == true)
        #expect(body["max_tokens"]?.intValue == 3, "not an o-series model: max_tokens stays")
        #expect(body["reasoning_effort"] == "low", "extra litellm_params are call defaults")
    }
}
