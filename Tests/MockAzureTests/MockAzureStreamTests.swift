import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

@Suite struct MockAzureStreamTests {
    static let key = [("api-key", "test-key")]
    static func url(_ base: String, _ deployment: String = "gpt-4o") -> String {
        MockAzureHTTPTests.chatURL(base, deployment)
    }
    static let streamBody = #"{"stream":true,"messages":[{"role":"user","content":"Say hello in three languages"}]}"#
    static let streamWithUsage =
        #"{"stream":true,"stream_options":{"include_usage":true},"#
        + #""messages":[{"role":"user","content":"Say hello in three languages"}]}"#

    /// Each frame is its own write, sent after its recorded delay: events arrive in separate reads, spaced as the
    /// fixture says.
    @Test func framesKeepTheirTimingAndAreNeverMerged() async throws {
        let scenario = try #require(
            try FixtureLoader.load(directory: TestPaths.fixtures).scenario(named: "stream-basic")
        )
        let expected = try #require(scenario.response.frames)
        try await withMockAzure(MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 1)) {
            _,
            base in
            let stream = try await TestHTTP.stream(Self.url(base), headers: Self.key, body: Self.streamWithUsage)
            #expect(stream.status == 200)
            #expect(stream.headers.first(name: "content-type") == "text/event-stream; charset=utf-8")
            #expect(stream.headers.first(name: "x-accel-buffering") == "no")
            #expect(stream.events.map(\.event.data) == expected.map(\.data))
            // Timing under a loaded machine: a second stream when the first breaks the schedule (StreamSchedule).
            var first: [TimedEvent]? = stream.events
            let violations = try await StreamSchedule.violations(expected) {
                if let events = first {
                    first = nil
                    return events
                }
                return try await TestHTTP.stream(Self.url(base), headers: Self.key, body: Self.streamWithUsage).events
            }
            #expect(violations == [])
        }
    }

    @Test func includeUsageSemantics() async throws {
        try await withMockAzure { _, base in
            let with = try await TestHTTP.stream(Self.url(base), headers: Self.key, body: Self.streamWithUsage)
            let withJSON = with.events.compactMap(\.event.json)
            #expect(withJSON.last?["choices"] == [] && withJSON.last?.value(at: "usage.total_tokens") != nil)
            #expect(withJSON.dropFirst().dropLast().allSatisfy { $0["usage"] == .null })
            #expect(with.events.last?.event.isDone == true)

            let without = try await TestHTTP.stream(Self.url(base), headers: Self.key, body: Self.streamBody)
            let withoutJSON = without.events.compactMap(\.event.json)
            #expect(withoutJSON.allSatisfy { $0["usage"] == nil })
            #expect(withoutJSON.count == withJSON.count - 1)
            #expect(without.events.filter(\.event.isDone).count == 1)
        }
    }

    @Test func recordedStreamsReplayFrameForFrame() async throws {
        let set = try FixtureLoader.load(directory: TestPaths.fixtures)
        try await withMockAzure { _, base in
            for name in ["stream-tool-calls", "stream-async-filter", "stream-output-filtered", "stream-o4-mini"] {
                let frames = try #require(set.scenario(named: name)?.response.frames)
                let stream = try await TestHTTP.stream(
                    Self.url(base),
                    headers: Self.key + [("x-mock-scenario", name)],
                    body:
                        #"{"stream":true,"stream_options":{"include_usage":true},"#
                        + #""messages":[{"role":"user","content":"x"}]}"#
                )
                #expect(stream.events.map(\.event.data) == frames.map(\.data), "\(name)")
            }
            // Tool-call argument deltas reassemble to valid JSON.
            let tools = try await TestHTTP.stream(
                Self.url(base),
                headers: Self.key,
                body: #"{"stream":true,"messages":[{"role":"user","content":"What is the weather in Tokyo?"}]}"#
            )
            let arguments = tools.events.compactMap {
                $0.event.json?.value(at: "choices.0.delta.tool_calls.0.function.arguments")?.stringValue
            }.joined()
            #expect(try JSON.parse(arguments)["location"] == "Tokyo")
            // Annotation frames: no delta, offsets present, one after the stop frame.
            let annotations = try await TestHTTP.stream(
                Self.url(base),
                headers: Self.key + [("x-mock-scenario", "stream-async-filter")],
                body: Self.streamBody
            )
            let json = annotations.events.compactMap(\.event.json)
            let stop = try #require(json.firstIndex { $0.value(at: "choices.0.finish_reason") == "stop" })
            #expect(
                json[(stop + 1)...].contains {
                    $0.value(at: "choices.0.content_filter_offsets") != nil && $0.value(at: "choices.0.delta") == nil
                }
            )
        }
    }

    @Test func droppedStreams() async throws {
        try await withMockAzure { _, base in
            let recorded = try await TestHTTP.stream(
                Self.url(base),
                headers: Self.key + [("x-mock-scenario", "stream-disconnect")],
                body: Self.streamBody
            )
            #expect(recorded.failed)
            #expect(!recorded.events.isEmpty && !recorded.events.contains { $0.event.isDone })

            let injected = try await TestHTTP.stream(
                Self.url(base),
                headers: Self.key + [("x-mock-fault", "disconnect-after:2")],
                body: Self.streamBody
            )
            #expect(injected.failed)
            #expect(injected.events.count == 2)

            // A plain body cut mid-way cannot be read whole.
            await #expect(throws: (any Error).self) {
                try await TestHTTP.request(
                    .POST,
                    Self.url(base),
                    headers: Self.key + [("x-mock-fault", "disconnect")],
                    body: #"{"messages":[{"role":"user","content":"x"}]}"#
                )
            }
        }
    }

    @Test func malformedFrameIsInjected() async throws {
        try await withMockAzure { _, base in
            let stream = try await TestHTTP.stream(
                Self.url(base),
                headers: Self.key + [("x-mock-fault", "malformed-frame")],
                body: Self.streamBody
            )
            #expect(stream.events.count(where: { $0.event.json == nil && !$0.event.isDone }) == 1)
            #expect(stream.events.last?.event.isDone == true)
        }
    }

    @Test func faultSequenceLetsAClientRetry() async throws {
        try await withMockAzure { _, base in
            let headers =
                Self.key + [("x-mock-fault", "429 then 500 then 200"), ("x-mock-fault-key", UUID().uuidString)]
            let body = #"{"messages":[{"role":"user","content":"x"}]}"#
            var statuses: [Int] = []
            for _ in 0 ..< 4 {
                statuses.append(try await TestHTTP.request(.POST, Self.url(base), headers: headers, body: body).status)
            }
            #expect(statuses == [429, 500, 200, 429])
            let bad = try await TestHTTP.request(
                .POST,
                Self.url(base),
                headers: Self.key + [("x-mock-fault", "teapot")],
                body: body
            )
            #expect(bad.status == 400 && bad.text.contains("unknown fault 'teapot'"))
            let first = try await TestHTTP.request(
                .POST,
                Self.url(base),
                headers: Self.key + [("x-mock-fault", "429")],
                body: body
            )
            #expect(first.header("retry-after") == "1" && first.header("retry-after-ms") == "1000")
            #expect(first.json?.value(at: "error.code") == "429")
        }
    }

    @Test func hangHoldsTheRequest() async throws {
        try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, speed: 0, hangSeconds: 0.5)
        ) { _, base in
            let start = ContinuousClock.now
            let response = try await TestHTTP.request(
                .POST,
                Self.url(base),
                headers: Self.key + [("x-mock-fault", "hang")],
                body: #"{"messages":[{"role":"user","content":"x"}]}"#
            )
            #expect(ContinuousClock.now - start >= .milliseconds(480))
            #expect(response.status == 408)
        }
    }
}
