import Foundation
import NIOCore
import Proxy
import Testing
import Wire

/// LiteLLM's answers for two request shapes its e2e suite sends: a comma-separated `model` list, and `/completions`
/// on a chat deployment; against a real (strict) MockAzure.
@Suite struct LegacyShapesTests {
    typealias R = RouterIntegrationTests

    static func call(_ operation: ProxyOperation, _ body: JSON) -> ProxyCall {
        ProxyCall(operation: operation, route: operation.route, headers: [], body: body.byteBuffer())
    }

    @Test func commaSeparatedModelsAnswerAnArrayInOrder() async throws {
        let list = [R.entry("chat", "gpt-4o"), R.entry("backup", "gpt-4o-mini")].joined(separator: "\n")
        try await R.withRouter(list, settings: "{num_retries: 0}") { harness in
            let messages: JSON = [["role": "user", "content": "hi"]]
            let both = await harness.gateway.handle(
                Self.call(.chatCompletions, ["model": "chat, backup", "messages": messages])
            )
            let answers = try #require(try R.body(both).arrayValue)
            #expect(R.status(both) == 200 && answers.count == 2)
            #expect(answers[0]["model"] == "azure/gpt-4o-2024-11-20")
            #expect(answers[1]["model"]?.stringValue?.hasPrefix("azure/gpt-4o-mini") == true)
            let partly = await harness.gateway.handle(
                Self.call(.chatCompletions, ["model": "chat,nope", "messages": messages])
            )
            let entries = try #require(try R.body(partly).arrayValue)
            #expect(R.status(partly) == 200 && entries[0]["object"] == "chat.completion")
            #expect(entries[1]["status_code"] == 400 && entries[1]["model"] == "nope")
            let streamed = await harness.gateway.handle(
                Self.call(.chatCompletions, ["model": "chat,backup", "messages": messages, "stream": true])
            )
            #expect(R.status(streamed) == 400)
        }
    }

    @Test func completionsOnAChatDeploymentGoThroughChat() async throws {
        try await R.withRouter(R.entry("gpt-4", "gpt-4o")) { harness in
            let outcome = await harness.gateway.handle(
                Self.call(.completions, ["model": "gpt-4", "prompt": "Hello!", "max_tokens": 7, "echo": false])
            )
            #expect(R.status(outcome) == 200)
            let answer = try R.body(outcome)
            #expect(answer["object"] == "text_completion")
            #expect(answer.value(at: "choices.0.text")?.stringValue?.isEmpty == false)
            #expect(answer.value(at: "usage.total_tokens") != nil)
            let sent = try #require(harness.mock.journal.entries.last)
            #expect(sent.path.contains("/deployments/gpt-4o/chat/completions"))
            #expect(sent.body?["messages"] == [["role": "user", "content": "Hello!"]] && sent.body?["prompt"] == nil)

            let stream = await harness.gateway.handle(
                Self.call(.completions, ["model": "gpt-4", "prompt": "Hello!", "stream": true])
            )
            guard case .stream(_, let relay) = stream else {
                Issue.record("a stream was asked for")
                return
            }
            let written = Recorded<ByteBuffer>()
            _ = await relay.run { written.append($0) }
            let text = written.values.map { String(buffer: $0) }.joined()
            let chunks = text.components(separatedBy: "\n\n").compactMap {
                $0.hasPrefix("data: {") ? try? JSON.parse(Array($0.dropFirst(6).utf8)) : nil
            }
            #expect(!chunks.isEmpty && chunks.allSatisfy { $0["object"] == "text_completion" })
            #expect(chunks.contains { $0.value(at: "choices.0.text")?.stringValue?.isEmpty == false })
            #expect(text.hasSuffix("data: [DONE]\n\n"))
        }
    }

    /// Azure refuses chat on an instruct deployment: the proxy sends the messages' text as a completion prompt and
    /// answers in chat's shape, streamed too (the client fallbacks LiteLLM's e2e suite sends to one need it).
    @Test func chatOnACompletionsDeploymentGoesThroughCompletions() async throws {
        try await R.withRouter(R.entry("gpt-instruct", "gpt-35-turbo-instruct")) { harness in
            let messages: JSON = [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hello!"]]
            let outcome = await harness.gateway.handle(
                Self.call(
                    .chatCompletions,
                    ["model": "gpt-instruct", "messages": messages, "max_completion_tokens": 9]
                )
            )
            #expect(R.status(outcome) == 200)
            let answer = try R.body(outcome)
            #expect(answer["object"] == "chat.completion")
            #expect(answer.value(at: "choices.0.message.content")?.stringValue?.isEmpty == false)
            let sent = try #require(harness.mock.journal.entries.last)
            #expect(sent.path.hasSuffix("/deployments/gpt-35-turbo-instruct/completions"))
            #expect(sent.body?["prompt"] == "Be brief.\nHello!" && sent.body?["max_tokens"] == 9)
            let stream = await harness.gateway.handle(
                Self.call(.chatCompletions, ["model": "gpt-instruct", "messages": messages, "stream": true])
            )
            guard case .stream(_, let relay) = stream else {
                Issue.record("a stream was asked for")
                return
            }
            let written = Recorded<ByteBuffer>()
            _ = await relay.run { written.append($0) }
            let chunks = written.values.map { String(buffer: $0) }.joined().components(separatedBy: "\n\n")
                .compactMap { $0.hasPrefix("data: {") ? try? JSON.parse(Array($0.dropFirst(6).utf8)) : nil }
            #expect(!chunks.isEmpty && chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            #expect(chunks.contains { $0.value(at: "choices.0.delta.content")?.stringValue?.isEmpty == false })
        }
    }
}
