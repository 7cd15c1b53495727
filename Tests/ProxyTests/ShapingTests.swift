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

    /// A chat choice without `message` (Azure's filter-service error) gets an empty assistant message.
    @Test func chatChoiceWithoutMessageGetsOne() throws {
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        let upstream: JSON = [
            "object": "chat.completion", "model": "gpt-4o",
            "choices": [["index": 0, "finish_reason": "content_filter", "content_filter_result": ["error": [:]]]],
        ]
        let choice = ResponseShaper.shape(upstream, deployment: deployment).value(at: "choices.0")
        #expect(choice?["message"] == ["content": nil, "role": "assistant"])
        #expect(choice?.value(at: "provider_specific_fields.content_filter_result") == ["error": [:]])
    }
}
