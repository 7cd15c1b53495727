import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

/// `mock-azure record` in front of a second MockAzure: what it writes replays frame for frame, without secrets.
@Suite struct RecorderTests {
    @Test func recordThenReplayGivesTheSameFrames() async throws {
        let out = try TestPaths.temporaryDirectory("recorded")
        let upstreamKey = "upstream-secret-key-123"
        let clientKey = "client-secret-key-456"
        let streamBody =
            #"{"stream":true,"stream_options":{"include_usage":true},"#
            + #""messages":[{"role":"user","content":"Say hello in three languages"}]}"#
        let plainBody = #"{"messages":[{"role":"user","content":"what llm are you"}]}"#

        let original = try await withMockAzure(
            MockAzureConfiguration(port: 0, fixturesDirectory: TestPaths.fixtures, apiKey: upstreamKey, speed: 4)
        ) { engine, upstream in
            let recorder = Recorder(
                configuration: RecordingConfiguration(
                    port: 0,
                    upstream: upstream,
                    upstreamAPIKey: upstreamKey,
                    outputDirectory: out.path
                )
            )
            return try await withRunningApplication({ recorder.makeApplication(onServerRunning: $0) }) { port in
                let base = "http://127.0.0.1:\(port)"
                let stream = try await TestHTTP.stream(
                    MockAzureHTTPTests.chatURL(base, "gpt-4o"),
                    headers: [("api-key", clientKey), ("cookie", "session=\(clientKey)")],
                    body: streamBody
                )
                let plain = try await TestHTTP.request(
                    .POST,
                    MockAzureHTTPTests.chatURL(base, "o4-mini"),
                    headers: [("api-key", clientKey)],
                    body: plainBody
                )
                #expect(plain.status == 200)
                // The upstream saw its own key, never the caller's.
                let sent = engine.journal.entries.flatMap(\.headers)
                #expect(sent.contains { $0 == ("api-key", "sha256:" + SecretHash.sha256Hex(upstreamKey)) })
                #expect(!sent.contains { $0.1.contains(SecretHash.sha256Hex(clientKey)) })
                return (stream, plain)
            }
        }
        #expect(original.0.events.count >= 5)

        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(files.count == 2)
        for file in files {
            let text = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains(upstreamKey) && !text.contains(clientKey), "secret in \(file)")
        }

        // Replay from the recorded folder alone.
        let replayFixtures = try TestPaths.temporaryDirectory("replay")
        try FileManager.default.copyItem(at: out, to: replayFixtures.appendingPathComponent("scenarios"))
        let set = try FixtureLoader.load(directory: replayFixtures.path)
        let streamScenario = try #require(set.scenarios.first { $0.response.frames != nil })
        #expect(streamScenario.response.frames?.map(\.data) == original.0.events.map(\.event.data))
        #expect(streamScenario.match?.stream == true)
        #expect((streamScenario.response.frames?.first?.delayMs ?? 0) > 0, "relative timing recorded")

        try await withMockAzure(MockAzureConfiguration(port: 0, fixturesDirectory: replayFixtures.path, speed: 0)) {
            _,
            base in
            let replayed = try await TestHTTP.stream(
                MockAzureHTTPTests.chatURL(base, "gpt-4o"),
                headers: [("api-key", "k")],
                body: streamBody
            )
            #expect(replayed.events.map(\.event.data) == original.0.events.map(\.event.data))
            let plain = try await TestHTTP.request(
                .POST,
                MockAzureHTTPTests.chatURL(base, "o4-mini"),
                headers: [("api-key", "k")],
                body: plainBody
            )
            #expect(plain.json == original.1.json)
        }
    }
}
