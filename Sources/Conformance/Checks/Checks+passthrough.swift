import Foundation
import NIOHTTP1
import Wire

/// Pass-through and files/batches: an Azure client pointed at `{proxy}/azure` gets Azure's answers through a model
/// group (the caller's key checked, the deployment's key added, streams relayed unchanged), and a JSONL batch goes
/// from upload to output through `/v1/files` and `/v1/batches`.
extension ConformanceCatalog {
    static func azurePassThrough(_ c: CheckContext, stream: Bool = false, key: Bool = true) async throws
        -> ObservedResponse
    {
        try c.requireModel(c.target.chatModel)
        var body: JSONObject = ["messages": [["role": "user", "content": "what llm are you?"]]]
        if stream { body["stream"] = true }
        return try await HTTPProbe.request(
            .POST,
            c.target.proxy + "/azure/openai/deployments/\(c.target.chatModel)/chat/completions"
                + "?api-version=2025-01-01-preview",
            headers: key ? c.auth : [],
            body: JSON.object(body).serialized()
        )
    }

    static var passThrough: [ConformanceCheck] {
        [
            ConformanceCheck(
                "passthrough.azure-routed",
                .passthrough,
                "/azure/openai/deployments/{group}/chat/completions: Azure's answer through the group's deployment"
            ) { c in
                let answer = try await azurePassThrough(c)
                try c.expect(answer.status == 200, "status \(answer.status): \(answer.text.prefix(200))")
                let json = try answer.json.orFail("not JSON: \(answer.text.prefix(120))")
                try c.expect(json["object"] == "chat.completion", "object \(json["object"] ?? nil)", observed: json)
                try c.expect(json.value(at: "choices.0.message.content")?.stringValue != nil, "no content")
                // Azure's own filter results come back: the body was not reshaped on the way.
                try c.expect(json["prompt_filter_results"] != nil, "prompt_filter_results missing", observed: json)
                return ["status": .int(answer.status), "model": json["model"] ?? nil]
            },
            ConformanceCheck(
                "passthrough.azure-stream",
                .passthrough,
                "a streamed pass-through call relays Azure's chunks and [DONE] unchanged"
            ) { c in
                let answer = try await azurePassThrough(c, stream: true)
                try c.expect(answer.status == 200, "status \(answer.status): \(answer.text.prefix(200))")
                var parser = SSEParser()
                let events = try parser.feed(answer.body[...])
                try c.expect(events.last?.isDone == true, "no [DONE] at the end")
                let chunks = events.compactMap(\.json)
                try c.expect(
                    !chunks.isEmpty
                        && chunks.allSatisfy { $0["object"] == "chat.completion.chunk" || $0["object"] == "" },
                    "not chat.completion.chunk events"
                )
                return ["events": .int(events.count)]
            },
            ConformanceCheck(
                "passthrough.azure-key-required",
                .passthrough,
                "/azure/{endpoint} without a key: 401, nothing sent upstream"
            ) { c in
                let answer = try await azurePassThrough(c, key: false)
                try c.expect(answer.status == 401, "status \(answer.status): \(answer.text.prefix(200))")
                return ["status": .int(answer.status)]
            },
            ConformanceCheck(
                "files.batch-lifecycle",
                .passthrough,
                "POST /v1/files (multipart) → POST /v1/batches → completed → the output file's lines",
                requires: .mock
            ) { c in
                let line: JSON = [
                    "custom_id": "conformance-1", "method": "POST", "url": "/chat/completions",
                    "body": ["model": .string(c.target.chatModel), "messages": [["role": "user", "content": "hi"]]],
                ]
                let form = MultipartForm(parts: [
                    .init(name: "purpose", data: Array("batch".utf8)),
                    .init(name: "file", filename: "batch.jsonl", data: Array((line.serialized() + "\n").utf8)),
                ])
                let azure = c.auth + [("custom-llm-provider", "azure")]
                let uploaded = try await HTTPProbe.request(
                    .POST,
                    c.target.proxy + "/v1/files",
                    headers: azure + [("content-type", "multipart/form-data; boundary=conformance")],
                    body: String(decoding: form.encoded(boundary: "conformance"), as: UTF8.self)
                )
                try c.expect(uploaded.status == 200, "upload: \(uploaded.status) \(uploaded.text.prefix(200))")
                let file = try (uploaded.json?["id"]?.stringValue).orFail("no file id: \(uploaded.text.prefix(200))")
                let request: JSON = [
                    "input_file_id": .string(file), "endpoint": "/chat/completions", "completion_window": "24h",
                ]
                let created = try await HTTPProbe.request(
                    .POST,
                    c.target.proxy + "/v1/batches",
                    headers: azure,
                    body: request.serialized()
                )
                try c.expect(created.status == 200, "batch: \(created.status) \(created.text.prefix(200))")
                let id = try (created.json?["id"]?.stringValue).orFail("no batch id: \(created.text.prefix(200))")
                var batch: JSON = nil
                for _ in 0 ..< 100 {
                    batch =
                        try await HTTPProbe.request(.GET, c.target.proxy + "/v1/batches/" + id, headers: azure)
                        .json ?? nil
                    if batch["status"] == "completed" || batch["status"] == "failed" { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                try c.expect(batch["status"] == "completed", "batch \(batch["status"] ?? nil)", observed: batch)
                let output = try (batch["output_file_id"]?.stringValue).orFail("no output file")
                let content = try await HTTPProbe.request(
                    .GET,
                    c.target.proxy + "/v1/files/\(output)/content",
                    headers: azure
                )
                let first = try JSON.parse(Array(content.body.prefix { $0 != 10 }))
                try c.expect(first["custom_id"] == "conformance-1", "output: \(content.text.prefix(200))")
                try c.expect(first.value(at: "response.status_code") == 200, "output: \(content.text.prefix(200))")
                return ["status": batch["status"] ?? nil, "request_counts": batch["request_counts"] ?? nil]
            },
        ]
    }
}
