import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

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
