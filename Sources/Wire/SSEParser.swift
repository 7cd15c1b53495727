/// One server-sent event. OpenAI and Azure send only `data:` lines; the other fields are kept for completeness.
public struct SSEEvent: Sendable, Equatable {
    public var data: String
    public var event: String?
    public var id: String?
    public var retry: Int?

    public init(data: String, event: String? = nil, id: String? = nil, retry: Int? = nil) {
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry
    }

    /// True for the OpenAI end-of-stream sentinel `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }

    /// The event's data as JSON, or nil when it is `[DONE]` or not JSON.
    public var json: JSON? { isDone ? nil : try? JSON.parse(data) }
}

/// Why a stream could not be parsed.
public enum SSEParseError: Error, Sendable, Equatable {
    /// An event grew past `maximumEventSize` bytes without a blank line ending it.
    case eventTooLarge(limit: Int)
}

/// An incremental parser for `text/event-stream` (WHATWG rules): feed it bytes as they arrive, in pieces of any
/// size, and it returns each event as soon as its terminating blank line is seen. It is I/O-free and holds at
/// most one partial event, bounded by `maximumEventSize`.
public struct SSEParser: Sendable {
    public let maximumEventSize: Int

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    private var id: String?
    private var retry: Int?
    private var pendingSize = 0

    public init(maximumEventSize: Int = 8 * 1024 * 1024) {
        self.maximumEventSize = maximumEventSize
    }

    /// True when bytes of an event have been read but its blank line has not.
    public var hasPartialEvent: Bool { !line.isEmpty || hasData || event != nil || id != nil }

    /// Feeds bytes and returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(SSEParseError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            switch byte {
            case 0x0A:
                if lastWasCR {
                    lastWasCR = false
                    continue
                }
                if let event = endLine() { events.append(event) }
            case 0x0D:
                lastWasCR = true
                if let event = endLine() { events.append(event) }
            default:
                lastWasCR = false
                line.append(byte)
                pendingSize += 1
                if pendingSize > maximumEventSize { throw .eventTooLarge(limit: maximumEventSize) }
            }
        }
        return events
    }

    /// Ends the stream: an event without its blank line is discarded, as the specification says. Returns whether
    /// anything was left unfinished (a truncated stream).
    public mutating func finish() -> Bool {
        let truncated = hasPartialEvent
        line = []
        resetEvent()
        return truncated
    }

    private mutating func resetEvent() {
        data = []
        hasData = false
        event = nil
        id = nil
        retry = nil
        pendingSize = 0
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        // A UTF-8 byte order mark before a line is ignored.
        if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { line.removeFirst(3) }
        if line.isEmpty {
            guard hasData else {
                resetEvent()
                return nil
            }
            let result = SSEEvent(data: String(decoding: data, as: UTF8.self), event: event, id: id, retry: retry)
            resetEvent()
            return result
        }
        if line[0] == UInt8(ascii: ":") { return nil }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event": event = String(decoding: value, as: UTF8.self)
        case "id": id = String(decoding: value, as: UTF8.self)
        case "retry": retry = Int(String(decoding: value, as: UTF8.self))
        default: break
        }
        return nil
    }
}
