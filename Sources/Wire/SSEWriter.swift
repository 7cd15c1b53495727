import NIOCore

/// Encodes server-sent events the way OpenAI and Azure do: `data: <payload>\n\n`, nothing else.
public enum SSEWriter {
    /// The sentinel event that ends an OpenAI stream.
    public static let done: ByteBuffer = ByteBuffer(string: "data: [DONE]\n\n")

    /// `data: <text>\n\n`; text with newlines becomes several `data:` lines, which a parser joins back.
    public static func encode(data text: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(data: text, into: &buffer)
        return buffer
    }

    public static func encode(json: JSON) -> ByteBuffer {
        var bytes: [UInt8] = Array("data: ".utf8)
        json.write(into: &bytes, indent: nil, level: 0)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return ByteBuffer(bytes: bytes)
    }

    /// `event: <name>\ndata: <json>\n\n`, as the Responses API frames its events.
    public static func encode(json: JSON, event name: String) -> ByteBuffer {
        var bytes: [UInt8] = Array("event: \(name)\ndata: ".utf8)
        json.write(into: &bytes, indent: nil, level: 0)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return ByteBuffer(bytes: bytes)
    }

    public static func encode(_ event: SSEEvent) -> ByteBuffer {
        var buffer = ByteBuffer()
        if let name = event.event { buffer.writeString("event: \(name)\n") }
        if let id = event.id { buffer.writeString("id: \(id)\n") }
        if let retry = event.retry { buffer.writeString("retry: \(retry)\n") }
        write(data: event.data, into: &buffer)
        return buffer
    }

    static func write(data text: String, into buffer: inout ByteBuffer) {
        if !text.contains(where: { $0 == "\n" || $0 == "\r" }) {
            buffer.writeString("data: ")
            buffer.writeString(text)
            buffer.writeString("\n\n")
            return
        }
        for line in text.split(
            omittingEmptySubsequences: false,
            whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        ) {
            buffer.writeString("data: ")
            buffer.writeSubstring(line)
            buffer.writeString("\n")
        }
        buffer.writeString("\n")
    }
}
