import Foundation
import NIOHTTP1
import Wire

/// The Responses API through the proxy: the response object, reasoning summaries, the event stream, stored
/// responses addressed by the id the proxy gave, and `previous_response_id` continued on a second replica.
extension ConformanceCatalog {
    /// A Responses API request to the proxy (`/v1/responses` or a path under it), or to the replica.
    static func responsesCall(
        _ c: CheckContext,
        _ method: HTTPMethod,
        _ path: String = "",
        body: JSON? = nil,
        replica: Bool = false
    ) async throws -> ObservedResponse {
        let base = replica ? (c.target.replica ?? c.target.proxy) : c.target.proxy
        return try await HTTPProbe.request(
            method,
            base + "/v1/responses" + path,
            headers: c.auth,
            body: body?.serialized()
        )
    }

    static func responsesBody(_ c: CheckContext, _ input: String, extra: JSONObject = JSONObject()) -> JSON {
        var body: JSONObject = ["model": .string(c.target.responsesModel), "input": .string(input)]
        for member in extra { body[member.key] = member.value }
        return .object(body)
    }

    /// A completed response created through the proxy.
    static func createdResponse(_ c: CheckContext, _ input: String, extra: JSONObject = JSONObject()) async throws
        -> JSON
    {
        try c.requireModel(c.target.responsesModel)
        let answer = try await responsesCall(c, .POST, body: responsesBody(c, input, extra: extra))
        try c.expect(answer.status == 200, "status \(answer.status): \(answer.text.prefix(200))")
        return try answer.json.orFail("not JSON: \(answer.text.prefix(120))")
    }

    static var responses: [ConformanceCheck] {
        [
            ConformanceCheck(
                "responses.create",
                .responses,
                "POST /v1/responses: a completed response with output text and usage that adds up"
            ) { c in
                let response = try await createdResponse(c, "what llm are you?")
                try c.expect(response["object"] == "response" && response["status"] == "completed", "not completed")
                try c.expect(response["id"]?.stringValue?.hasPrefix("resp_") == true, "id \(response["id"] ?? nil)")
                let message = response["output"]?.arrayValue?.first { $0["type"] == "message" }
                try c.expect(
                    message?.value(at: "content.0.type") == "output_text",
                    "no output_text",
                    observed: response
                )
                let usage = response["usage"] ?? nil
                let input = usage["input_tokens"]?.intValue ?? -1
                let output = usage["output_tokens"]?.intValue ?? -1
                try c.expect(
                    input >= 0 && output >= 0 && usage["total_tokens"]?.intValue == input + output,
                    "usage does not add up: \(usage.serialized())"
                )
                return [
                    "status": response["status"] ?? nil,
                    "usage_keys": .array(usage.objectValue?.keys.map(JSON.string) ?? []),
                ]
            },
            ConformanceCheck(
                "responses.reasoning-summary",
                .responses,
                "reasoning: {summary: auto} gives a reasoning item with a summary_text"
            ) { c in
                let response = try await createdResponse(
                    c,
                    "why is the sky blue?",
                    extra: ["reasoning": ["summary": "auto"]]
                )
                let item = response["output"]?.arrayValue?.first { $0["type"] == "reasoning" }
                try c.expect(
                    item?.value(at: "summary.0.type") == "summary_text",
                    "no reasoning summary",
                    observed: response
                )
                return ["summary_type": "summary_text"]
            },
            ConformanceCheck(
                "responses.stream",
                .responses,
                "A stream: named events in order, sequence numbers from 0, one response id, no [DONE], text adds up"
            ) { c in
                try c.requireModel(c.target.responsesModel)
                let stream = try await c.stream(
                    "/v1/responses",
                    responsesBody(c, "stream a short answer", extra: ["stream": true])
                )
                try c.expect(stream.status == 200 && !stream.failed, "status \(stream.status)")
                let events = stream.events.map(\.event)
                let data = events.compactMap { try? JSON.parse(Array($0.data.utf8)) }
                let types = data.compactMap { $0["type"]?.stringValue }
                try c.expect(types.first == "response.created" && types.last == "response.completed", "order \(types)")
                try c.expect(events.allSatisfy { $0.event != nil && !$0.isDone }, "an event without a name, or [DONE]")
                try c.expect(zip(events, types).allSatisfy { $0.event == $1 }, "event names differ from their type")
                let numbers = data.map { $0["sequence_number"]?.intValue ?? -1 }
                try c.expect(numbers == Array(0 ..< numbers.count), "sequence numbers \(numbers)")
                let ids = Set(data.compactMap { $0.value(at: "response.id")?.stringValue })
                try c.expect(ids.count == 1, "response ids \(ids)")
                let text = data.filter { $0["type"] == "response.output_text.delta" }.compactMap {
                    $0["delta"]?.stringValue
                }
                let final = data.last?.value(at: "response.output")?.arrayValue?.first { $0["type"] == "message" }
                try c.expect(
                    text.joined() == final?.value(at: "content.0.text")?.stringValue,
                    "deltas differ from the text"
                )
                return ["first": .string(types.first ?? ""), "last": .string(types.last ?? "")]
            },
            ConformanceCheck(
                "responses.stored",
                .responses,
                "The id the proxy gave retrieves, lists input items and deletes the response; then it is gone (404)"
            ) { c in
                let id = try await createdResponse(c, "remember this")["id"]?.stringValue ?? ""
                let fetched = try await responsesCall(c, .GET, "/" + id)
                try c.expect(
                    fetched.status == 200 && fetched.json?["id"]?.stringValue == id,
                    "retrieve \(fetched.status)"
                )
                let items = try await responsesCall(c, .GET, "/" + id + "/input_items")
                try c.expect(items.json?["object"] == "list", "input items \(items.status)")
                let deleted = try await responsesCall(c, .DELETE, "/" + id)
                try c.expect(deleted.status == 200 && deleted.json?["deleted"] == true, "delete \(deleted.status)")
                let gone = try await responsesCall(c, .GET, "/" + id)
                try c.expect(gone.status == 404, "after delete: \(gone.status)")
                return ["retrieve": 200, "delete": 200, "after": 404]
            },
            ConformanceCheck(
                "responses.previous-response",
                .responses,
                "previous_response_id continues a conversation on a second replica (--replica), which retrieves it too",
                litellm: .skip("the reference run has one LiteLLM process")
            ) { c in
                guard c.target.replica != nil else { throw CheckSkipped("needs a second replica (--replica URL)") }
                let id = try await createdResponse(c, "my name is Ada")["id"]?.stringValue ?? ""
                let next = try await responsesCall(
                    c,
                    .POST,
                    body: responsesBody(c, "what is my name?", extra: ["previous_response_id": .string(id)]),
                    replica: true
                )
                try c.expect(next.status == 200, "continue on the replica: \(next.status) \(next.text.prefix(160))")
                let fetched = try await responsesCall(c, .GET, "/" + id, replica: true)
                try c.expect(fetched.status == 200, "retrieve on the replica: \(fetched.status)")
                return ["continued": 200, "retrieved": 200]
            },
        ]
    }
}
