import Testing
import Wire

@testable import MockAzure

@Suite struct StreamShapeTests {
    @Test func usageFrameRemovedWhenNotAsked() throws {
        let frames = [
            StreamFrame(delayMs: 10, json: ["choices": [["delta": ["content": "a"]]], "usage": nil]),
            StreamFrame(delayMs: 5, json: ["choices": [], "usage": ["total_tokens": 3]]),
            StreamFrame(delayMs: 1, data: "[DONE]"),
        ]
        let adapted = StreamSynthesizer.adapt(frames, includeUsage: false)
        #expect(adapted.map(\.data) == [#"{"choices":[{"delta":{"content":"a"}}]}"#, "[DONE]"])
        #expect(adapted.last?.delayMs == 6)
        #expect(StreamSynthesizer.adapt(frames, includeUsage: true) == frames)
    }

    @Test func synthesizedStreamFollowsAzureLayout() throws {
        let body = try JSON.parse(
            #"""
            {"id":"chatcmpl-1","created":5,"model":"m","object":"chat.completion",\#
            "choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"finish_reason":"stop",\#
            "index":0,"message":{"content":"one two three four five","role":"assistant"}}],\#
            "prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"usage":{"prompt_tokens":1,\#
            "completion_tokens":2,"total_tokens":3}}
            """#
        )
        let frames = StreamSynthesizer.frames(for: body, includeUsage: true)
        let json = frames.dropLast().compactMap { try? JSON.parse($0.data) }
        #expect(json.count == frames.count - 1)
        #expect(json[0]["prompt_filter_results"] != nil && json[0]["choices"] == [])
        #expect(json[1].value(at: "choices.0.delta.role") == "assistant")
        let content = json.compactMap { $0.value(at: "choices.0.delta.content")?.stringValue }.joined()
        #expect(content == "one two three four five")
        #expect(json.dropFirst(2).first?.value(at: "choices.0.content_filter_results.hate.severity") == "safe")
        #expect(json[json.count - 2].value(at: "choices.0.finish_reason") == "stop")
        #expect(json.last?["choices"] == [] && json.last?.value(at: "usage.total_tokens")?.intValue == 3)
        #expect(json.dropFirst().dropLast().allSatisfy { $0["usage"] == .null })
        #expect(frames.last?.data == "[DONE]")
    }
}
