/// Where the members of a JSON object and the elements of an array lie in its text, found without building their
/// values: a proxy that only moves, renames or adds a few members can copy the rest as they came. Every span is
/// checked as `JSON.parse` checks it (grammar, nesting, UTF-8), so text that parse refuses is refused here too.
public enum JSONSpans {
    public struct Member: Sendable {
        public var key: String
        public var value: Range<Int>
    }

    /// The members of the object that fills `range` (white space around it allowed), in their order; nil when the
    /// value there is not an object.
    public static func members(_ bytes: [UInt8], in range: Range<Int>) throws(JSONParseError) -> [Member]? {
        var members: [Member] = []
        let found = try walk(bytes, range, opening: UInt8(ascii: "{")) { parser throws(JSONParseError) in
            try parser.eachMember(readingKeys: true) { parser, key throws(JSONParseError) in
                let start = parser.index
                try parser.skipValue()
                members.append(Member(key: key, value: start ..< parser.index))
            }
        }
        return found ? members : nil
    }

    /// The elements of the array that fills `range`; nil when the value there is not an array.
    public static func elements(_ bytes: [UInt8], in range: Range<Int>) throws(JSONParseError) -> [Range<Int>]? {
        var elements: [Range<Int>] = []
        let found = try walk(bytes, range, opening: UInt8(ascii: "[")) { parser throws(JSONParseError) in
            try parser.eachElement { parser throws(JSONParseError) in
                let start = parser.index
                try parser.skipValue()
                elements.append(start ..< parser.index)
            }
        }
        return found ? elements : nil
    }

    /// Checks the value that fills `range`, walking it with `contents` when it opens with `opening`; whether it did.
    static func walk(
        _ bytes: [UInt8],
        _ range: Range<Int>,
        opening: UInt8,
        _ contents: (inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> Bool {
        var parser = JSONParser(bytes: bytes, range: range)
        parser.skipWhitespace()
        let opens = parser.index < parser.end && bytes[parser.index] == opening
        if opens { try contents(&parser) } else { try parser.skipValue() }
        parser.skipWhitespace()
        guard parser.index == parser.end else { throw parser.fail("unexpected data after the JSON value") }
        return opens
    }

    /// The value at `range`, parsed.
    public static func value(_ bytes: [UInt8], in range: Range<Int>) throws(JSONParseError) -> JSON {
        var parser = JSONParser(bytes: bytes, range: range)
        return try parser.parseDocument()
    }

    /// Appends the (already checked) JSON text at `range` without the white space between its tokens.
    public static func appendCompact(_ bytes: [UInt8], _ range: Range<Int>, to out: inout [UInt8]) {
        var inString = false
        var escaped = false
        var runStart = range.lowerBound
        for index in range {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                out.append(contentsOf: bytes[runStart ..< index])
                runStart = index + 1
            }
        }
        out.append(contentsOf: bytes[runStart ..< range.upperBound])
    }
}

extension JSONParser {
    init(bytes: [UInt8], range: Range<Int>) {
        self.init(bytes: bytes)
        self.index = range.lowerBound
        self.end = range.upperBound
    }

    /// `parseValue` without building the value.
    mutating func skipValue() throws(JSONParseError) {
        guard index < end else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try eachMember(readingKeys: false) { parser, _ throws(JSONParseError) in try parser.skipValue() }
        case UInt8(ascii: "["): try eachElement { parser throws(JSONParseError) in try parser.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): try scanNumber()
        default: throw fail("unexpected character")
        }
    }

    /// A string's extent; strings with escapes are checked by `parseString`.
    mutating func skipString() throws(JSONParseError) {
        let quote = index
        index += 1
        var ascii = true
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard ascii || UTF8Validation.isValid(bytes[quote + 1 ..< index]) else {
                    index = quote + 1
                    throw fail("string is not valid UTF-8")
                }
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        index = quote
        _ = try parseString()
    }
}
