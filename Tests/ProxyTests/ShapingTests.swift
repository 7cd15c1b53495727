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

    /// The byte shaper gives `shape`'s answer (same keys, order and values) for every recorded Azure body, compact
    /// or indented, and for the shapes it must move, add or keep; the seed's compact body comes out byte for byte.
    @Test func shapingFromBytesMatchesShape() throws {
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        let folder = TestPaths.root.appendingPathComponent("fixtures/scenarios")
        var bodies: [JSON] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let scenario = name.hasSuffix(".json") ? try JSON.parse(text) : try JSON.parseYAML(text)
            if let body = scenario.value(at: "response.body"), body.objectValue != nil { bodies.append(body) }
        }
        #expect(bodies.count >= 8)
        let cases = [
            #"{"object":"chat.completion","choices":[{"index":0,"finish_reason":"content_filter","#
                + #""content_filter_result":{"error":{"code":"x"}}}],"model":"gpt-4o"}"#,
            #"{"id":"a","choices":[{"message":{"role":"assistant","annotations":[],"content":"a\"b\n\u00e9 \/"},"#
                + #""provider_specific_fields":{"k":1},"content_filter_results":{"hate":{"filtered":false}},"#
                + #""index":0}],"object":"chat.completion","usage":{"total_tokens":3}}"#,
            #"{"object":"text_completion","choices":[{"text":"hi","index":0}],"model":"gpt-35-turbo-instruct"}"#,
            #"{"object":"list","data":[{"embedding":[0.1,-2e-3]}],"model":"text-embedding-3-small","usage":null}"#,
            #"{"id":"x","choices":[]}"#,
            #"{"object":"chat.completion","choices":[{"message":{"content":null,"role":"assistant"}}]}"#,
            " {\n \"model\" : \"o4-mini\" ,\"created\":\t1 } \n",
        ]
        var inputs = cases.map { Array($0.utf8) }
        for body in bodies { inputs += [body.serializedBytes(), Array(body.prettyPrinted().utf8)] }
        for input in inputs {
            let expected = ResponseShaper.shape(try JSON.parse(input), deployment: deployment)
            let shaped = try #require(try ResponseShaper.shapedBytes(input, deployment: deployment))
            let text = String(decoding: input, as: UTF8.self)
            #expect(try JSON.parse(shaped.body).serialized() == expected.serialized(), "\(text)")
            #expect(shaped.usage == (try JSON.parse(input))["usage"], "\(text)")
        }
        let seed = try Data(
            contentsOf: TestPaths.root.appendingPathComponent("fixtures/reference/seed-azure-upstream-response.json")
        )
        let compact = try JSON.parse(seed).serializedBytes()
        let shaped = try #require(try ResponseShaper.shapedBytes(compact, deployment: deployment))
        #expect(shaped.body == ResponseShaper.shape(try JSON.parse(compact), deployment: deployment).serializedBytes())
        #expect(shaped.model == "o4-mini-2025-04-16")
    }

    /// What `JSON.parse` refuses the byte shaper refuses; what it does not handle (repeated keys, choices that are
    /// not objects) it leaves to `shape`.
    @Test func shapingFromBytesRefusesAndDefers() throws {
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        for bad in [#"{"id":"x","choices":[{"index":0}"#, #"{"id":"x"} x"#, #"{"id":"x",}"#, #"{"a":01}"#] {
            #expect(throws: JSONParseError.self) {
                try ResponseShaper.shapedBytes(Array(bad.utf8), deployment: deployment)
            }
        }
        #expect(throws: JSONParseError.self) {
            let invalid: [UInt8] = [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]
            return try ResponseShaper.shapedBytes(invalid, deployment: deployment)
        }
        for deferred in [#"{"id":"x","id":"y"}"#, #"{"choices":[1]}"#, #"[1]"#, #"{"choices":[{"a":1,"a":2}]}"#] {
            #expect(try ResponseShaper.shapedBytes(Array(deferred.utf8), deployment: deployment) == nil)
        }
        let nested = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) {
            try ResponseShaper.shapedBytes(Array(#"{"a":\#(nested)}"#.utf8), deployment: deployment)
        }
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
