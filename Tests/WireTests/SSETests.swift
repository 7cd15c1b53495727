import NIOCore
import Testing
import Wire

@Suite struct SSETests {
    static let stream = "data: {\"a\":1}\n\ndata: {\"b\":2}\n\n: comment\n\ndata: [DONE]\n\n"

    @Test func parsesWholeStream() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array(SSETests.stream.utf8))
        #expect(events.map(\.data) == [#"{"a":1}"#, #"{"b":2}"#, "[DONE]"])
        #expect(events.last?.isDone == true)
        #expect(events.first?.json?["a"]?.intValue == 1)
        #expect(parser.finish() == false)
    }

    /// Every way of cutting the stream in two gives the same events: events split across reads are reassembled.
    @Test func eventsSplitAcrossReadsAtEveryByte() throws {
        let bytes = Array(SSETests.stream.utf8)
        for cut in 0 ... bytes.count {
            var parser = SSEParser()
            var events = try parser.feed(bytes[..<cut])
            events += try parser.feed(bytes[cut...])
            #expect(events.map(\.data) == [#"{"a":1}"#, #"{"b":2}"#, "[DONE]"], "cut at \(cut)")
        }
    }

    @Test func byteByByteWithCRLF() throws {
        let text = "event: x\r\nid: 7\r\ndata: line1\r\ndata: line2\r\n\r\ndata:nospace\r\r"
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in text.utf8 { events += try parser.feed([byte]) }
        #expect(events == [SSEEvent(data: "line1\nline2", event: "x", id: "7"), SSEEvent(data: "nospace")])
    }

    @Test func truncatedStreamIsReported() throws {
        var parser = SSEParser()
        let events = try parser.feed(Array("data: {\"a\":1}\n\ndata: {\"b\"".utf8))
        #expect(events.count == 1)
        #expect(parser.hasPartialEvent)
        #expect(parser.finish() == true)
    }

    @Test func boundsEventSize() {
        var parser = SSEParser(maximumEventSize: 64)
        #expect(throws: SSEParseError.eventTooLarge(limit: 64)) {
            _ = try parser.feed(Array(("data: " + String(repeating: "x", count: 100)).utf8))
        }
    }

    @Test func writerRoundTrips() throws {
        let json: JSON = ["id": "chatcmpl-1", "choices": []]
        var parser = SSEParser()
        var buffer = SSEWriter.encode(json: json)
        buffer.writeImmutableBuffer(SSEWriter.encode(data: "multi\nline"))
        buffer.writeImmutableBuffer(SSEWriter.encode(SSEEvent(data: "x", event: "ping", id: "1")))
        buffer.writeImmutableBuffer(SSEWriter.done)
        #expect(String(buffer: SSEWriter.encode(json: json)) == "data: {\"id\":\"chatcmpl-1\",\"choices\":[]}\n\n")
        let events = try parser.feed(buffer.readableBytesView)
        #expect(events.map(\.data) == [json.serialized(), "multi\nline", "x", "[DONE]"])
        #expect(events[2].event == "ping")
    }
}

@Suite struct WireHelpersTests {
    @Test func secretForms() {
        #expect(SecretHash.sha256Hex("sk-1234") == "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b")
        #expect(SecretHash.abbreviated("sk-abcdefgh1234") == "sk-...1234")
        #expect(SecretHash.abbreviated("short") == "sk-...")
        #expect(SecretHash.constantTimeEquals("sk-1234", "sk-1234"))
        #expect(!SecretHash.constantTimeEquals("sk-1234", "sk-1235"))
        #expect(!SecretHash.constantTimeEquals("sk-1234", "sk-12345"))
        #expect(!SecretHash.constantTimeEquals("", "x"))
    }

    @Test func chatRequestView() throws {
        let request = ChatRequest(
            body: try JSON.parse(
                #"{"model":"o4-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}},{"type":"text","text":"b"}]}]}"#
            )
        )
        #expect(request.model == "o4-mini")
        #expect(request.isStream)
        #expect(request.includeUsage)
        #expect(request.maxOutputTokens == 50)
        #expect(request.lastUserMessageText == "a\nb")
        #expect(TokenEstimate.prompt(of: request) > 3)
    }

    @Test func errorBodies() throws {
        let error = OpenAIError(
            status: 401,
            message: "Authentication Error, No api key passed in.",
            type: "auth_error",
            param: "None"
        )
        #expect(
            error.json.serialized()
                == #"{"error":{"message":"Authentication Error, No api key passed in.","type":"auth_error","param":"None","code":"401"}}"#
        )
        #expect(OpenAIError(status: 401, body: error.json) == error)
        #expect(
            AzureError.resourceNotFound.body.serialized() == #"{"error":{"code":"404","message":"Resource not found"}}"#
        )
        #expect(
            AzureError.unsupportedParameter("max_tokens").body.value(at: "error.message")?.stringValue?.hasSuffix(
                "Use 'max_completion_tokens' instead."
            ) == true
        )
    }
}
