import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

/// Answers no scenario covers, generated for what the request asks: tool calls that fit the offered function, JSON
/// that fits a `json_schema`, `n` choices; streamed as Azure streams them. Offline CI tests structured-output clients.
@Suite struct MockAzureGeneratedTests {
    typealias H = MockAzureHTTPTests

    static let weather: JSON = [
        "type": "function",
        "function": [
            "name": "get_weather",
            "parameters": [
                "type": "object", "required": ["city", "unit"],
                "properties": [
                    "city": ["type": "string"], "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                    "days": ["type": "integer"],
                ],
            ],
        ],
    ]

    static func chat(_ base: String, _ body: JSONObject) async throws -> TestResponse {
        var body = body
        body["messages"] = [["role": "user", "content": "plan my trip"]]
        return try await TestHTTP.request(
            .POST,
            H.chatURL(base, "gpt-4o"),
            headers: H.key,
            body: JSON.object(body).serialized()
        )
    }

    @Test func toolsGetAToolCallThatFitsTheFunction() async throws {
        try await withMockAzure { _, base in
            let response = try await Self.chat(base, ["tools": [Self.weather]])
            #expect(response.json?.value(at: "choices.0.finish_reason") == "tool_calls")
            let call = try #require(response.json?.value(at: "choices.0.message.tool_calls.0"))
            #expect(call.value(at: "function.name") == "get_weather")
            let arguments = try JSON.parse(Array((call.value(at: "function.arguments")?.stringValue ?? "").utf8))
            #expect(arguments["unit"] == "celsius" && arguments["city"]?.stringValue != nil)
            #expect(arguments["days"]?.intValue != nil)
            let none = try await Self.chat(base, ["tools": [Self.weather], "tool_choice": "none"])
            #expect(none.json?.value(at: "choices.0.message.content")?.stringValue?.isEmpty == false)
        }
    }

    @Test func responseFormatAndNChoices() async throws {
        try await withMockAzure { _, base in
            let schema: JSON = [
                "type": "json_schema",
                "json_schema": [
                    "name": "trip",
                    "schema": [
                        "type": "object",
                        "properties": [
                            "title": ["type": "string"], "stops": ["type": "array", "items": ["type": "string"]],
                        ],
                    ],
                ],
            ]
            let structured = try await Self.chat(base, ["response_format": schema])
            let content = structured.json?.value(at: "choices.0.message.content")?.stringValue ?? ""
            let parsed = try JSON.parse(Array(content.utf8))
            #expect(parsed["title"]?.stringValue != nil && parsed["stops"]?.arrayValue?.count == 1)
            let object = try await Self.chat(base, ["response_format": ["type": "json_object"]])
            let text = object.json?.value(at: "choices.0.message.content")?.stringValue ?? ""
            #expect((try? JSON.parse(Array(text.utf8)))?.objectValue != nil)
            let three = try await Self.chat(base, ["n": 3])
            #expect(three.json?["choices"]?.arrayValue?.map { $0["index"] } == [0, 1, 2])
        }
    }
}
