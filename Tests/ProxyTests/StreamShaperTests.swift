import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Every stream fixture, shaped as LiteLLM's clients expect: the quickstart loop `chunk.choices[0].delta.content`
/// reads every frame, and nothing Azure sent is lost.
@Suite struct StreamShaperTests {
    static let deployment: ModelDeployment = {
        try! UpstreamRequestBuilderTests.deployment(
            "{model_name: g, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
    }()

    /// The `data` frames of every scenario in fixtures/scenarios that streams, by scenario file.
    static func streams() throws -> [(String, [JSON])] {
        let folder = URL(fileURLWithPath: TestPaths.fixtures).appendingPathComponent("scenarios")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().compactMap { name in
            guard name.hasSuffix(".yaml") else { return nil }
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let document = try JSON.parseYAML(text)
            guard let frames = document.value(at: "response.stream")?.arrayValue else { return nil }
            return (name, frames.compactMap { $0["data"]?.objectValue.map(JSON.object) })
        }
    }

    static func shaped(_ frames: [JSON], wantsUsage: Bool, shape: StreamShape = .litellm) -> [JSON] {
        var shaper = StreamShaper(deployment: deployment, clientWantsUsage: wantsUsage, shape: shape)
        return frames.compactMap { shaper.shape($0) }
    }

    @Test(arguments: [false, true]) func quickstartLoopReadsEveryFrame(wantsUsage: Bool) throws {
        let streams = try Self.streams()
        #expect(streams.count >= 6)
        for (name, frames) in streams {
            let shaped = Self.shaped(frames, wantsUsage: wantsUsage)
            for frame in shaped {
                let choices = frame["choices"]?.arrayValue ?? []
                if choices.isEmpty {
                    // Only the usage frame the client asked for has no choices, as OpenAI's own.
                    #expect(wantsUsage && frame["usage"]?.isNull == false, "\(name): \(frame)")
                }
                for choice in choices {
                    #expect(choice["delta"]?.objectValue != nil, "\(name): a choice without delta: \(frame)")
                }
            }
            let filters = frames.compactMap { $0["prompt_filter_results"] }.filter { !$0.isNull }
            let kept = shaped.compactMap { $0["prompt_filter_results"] }
            #expect(kept.count == min(filters.count, 1), "\(name): prompt_filter_results rides on one frame")
            let offsets = frames.flatMap { $0["choices"]?.arrayValue ?? [] }.filter {
                $0["content_filter_offsets"] != nil
            }
            let keptOffsets = shaped.flatMap { $0["choices"]?.arrayValue ?? [] }.filter {
                $0["content_filter_offsets"] != nil
            }
            #expect(keptOffsets.count == offsets.count, "\(name): annotation frames are kept")
        }
    }

    @Test func promptFiltersRideOnTheFirstFrameWithChoices() throws {
        let frames = try #require(Self.streams().first { $0.0 == "stream-async-filter.yaml" }?.1)
        let shaped = Self.shaped(frames, wantsUsage: false)
        #expect(shaped.first?["prompt_filter_results"] == frames.first?["prompt_filter_results"])
        #expect(shaped.first?.value(at: "choices.0.delta.role") == "assistant")
        let annotation = try #require(shaped.first { $0.value(at: "choices.0.content_filter_offsets") != nil })
        #expect(annotation.value(at: "choices.0.delta") == [:])
        #expect(annotation["id"] == "chatcmpl-5WDkMYBj2NM4MeCrbE8tzYonCf6Hu")
        #expect(annotation["model"] == "azure/gpt-4o-2024-11-20")
        #expect(annotation["object"] == "chat.completion.chunk")
    }

    @Test func usageFrameOnlyWhenAsked() throws {
        let content: JSON = ["choices": [["delta": ["content": "a"]]], "model": "gpt-4o-2024-11-20", "usage": nil]
        let usage: JSON = ["choices": [], "model": "gpt-4o", "usage": ["total_tokens": 3]]
        #expect(
            Self.shaped([content, usage], wantsUsage: false) == [
                ["choices": [["delta": ["content": "a"]]], "model": "azure/gpt-4o-2024-11-20"]
            ]
        )
        let asked = Self.shaped([content, usage], wantsUsage: true)
        #expect(asked.count == 2 && asked[0]["usage"] == .null && asked[1]["usage"] == ["total_tokens": 3])
    }

    @Test func azureShapeKeepsAzureFrames() throws {
        let frames = try #require(Self.streams().first { $0.0 == "stream-async-filter.yaml" }?.1)
        let shaped = Self.shaped(frames, wantsUsage: true, shape: .azure)
        #expect(shaped.count == frames.count)
        #expect(shaped.first?["choices"] == [])
        #expect(
            shaped.contains {
                $0.value(at: "choices.0.content_filter_offsets") != nil && $0.value(at: "choices.0.delta") == nil
            }
        )
    }
}
