import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

/// Files, batches, images and audio as MockAzure answers them, in memory with a clock the test moves: a batch goes
/// through Azure's states over `batchSeconds` and its output has one chat answer per input line.
@Suite struct MockAzureFilesTests {
    static func engine() throws -> MockAzureEngine {
        var configuration = MockAzureConfiguration(fixturesDirectory: TestPaths.fixtures, apiKey: "k", speed: 0)
        configuration.batchSeconds = 30
        return try MockAzureEngine(configuration: configuration)
    }

    static func call(
        _ engine: MockAzureEngine,
        _ method: String,
        _ path: String,
        body: [UInt8] = [],
        type: String = "application/json",
        now: Double
    ) throws -> (status: Int, json: JSON?, bytes: [UInt8]) {
        let request = IncomingRequest(
            method: method,
            path: path,
            query: "api-version=2024-10-21",
            headers: [("api-key", "k"), ("content-type", type)],
            body: body
        )
        guard case .body(let status, _, let bytes) = engine.handle(request, now: now) else {
            throw CancellationError()
        }
        return (status, try? JSON.parse(bytes), bytes)
    }

    @Test func aBatchRunsThroughAzuresStatesAndWritesItsOutput() throws {
        let engine = try Self.engine()
        let lines = (0 ..< 2).map {
            #"{"custom_id": "c\#($0)", "method": "POST", "url": "/chat/completions", "body": {"model": "gpt-4o", "#
                + #""messages": [{"role": "user", "content": "q"}]}}"#
        }
        let form = MultipartForm(parts: [
            .init(name: "purpose", data: Array("batch".utf8)),
            .init(name: "file", filename: "in.jsonl", data: Array(lines.joined(separator: "\n").utf8)),
        ])
        let upload = try Self.call(
            engine,
            "POST",
            "/openai/files",
            body: form.encoded(boundary: "b"),
            type: "multipart/form-data; boundary=b",
            now: 1000
        )
        let fileID = try #require(upload.json?["id"]?.stringValue, "\(upload)")
        let created = try Self.call(
            engine,
            "POST",
            "/openai/batches",
            body: Array(
                #"{"input_file_id": "\#(fileID)", "endpoint": "/chat/completions", "completion_window": "24h"}"#.utf8
            ),
            now: 1000
        )
        let batchID = try #require(created.json?["id"]?.stringValue)
        var states: [String] = []
        for now in [1001.0, 1011, 1021, 1031] {
            states.append(
                try Self.call(engine, "GET", "/openai/batches/" + batchID, now: now).json?["status"]?.stringValue ?? ""
            )
        }
        #expect(states == ["validating", "in_progress", "finalizing", "completed"])
        let done = try Self.call(engine, "GET", "/openai/batches/" + batchID, now: 1040).json
        #expect(done?.value(at: "request_counts.total") == 2)
        let outputID = try #require(done?["output_file_id"]?.stringValue)
        let output = try Self.call(engine, "GET", "/openai/files/\(outputID)/content", now: 1041)
        let answers = String(decoding: output.bytes, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSON.parse(Array($0.utf8))
        }
        #expect(answers.map { $0["custom_id"]?.stringValue } == ["c0", "c1"])
        #expect(answers.allSatisfy { $0.value(at: "response.body.choices.0.message.content")?.stringValue != nil })
        let missing = try Self.call(engine, "GET", "/openai/batches/batch_nope", now: 1042)
        #expect(missing.status == 404)
    }

    @Test func mediaNeedsADeploymentOfItsKind() throws {
        let engine = try Self.engine()
        let wrong = try Self.call(
            engine,
            "POST",
            "/openai/deployments/gpt-4o/images/generations",
            body: Array(#"{"prompt": "x"}"#.utf8),
            now: 0
        )
        #expect(wrong.status == 400 && wrong.json?.value(at: "error.code") == "OperationNotSupported")
        let speech = try Self.call(
            engine,
            "POST",
            "/openai/deployments/tts/audio/speech",
            body: Array(#"{"input": "hi", "voice": "alloy"}"#.utf8),
            now: 0
        )
        #expect(speech.status == 200 && speech.bytes.count == 2 * 417)
        let noPrompt = try Self.call(
            engine,
            "POST",
            "/openai/deployments/dall-e-3/images/generations",
            body: Array("{}".utf8),
            now: 0
        )
        #expect(noPrompt.status == 400)
    }
}
