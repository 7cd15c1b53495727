import Foundation
import MockAzure
import NIOHTTP1
import TestSupport
import Testing
import Wire

/// The Responses API as MockAzure answers it over HTTP: both URL forms and their api-versions, the response object,
/// the event stream, stored responses (retrieve, input items, delete) and Azure's refusals.
@Suite struct MockAzureResponsesTests {
    typealias H = MockAzureHTTPTests

    static func create(_ base: String, _ body: JSON, path: String = "/openai/v1/responses") async throws -> TestResponse
    {
        try await TestHTTP.request(.POST, base + path, headers: H.key, body: body.serialized())
    }

    @Test func bothURLFormsAndTheirVersions() async throws {
        try await withMockAzure { _, base in
            let body: JSON = ["model": "gpt-4o", "input": "hello"]
            #expect(try await Self.create(base, body).status == 200)
            #expect(try await Self.create(base, body, path: "/openai/v1/responses?api-version=preview").status == 200)
            #expect(
                try await Self.create(base, body, path: "/openai/v1/responses?api-version=2024-10-21").status == 400
            )
            let dated = try await Self.create(base, body, path: "/openai/responses?api-version=2025-04-01-preview")
            #expect(dated.status == 200)
            let old = try await Self.create(base, body, path: "/openai/responses?api-version=2025-01-01-preview")
            #expect(old.status == 404 && old.json?.value(at: "error.message") == "Resource not found")
            let keyless = try await TestHTTP.request(.POST, base + "/openai/v1/responses", body: body.serialized())
            #expect(keyless.status == 401)
        }
    }

    @Test func aReasoningAnswerHasItsSummaryUsageAndFilters() async throws {
        try await withMockAzure { _, base in
            let response = try await Self.create(
                base,
                ["model": "o4-mini", "input": [["role": "user", "content": "why?"]], "reasoning": ["summary": "auto"]]
            )
            let json = try #require(response.json)
            #expect(json["object"] == "response" && json["status"] == "completed" && json["model"] == "o4-mini")
            #expect(json.value(at: "output.0.type") == "reasoning" && json.value(at: "output.0.summary.0.text") != nil)
            #expect(json.value(at: "output.1.content.0.type") == "output_text")
            #expect(json.value(at: "reasoning.summary") == "detailed")
            let usage = try #require(json["usage"])
            #expect(
                usage["total_tokens"]?.intValue
                    == (usage["input_tokens"]?.intValue ?? 0) + (usage["output_tokens"]?.intValue ?? 0)
            )
            #expect((usage.value(at: "output_tokens_details.reasoning_tokens")?.intValue ?? 0) > 0)
            #expect(json.value(at: "content_filters.1.source_type") == "completion")
            let suffix = json["id"]?.stringValue?.dropFirst(5) ?? ""
            #expect(json.value(at: "output.1.id")?.stringValue == "msg_" + suffix)
        }
    }

    @Test func storedResponsesAreRetrievedListedAndDeleted() async throws {
        try await withMockAzure { _, base in
            let created = try await Self.create(base, ["model": "gpt-4o", "input": "remember me"])
            let id = try #require(created.json?["id"]?.stringValue)
            let url = base + "/openai/v1/responses/" + id
            #expect(try await TestHTTP.request(.GET, url, headers: H.key).json == created.json)
            let items = try await TestHTTP.request(.GET, url + "/input_items", headers: H.key).json
            #expect(items?.value(at: "data.0.content.0.text") == "remember me" && items?["has_more"] == false)
            let next = try await Self.create(
                base,
                ["model": "gpt-4o", "input": "and now?", "previous_response_id": .string(id)]
            )
            #expect(next.status == 200 && next.json?["previous_response_id"]?.stringValue == id)
            let deleted = try await TestHTTP.request(.DELETE, url, headers: H.key)
            #expect(deleted.json == ["id": .string(id), "object": "response", "deleted": true])
            #expect(try await TestHTTP.request(.GET, url, headers: H.key).status == 404)
            let orphan = try await Self.create(
                base,
                ["model": "gpt-4o", "input": "x", "previous_response_id": .string(id)]
            )
            #expect(orphan.status == 400 && orphan.json?.value(at: "error.code") == "previous_response_not_found")
            let unstored = try await Self.create(base, ["model": "gpt-4o", "input": "x", "store": false])
            let unstoredID = unstored.json?["id"]?.stringValue ?? ""
            #expect(
                try await TestHTTP.request(.GET, base + "/openai/v1/responses/" + unstoredID, headers: H.key).status
                    == 404
            )
        }
    }

    @Test func aStreamHasAzuresEventsInOrder() async throws {
        try await withMockAzure { _, base in
            let response = try await Self.create(
                base,
                ["model": "o4-mini", "input": "stream", "stream": true, "reasoning": ["summary": "auto"]]
            )
            var parser = SSEParser()
            let events = try parser.feed(Array(response.text.utf8))
            let types = events.compactMap(\.event)
            #expect(types.count == events.count && !response.text.contains("[DONE]"))
            #expect(
                Array(types.prefix(4)) == [
                    "response.created", "response.in_progress", "response.output_item.added",
                    "response.reasoning_summary_part.added",
                ]
            )
            #expect(types.last == "response.completed" && types.contains("response.output_text.delta"))
            let data = events.compactMap { try? JSON.parse(Array($0.data.utf8)) }
            #expect(zip(data, types).allSatisfy { $0["type"]?.stringValue == $1 })
            #expect(data.map { $0["sequence_number"]?.intValue ?? -1 } == Array(0 ..< data.count))
            let text = data.filter { $0["type"] == "response.output_text.delta" }.compactMap {
                $0["delta"]?.stringValue
            }
            #expect(text.joined() == data.last?.value(at: "response.output.1.content.0.text")?.stringValue)
        }
    }
}
