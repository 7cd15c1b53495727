import Foundation

/// `multipart/form-data` (RFC 7578), as file uploads and audio transcriptions carry it: the proxy reads the fields it
/// routes on (`model`, `purpose`, `custom_llm_provider`) and forwards the bytes unchanged; MockAzure reads the file.
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var data: [UInt8]

        public init(name: String, filename: String? = nil, contentType: String? = nil, data: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }

        public var text: String { String(decoding: data, as: UTF8.self) }
    }

    public var parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    public func field(_ name: String) -> String? { parts.first { $0.name == name && $0.filename == nil }?.text }

    public func file(_ name: String = "file") -> Part? { parts.first { $0.name == name && $0.filename != nil } }

    /// The boundary a `content-type` header names, if it is multipart/form-data.
    public static func boundary(contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = pair[1]
            let unquoted =
                value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2
                ? String(value.dropFirst().dropLast()) : value
            // RFC 2046: 1 to 70 characters (a longer one would only make the search slower).
            return unquoted.isEmpty || unquoted.utf8.count > 70 ? nil : unquoted
        }
        return nil
    }

    /// nil when the body is not a well-formed form with that boundary.
    public init?(body: [UInt8], boundary: String) {
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else { return nil }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [Part] = []
        guard var cursor = MultipartForm.find(delimiter, in: body, from: 0) else { return nil }
        while true {
            cursor += delimiter.count
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") {
                break
            }
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else { return nil }
            cursor += 2
            guard let headerEnd = MultipartForm.find(Array("\r\n\r\n".utf8), in: body, from: cursor) else { return nil }
            let headerText = String(decoding: body[cursor ..< headerEnd], as: UTF8.self)
            let start = headerEnd + 4
            guard let next = MultipartForm.find([13, 10] + delimiter, in: body, from: start) else { return nil }
            var part = Part(name: "", data: Array(body[start ..< next]))
            for line in headerText.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                switch pair[0].lowercased() {
                case "content-disposition":
                    part.name = MultipartForm.parameter("name", in: value) ?? ""
                    part.filename = MultipartForm.parameter("filename", in: value)
                case "content-type": part.contentType = value
                default: break
                }
            }
            parts.append(part)
            cursor = next + 2
        }
        self.parts = parts
    }

    /// The form as a body with this boundary.
    public func encoded(boundary: String) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            if let type = part.contentType { head += "\r\nContent-Type: \(type)" }
            out += Array((head + "\r\n\r\n").utf8) + part.data + [13, 10]
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    static func parameter(_ name: String, in disposition: String) -> String? {
        for piece in disposition.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0], haystack[index ..< index + needle.count].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}
