import Foundation
import MockAzure
import Proxy
import TestSupport
import Testing
import Wire

/// Native streaming through the proxy: every upstream event relayed as it arrives.
@Suite struct ProxyStreamTests {
    static func body(_ model: String, _ prompt: String, usage: Bool? = nil) -> String {
        var object: JSONObject = [
            "model": .string(model), "stream": true, "messages": [["role": "user", "content": .string(prompt)]],
        ]
        if let usage { object["stream_options"] = ["include_usage": .bool(usage)] }
        return JSON.object(object).serialized()
    }

    @Test func eventsArriveWithTheirDelaysUnmerged() async throws {
        let frames = try #require(
            try FixtureLoader.load(directory: TestPaths.fixtures).scenario(named: "stream-basic")?.response.frames
        ).promptFilterFrameMerged
        try await withProxy(mock: MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 1)) {
            proxy in
            let stream = try await TestHTTP.stream(
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.body("gpt-4o", "Say hello in three languages", usage: true)
            )
            #expect(stream.status == 200)
            #expect(stream.headers.first(name: "content-type") == "text/event-stream")
            #expect(stream.headers.first(name: "x-litellm-model-group") == "gpt-4o")
            #expect(stream.events.count == frames.count)
            // Relayed as it arrives: one read per event, not before its recorded time, not held back (a second stream
            // when the first breaks the schedule on a loaded machine: StreamSchedule).
            var first: [TimedEvent]? = stream.events
            let violations = try await StreamSchedule.violations(frames) {
                if let events = first {
                    first = nil
                    return events
                }
                return try await TestHTTP.stream(
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth,
                    body: Self.body("gpt-4o", "Say hello in three languages", usage: true)
                ).events
            }
            #expect(violations == [])
            let models = stream.events.compactMap { $0.event.json?["model"]?.stringValue }.filter { !$0.isEmpty }
            #expect(!models.isEmpty && models.allSatisfy { $0 == "azure/gpt-4o-2024-11-20" })
            #expect(stream.events.last?.event.isDone == true)
        }
    }

    @Test func usageIsAlwaysRequestedButOnlyShownWhenAsked() async throws {
        try await withProxy { proxy in
            for asked in [true, false, nil] as [Bool?] {
                let stream = try await TestHTTP.stream(
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth,
                    body: Self.body("gpt-4o", "Say hello in three languages", usage: asked)
                )
                let sent = try #require(proxy.mock.journal.entries.last?.body)
                #expect(sent.value(at: "stream_options.include_usage") == true)
                let json = stream.events.compactMap(\.event.json)
                let usageFrames = json.filter { $0["usage"].map { !$0.isNull } ?? false }
                if asked == true {
                    #expect(usageFrames.count == 1 && json.last?["choices"] == [])
                    // The usage frame carries the cost, as x-litellm-response-cost does for a complete answer.
                    let usage = try #require(usageFrames.first?["usage"])
                    let price = try #require(
                        PriceTable.shipped.price(
                            for: proxy.gateway.config.deployments[1],
                            upstreamModel: "gpt-4o-2024-11-20"
                        )
                    )
                    #expect(
                        usage["cost"]?.doubleValue.map { abs($0 - PriceTable.cost(usage: usage, price: price)) < 1e-12 }
                            == true,
                        "\(usage)"
                    )
                    #expect(json.dropFirst().dropLast().allSatisfy { $0["usage"] == .null })
                } else {
                    #expect(
                        usageFrames.isEmpty && json.allSatisfy { $0["usage"] == nil },
                        "include_usage \(String(describing: asked))"
                    )
                }
                #expect(stream.events.filter(\.event.isDone).count == 1 && stream.events.last?.event.isDone == true)
            }
        }
    }

    @Test func oSeriesStreamsNativelyWithFilterAndAnnotationFrames() async throws {
        try await withProxy { proxy in
            let stream = try await TestHTTP.stream(
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.body("o4-mini", "Explain streaming in one sentence", usage: true)
            )
            let json = stream.events.compactMap(\.event.json)
            #expect(json.first?["prompt_filter_results"] != nil, "Azure's first frame is kept")
            #expect(json.count >= 6, "a native stream, not one replayed chunk")
            #expect((json.last?.value(at: "usage.completion_tokens_details.reasoning_tokens")?.intValue ?? 0) > 0)
            #expect(json.contains { $0["model"] == "azure/o4-mini-2025-04-16" })

            let annotated = try await TestHTTP.stream(
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.body("gpt-4o", "#mock-scenario: stream-async-filter")
            )
            let frames = annotated.events.compactMap(\.event.json)
            let stop = try #require(frames.firstIndex { $0.value(at: "choices.0.finish_reason") == "stop" })
            #expect(frames[(stop + 1)...].contains { $0.value(at: "choices.0.content_filter_offsets") != nil })
            #expect(annotated.events.last?.event.isDone == true)
        }
    }

    @Test func upstreamDropEndsWithAnErrorFrameThenDone() async throws {
        try await withProxy { proxy in
            for prompt in [
                "#mock-scenario: stream-disconnect", "Say hello in three languages\n#mock-fault: disconnect-after:3",
            ] {
                let stream = try await TestHTTP.stream(
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth,
                    body: Self.body("gpt-4o", prompt)
                )
                #expect(!stream.failed, "the proxy ends its own stream cleanly")
                let events = stream.events.map(\.event)
                #expect(events.count >= 3)
                #expect(events.last?.isDone == true)
                let error = try #require(events.dropLast().last?.json?["error"])
                #expect(
                    error["code"] == "500"
                        && error["message"]?.stringValue?.hasPrefix(
                            "litellm.APIConnectionError: AzureException - upstream stream"
                        ) == true
                )
                #expect(events.filter(\.isDone).count == 1)
            }
        }
    }

    @Test func upstreamErrorBeforeTheStreamIsAPlainError() async throws {
        try await withProxy { proxy in
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.body("gpt-4o", "#mock-fault: 429")
            )
            #expect(response.status == 429 && response.header("retry-after") == "1")
            #expect(response.json?.value(at: "error.type") == "throttling_error")
        }
    }

    @Test func clientDisconnectCancelsTheUpstreamStream() async throws {
        try await withProxy(mock: MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0.1)) {
            proxy in
            let reader = Task {
                try await TestHTTP.stream(
                    "\(proxy.base)/chat/completions",
                    headers: proxy.auth,
                    body: Self.body("gpt-4o", "Say hello in three languages")
                )
            }
            // Wait until the upstream stream is open, then hang up.
            let deadline = ContinuousClock.now + .seconds(10)
            while proxy.mock.openStreams == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(proxy.mock.openStreams == 1)
            try await Task.sleep(for: .milliseconds(300))
            reader.cancel()
            _ = try? await reader.value
            while proxy.mock.openStreams > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(proxy.mock.openStreams == 0)
            #expect(proxy.mock.abortedStreams == 1, "the upstream stream was cut, not played to its end")
        }
    }

    @Test func unreachableUpstreamFailsFast() async throws {
        try await withProxy { proxy in
            let started = ContinuousClock.now
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: Self.body("unreachable", "hi")
            )
            #expect(response.status == 500)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }
}
