import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

@Suite struct KeyExtractorTests {
    func extract(_ headers: [String: String], custom: String? = nil) -> PresentedKey {
        KeyExtractor(customHeader: custom).extract { headers[$0] }
    }

    @Test func litellmHeaderOrder() {
        #expect(
            extract(["x-litellm-api-key": "Bearer a", "authorization": "Bearer b", "api-key": "c", "x-api-key": "d"])
                == .key("a")
        )
        #expect(extract(["x-litellm-api-key": "a2"]) == .key("a2"))
        #expect(extract(["authorization": "Bearer b", "api-key": "c", "x-api-key": "d"]) == .key("b"))
        #expect(extract(["authorization": "bearer  b2 "]) == .key("b2"))
        #expect(extract(["api-key": "c", "x-api-key": "d"]) == .key("c"))
        #expect(extract(["x-api-key": "d"]) == .key("d"))
        #expect(extract(["authorization": "sk-1234"]) == .malformed)
        #expect(extract(["authorization": "Basic xyz"]) == .malformed)
        #expect(extract(["authorization": "Bearer"]) == .none)
        #expect(extract([:]) == .none)
        #expect(extract(["my-key": "e", "authorization": "Bearer b"], custom: "My-Key") == .key("e"))
    }

    @Test func authenticator() async throws {
        let auth = Authenticator(masterKey: "sk-master")
        #expect(try await auth.authenticate { $0 == "authorization" ? "Bearer sk-master" : nil }.kind == .master)
        await #expect(throws: ProxyError.self) { try await auth.authenticate { _ in nil } }
        let wrong = await #expect(throws: ProxyError.self) {
            try await auth.authenticate { $0 == "api-key" ? "sk-wrong-9999" : nil }
        }
        #expect(wrong?.status == 401 && wrong?.error.type == "token_not_found_in_db")
        #expect(
            wrong?.error.message.contains("sk-...9999") == true
                && wrong?.error.message.contains("sk-wrong-9999") == false
        )
        let open = Authenticator(masterKey: nil)
        #expect(try await open.authenticate { _ in nil }.kind == .anonymous)
    }
}

@Suite struct UpstreamRequestBuilderTests {
    static func deployment(_ yaml: String) throws -> ModelDeployment {
        try #require(try ConfigLoader.parse("model_list:\n  - " + yaml).deployments.first)
    }

    @Test func azureDeploymentURLAndKey() throws {
        let deployment = try Self.deployment(
            "{model_name: o4-mini, litellm_params: {model: o4-mini, api_base: 'https://r.openai.azure.com/', "
                + "api_version: '2025-01-01-preview', api_key: k}}"
        )
        let request = UpstreamRequestBuilder(environment: [:]).build(
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
            UpstreamRequestBuilder(environment: [:]).build(plain, operation: .embeddings, body: [:]).url.hasSuffix(
                "/openai/deployments/gpt-4o/embeddings?api-version=2025-02-01-preview"
            )
        )
        #expect(
            UpstreamRequestBuilder(environment: ["AZURE_API_VERSION": "2024-10-21"]).build(
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
            UpstreamRequestBuilder(environment: [:]).build(v1, operation: .chatCompletions, body: [:]).url
                == "https://r.openai.azure.com/openai/v1/chat/completions"
        )
        let full = try Self.deployment(
            "{model_name: g, litellm_params: {model: azure/x, "
                + "api_base: 'https://r.openai.azure.com/openai/deployments/x', api_version: '2024-10-21', api_key: k}}"
        )
        #expect(
            UpstreamRequestBuilder(environment: [:]).build(full, operation: .chatCompletions, body: [:]).url
                == "https://r.openai.azure.com/openai/deployments/x/chat/completions?api-version=2024-10-21"
        )
    }

    @Test func streamsAlwaysAskForUsageAndOpenAIUsesBearer() throws {
        let deployment = try Self.deployment(
            "{model_name: g, litellm_params: {model: openai/gpt-4o, api_base: 'http://localhost:9/v1', "
                + "api_key: k, reasoning_effort: low}}"
        )
        let request = UpstreamRequestBuilder(environment: [:]).build(
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

@Suite struct ShapingTests {
    /// Azure's seed body, shaped, is the seed's proxy response in every key it has.
    @Test func seedUpstreamBecomesSeedProxyResponse() throws {
        let upstream = try JSON.parse(
            Data(
                contentsOf: TestPaths.root.appendingPathComponent(
                    "fixtures/reference/seed-azure-upstream-response.json"
                )
            )
        )
        let expected = try JSON.parse(
            Data(contentsOf: TestPaths.root.appendingPathComponent("fixtures/reference/seed-proxy-response.json"))
        )
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: o4-mini, litellm_params: "
                + "{model: o4-mini, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        let shaped = ResponseShaper.shape(upstream, deployment: deployment)
        #expect(
            SeedComparison.differences(expected: expected, actual: shaped).isEmpty,
            "\(SeedComparison.differences(expected: expected, actual: shaped))"
        )
        #expect(
            shaped.objectValue?.keys.prefix(7).map { $0 } == [
                "id", "created", "model", "object", "choices", "usage", "prompt_filter_results",
            ]
        )
    }

    @Test func chunks() throws {
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        let content: JSON = ["choices": [["delta": ["content": "a"]]], "model": "gpt-4o-2024-11-20", "usage": nil]
        #expect(
            ResponseShaper.shapeChunk(content, deployment: deployment, clientWantsUsage: false) == [
                "choices": [["delta": ["content": "a"]]], "model": "azure/gpt-4o-2024-11-20",
            ]
        )
        #expect(ResponseShaper.shapeChunk(content, deployment: deployment, clientWantsUsage: true)?["usage"] == .null)
        let usage: JSON = ["choices": [], "model": "gpt-4o", "usage": ["total_tokens": 3]]
        #expect(ResponseShaper.shapeChunk(usage, deployment: deployment, clientWantsUsage: false) == nil)
        let filterFrame: JSON = ["choices": [], "model": "", "prompt_filter_results": []]
        #expect(ResponseShaper.shapeChunk(filterFrame, deployment: deployment, clientWantsUsage: false) == filterFrame)
    }
}

@Suite struct RouterTests {
    @Test func weightedShuffle() throws {
        let config = try ConfigLoader.parse(
            """
            model_list:
              - {model_name: g, litellm_params: {model: openai/a, api_key: k, weight: 3}}
              - {model_name: g, litellm_params: {model: openai/b, api_key: k, weight: 1}}
            router_settings: {model_group_alias: {alias: g}}
            """
        )
        let router = ModelRouter(config: config)
        let group = try #require(router.deployments(for: "alias"))
        var counts: [String: Int] = [:]
        for index in 0 ..< 1000 {
            counts[ModelRouter.pick(from: group, draw: Double(index) / 1000).upstreamModel, default: 0] += 1
        }
        #expect(counts == ["a": 750, "b": 250])
        #expect(router.groupName(for: "nope") == nil)
    }
}

@Suite struct PriceTableTests {
    @Test func pricesAndCost() throws {
        let table = PriceTable.shipped
        #expect(table.prices.count >= 15)
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: o4-mini, litellm_params: "
                + "{model: azure/o4-mini, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        let price = try #require(table.price(for: deployment, upstreamModel: "o4-mini-2025-04-16"))
        #expect(price == PriceTable.Price(input: 1.1e-06, output: 4.4e-06, cacheRead: 2.75e-07))
        #expect(
            abs(PriceTable.cost(usage: ["prompt_tokens": 11, "completion_tokens": 172], price: price) - 0.0007689)
                < 1e-12
        )
        let cached = PriceTable.cost(
            usage: ["prompt_tokens": 2006, "completion_tokens": 24, "prompt_tokens_details": ["cached_tokens": 1920]],
            price: try #require(table.prices["gpt-4o"])
        )
        #expect(abs(cached - (86 * 2.5e-06 + 1920 * 1.25e-06 + 24 * 1e-05)) < 1e-12)
        let custom = try UpstreamRequestBuilderTests.deployment(
            "{model_name: m, litellm_params: {model: openai/my-model, api_key: k}, model_info: "
                + "{input_cost_per_token: 1.0e-06, output_cost_per_token: 2.0e-06}}"
        )
        #expect(
            table.price(for: custom, upstreamModel: "my-model")
                == PriceTable.Price(input: 1e-06, output: 2e-06, cacheRead: nil)
        )
        let unknown = try UpstreamRequestBuilderTests.deployment(
            "{model_name: m, litellm_params: {model: openai/unknown-model, api_key: k}}"
        )
        #expect(table.price(for: unknown, upstreamModel: nil) == nil)
        #expect(table.lookup("gpt-4o-2024-11-20") != nil && table.lookup("azure/gpt-4.1-2025-04-14") != nil)
    }
}
