import Foundation
import Wire

/// One exchange seen by the recorder, turned into a scenario document with secrets removed.
struct RecordedExchange {
    var deployment: String
    var operation: String
    var requestBody: JSON?
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var frames: [StreamFrame]?
    /// The stream ended without its terminating chunk or `[DONE]`.
    var droppedMidStream: Bool

    /// Response headers worth replaying; everything else (request ids, cookies, dates) is generated afresh.
    static let keptHeaders: Set<String> = [
        "retry-after", "retry-after-ms", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens",
        "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-rate-limit-reset-tokens",
        "x-rate-limit-reset-requests",
        "policy-id", "x-ms-region",
    ]

    func document(name: String, source: String, secrets: [String]) -> JSON {
        var match: JSONObject = ["deployment": .string(deployment), "path": .string(operation)]
        let chat = requestBody.map(ChatRequest.init(body:))
        match["stream"] = .bool(chat?.isStream ?? false)
        if let text = chat?.lastUserMessageText { match["last_user_message"] = ["equals": .string(text)] }
        var response: JSONObject = ["status": .int(status)]
        var kept = JSONObject()
        for (name, value) in headers where RecordedExchange.keptHeaders.contains(name.lowercased()) {
            kept[name.lowercased()] = .string(value)
        }
        if !kept.isEmpty { response["headers"] = .object(kept) }
        if let frames {
            response["stream"] = .array(
                frames.map { frame in
                    let data: JSON =
                        (frame.data != "[DONE]" ? (try? JSON.parse(frame.data)) : nil) ?? .string(frame.data)
                    return ["delay_ms": .double((frame.delayMs * 10).rounded() / 10), "data": data]
                }
            )
            if droppedMidStream { response["end"] = "disconnect" }
        } else if let json = try? JSON.parse(body) {
            response["body"] = json
        } else {
            response["raw_body"] = .string(String(decoding: body, as: UTF8.self))
        }
        let document: JSON = [
            "name": .string(name),
            "description": .string("Recorded from \(source) on \(ISO8601DateFormatter().string(from: Date()))"),
            "match": .object(match),
            "response": .object(response),
        ]
        return RecordedExchange.redact(document, secrets: secrets)
    }

    /// Replaces every occurrence of a secret in any string of the document.
    static func redact(_ value: JSON, secrets: [String]) -> JSON {
        let secrets = secrets.filter { $0.count >= 4 }
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(var text):
            for secret in secrets { text = text.replacingOccurrences(of: secret, with: "REDACTED") }
            return .string(text)
        case .array(let items): return .array(items.map { redact($0, secrets: secrets) })
        case .object(let object):
            return .object(JSONObject(object.map { ($0.key, redact($0.value, secrets: secrets)) }))
        default: return value
        }
    }
}
