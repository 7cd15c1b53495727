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
