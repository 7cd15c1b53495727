import Foundation
import Wire

/// A file the resource keeps: Azure's file object and its bytes.
struct StoredFile: Sendable {
    var object: JSONObject
    var bytes: [UInt8]
}

/// A batch: its object as created, when, and whether it was cancelled (its status follows from the time).
struct StoredBatch: Sendable {
    var object: JSONObject
    var createdAt: Double
    var cancelledAt: Double?
}

/// Files and batches: `/openai/files` (multipart upload, list, retrieve, delete, `/content`) and `/openai/batches`
/// (create, list, retrieve, cancel), also under `/openai/v1/`. A batch goes validating → in progress → finalizing →
/// completed over `batchSeconds`; its output file holds one chat answer per input line, as Azure writes them.
extension MockAzureEngine {
    /// nil when the path is not the files or batches API's.
    func filesAndBatches(_ request: IncomingRequest, now: Double) -> MockReply? {
        var parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "openai" else { return nil }
        let isV1 = parts[1] == "v1"
        parts.removeFirst(isV1 ? 2 : 1)
        guard let collection = parts.first, collection == "files" || collection == "batches" else { return nil }
        let rest = Array(parts.dropFirst()).map { $0.removingPercentEncoding ?? $0 }
        let headers = resourceHeaders(request)
        func error(_ failure: (status: Int, body: JSON)) -> MockReply {
            .json(failure.status, failure.body, headers: headers)
        }
        if let refusal = resourceRefusal(request, isV1: isV1) { return error(refusal) }
        let reply: Result<JSON, BodyRefusal>
        if collection == "files" {
            if request.method == "GET", rest.count == 2, rest[1] == "content" {
                guard let file = store.withLockedValue({ $0.files[rest[0]] }) else {
                    return error(MockAzureEngine.notFound("File", rest[0]))
                }
                let type = [("content-type", "application/octet-stream")]
                return .body(status: 200, headers: headers.filter { $0.0 != "content-type" } + type, text: file.bytes)
            }
            reply = files(request, rest: rest, now: now)
        } else {
            reply = batches(request, rest: rest, now: now)
        }
        switch reply {
        case .success(let json): return .json(200, json, headers: headers)
        case .failure(let refusal): return error(refusal.failure)
        }
    }

    func files(_ request: IncomingRequest, rest: [String], now: Double) -> Result<JSON, BodyRefusal> {
        switch (request.method, rest.count) {
        case ("POST", 0):
            guard let boundary = MultipartForm.boundary(contentType: request.header("content-type")),
                let form = MultipartForm(body: request.body, boundary: boundary)
            else {
                let message = "Invalid content type. multipart/form-data is required."
                return .failure(
                    BodyRefusal(failure: AzureError.invalidRequest(message: message, param: nil, code: nil))
                )
            }
            guard let purpose = form.field("purpose") else {
                return .failure(BodyRefusal(failure: AzureError.missingParameter("purpose")))
            }
            guard let file = form.file() else {
                return .failure(BodyRefusal(failure: AzureError.missingParameter("file")))
            }
            return .success(.object(keep(file.data, filename: file.filename ?? "file", purpose: purpose, now: now)))
        case ("GET", 0):
            let purpose = request.queryItem("purpose")
            let objects = store.withLockedValue { store in
                store.files.values.map(\.object).filter { purpose == nil || $0["purpose"]?.stringValue == purpose }
            }
            return .success(MockAzureEngine.list(objects))
        case ("GET", 1), ("DELETE", 1):
            let removed = store.withLockedValue { store in
                request.method == "DELETE" ? store.files.removeValue(forKey: rest[0]) : store.files[rest[0]]
            }
            guard let removed else { return .failure(BodyRefusal(failure: MockAzureEngine.notFound("File", rest[0]))) }
            if request.method == "DELETE" {
                return .success(["id": .string(rest[0]), "object": "file", "deleted": true])
            }
            return .success(.object(removed.object))
        default:
            return .failure(BodyRefusal(failure: AzureError.resourceNotFound))
        }
    }

    /// Keeps a file and answers its object.
    func keep(_ bytes: [UInt8], filename: String, purpose: String, now: Double) -> JSONObject {
        let id = "file-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let object: JSONObject = [
            "id": .string(id), "object": "file", "bytes": .int(bytes.count), "created_at": .int(Int(now)),
            "filename": .string(filename), "purpose": .string(purpose), "status": "processed", "status_details": nil,
        ]
        store.withLockedValue { $0.files[id] = StoredFile(object: object, bytes: bytes) }
        return object
    }

    func batches(_ request: IncomingRequest, rest: [String], now: Double) -> Result<JSON, BodyRefusal> {
        switch (request.method, rest.count) {
        case ("POST", 0):
            let body: JSON
            switch MockAzureEngine.objectBody(request) {
            case .success(let object): body = object
            case .failure(let refusal): return .failure(refusal)
            }
            for name in ["input_file_id", "endpoint", "completion_window"] where body[name]?.stringValue == nil {
                return .failure(BodyRefusal(failure: AzureError.missingParameter(name)))
            }
            let input = body["input_file_id"]?.stringValue ?? ""
            guard store.withLockedValue({ $0.files[input] }) != nil else {
                return .failure(BodyRefusal(failure: MockAzureEngine.notFound("File", input)))
            }
            let id = "batch_" + UUID().uuidString.lowercased()
            var object: JSONObject = [
                "id": .string(id), "object": "batch", "endpoint": body["endpoint"] ?? nil, "errors": nil,
                "input_file_id": .string(input), "completion_window": body["completion_window"] ?? nil,
                "status": "validating", "output_file_id": nil, "error_file_id": nil, "created_at": .int(Int(now)),
                "in_progress_at": nil, "expires_at": .int(Int(now) + 86_400), "finalizing_at": nil,
                "completed_at": nil, "failed_at": nil, "expired_at": nil, "cancelling_at": nil, "cancelled_at": nil,
                "request_counts": ["total": 0, "completed": 0, "failed": 0], "metadata": body["metadata"] ?? nil,
            ]
            store.withLockedValue { $0.batches[id] = StoredBatch(object: object, createdAt: now) }
            object["status"] = "validating"
            return .success(.object(object))
        case ("GET", 0):
            let ids = store.withLockedValue { $0.batches.keys.sorted() }
            return .success(MockAzureEngine.list(ids.compactMap { batchState($0, now: now) }.map(\.object)))
        case ("GET", 1):
            guard let batch = batchState(rest[0], now: now) else {
                return .failure(BodyRefusal(failure: MockAzureEngine.notFound("Batch", rest[0])))
            }
            return .success(.object(batch.object))
        case ("POST", 2) where rest[1] == "cancel":
            let found = store.withLockedValue { store -> Bool in
                guard store.batches[rest[0]] != nil else { return false }
                if store.batches[rest[0]]?.cancelledAt == nil { store.batches[rest[0]]?.cancelledAt = now }
                return true
            }
            guard found, var batch = batchState(rest[0], now: now) else {
                return .failure(BodyRefusal(failure: MockAzureEngine.notFound("Batch", rest[0])))
            }
            if batch.object["status"] == "cancelled" { batch.object["status"] = "cancelling" }
            return .success(.object(batch.object))
        default:
            return .failure(BodyRefusal(failure: AzureError.resourceNotFound))
        }
    }

    /// A batch as it stands at `now`; the first look after it completes writes its output file.
    func batchState(_ id: String, now: Double) -> StoredBatch? {
        guard var batch = store.withLockedValue({ $0.batches[id] }) else { return nil }
        let step = configuration.batchSeconds / 3
        let created = batch.createdAt
        func at(_ seconds: Double) -> JSON { .int(Int(created + seconds)) }
        if let cancelled = batch.cancelledAt {
            batch.object["status"] = "cancelled"
            batch.object["cancelling_at"] = .int(Int(cancelled))
            batch.object["cancelled_at"] = .int(Int(cancelled))
            return batch
        }
        let elapsed = now - created
        if elapsed >= step { (batch.object["status"], batch.object["in_progress_at"]) = ("in_progress", at(step)) }
        if elapsed >= 2 * step {
            (batch.object["status"], batch.object["finalizing_at"]) = ("finalizing", at(2 * step))
        }
        guard elapsed >= 3 * step else { return batch }
        batch.object["status"] = "completed"
        batch.object["completed_at"] = at(3 * step)
        if batch.object["output_file_id"]?.stringValue == nil {
            let output = batchOutput(batch, now: now)
            store.withLockedValue { store in
                // Another look may have written it first: keep one output file.
                if let written = store.batches[id]?.object["output_file_id"], written.stringValue != nil {
                    batch.object["output_file_id"] = written
                    batch.object["request_counts"] = store.batches[id]?.object["request_counts"] ?? nil
                } else {
                    let id = "file-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                    let object: JSONObject = [
                        "id": .string(id), "object": "file", "bytes": .int(output.bytes.count),
                        "created_at": .int(Int(now)), "filename": "batch_output.jsonl", "purpose": "batch_output",
                        "status": "processed", "status_details": nil,
                    ]
                    store.files[id] = StoredFile(object: object, bytes: output.bytes)
                    batch.object["output_file_id"] = .string(id)
                    batch.object["request_counts"] = [
                        "total": .int(output.count), "completed": .int(output.count),
                        "failed": 0,
                    ]
                    store.batches[batch.object["id"]?.stringValue ?? ""]?.object = batch.object
                }
            }
        }
        return batch
    }

    /// One chat answer per input line (`{custom_id, method, url, body}`), as Azure's output lines.
    func batchOutput(_ batch: StoredBatch, now: Double) -> (bytes: [UInt8], count: Int) {
        let input = batch.object["input_file_id"]?.stringValue.flatMap { id in store.withLockedValue { $0.files[id] } }
        var lines: [String] = []
        for line in String(decoding: input?.bytes ?? [], as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let item = try? JSON.parse(Array(line.utf8)), let body = item["body"] else { continue }
            let name = body["model"]?.stringValue ?? "gpt-4o"
            let deployment = fixtures.deployments[name] ?? Deployment(name: name, model: name, kind: .chat)
            let chat = MockRequest(deployment: name, operation: .chatCompletions, apiVersion: "2024-10-21", body: body)
            let requestID = UUID().uuidString.lowercased()
            let output: JSON = [
                "custom_id": item["custom_id"] ?? nil,
                "response": [
                    "body": generator.chat(chat, deployment: deployment), "request_id": .string(requestID),
                    "status_code": 200,
                ],
                "error": nil,
            ]
            lines.append(output.serialized())
        }
        return (Array(lines.map { $0 + "\n" }.joined().utf8), lines.count)
    }

    static func list(_ objects: [JSONObject]) -> JSON {
        let sorted = objects.sorted {
            ($0["created_at"]?.intValue ?? 0, $0["id"]?.stringValue ?? "") < (
                $1["created_at"]?.intValue ?? 0, $1["id"]?.stringValue ?? ""
            )
        }
        return [
            "object": "list", "data": .array(sorted.map(JSON.object)), "first_id": sorted.first?["id"] ?? nil,
            "last_id": sorted.last?["id"] ?? nil, "has_more": false,
        ]
    }

    static func notFound(_ noun: String, _ id: String) -> (status: Int, body: JSON) {
        (404, AzureError.body(code: "404", message: "\(noun) with id '\(id)' not found."))
    }
}
