/// A JSON value that keeps what a proxy must not lose: the order of object keys and the exact text of numbers.
///
/// Upstream bodies are re-emitted with their keys in the order Azure sent them and with numbers such as
/// `1.1e-06` or `1758371868` untouched. Equality (`==`) is semantic: object key order does not matter and
/// numbers compare by value, which is what a conformance check wants.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    /// The number's literal text as it appeared on the wire (or as produced by `JSON.number(_:)`).
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

extension JSON {
    /// A number from an integer.
    public static func int(_ value: Int) -> JSON { .number(String(value)) }

    /// A number from a floating point value, written the way Python's `repr` writes it for common values.
    public static func double(_ value: Double) -> JSON {
        if value.isNaN || value.isInfinite { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int(value)) + ".0") }
        return .number(String(value))
    }

    public subscript(key: String) -> JSON? {
        get {
            guard case .object(let object) = self else { return nil }
            return object[key]
        }
        set {
            guard case .object(var object) = self else { return }
            object[key] = newValue
            self = .object(object)
        }
    }

    public subscript(index: Int) -> JSON? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// Follows a dotted path such as `usage.completion_tokens_details.reasoning_tokens` or `choices.0.message`.
    public func value(at path: String) -> JSON? {
        var current: JSON? = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let node = current else { return nil }
            if case .array = node, let index = Int(part) {
                current = node[index]
            } else {
                current = node[String(part)]
            }
        }
        return current
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The integer value of a number that has no fractional part (`3`, `3.0`, `3e2`).
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let value = Int(text) { return value }
        guard let double = Double(text), double == double.rounded(), abs(double) < 9.0e15 else { return nil }
        return Int(double)
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A short name for the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSON: Equatable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)):
            if a == b { return true }
            guard let x = Double(a), let y = Double(b) else { return false }
            return x == y
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(elements))
    }
}

/// A JSON object whose members keep their order. Lookups are linear, which is faster than hashing for the
/// small objects of the OpenAI wire format.
public struct JSONObject: Sendable {
    public struct Member: Sendable {
        public var key: String
        public var value: JSON
    }

    public private(set) var members: [Member]

    public init() { self.members = [] }

    public init(_ pairs: some Sequence<(String, JSON)>) {
        self.members = []
        for (key, value) in pairs { self[key] = value }
    }

    mutating func appendUnchecked(_ member: Member) { members.append(member) }

    /// The same keys, in order, with transformed values: O(n), where rebuilding through the subscript is O(n²).
    public func mapValues(_ transform: (JSON) throws -> JSON) rethrows -> JSONObject {
        var result = JSONObject()
        result.members = try members.map { Member(key: $0.key, value: try transform($0.value)) }
        return result
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func index(of key: String) -> Int? { members.firstIndex { $0.key == key } }

    /// Reads a member; setting replaces it in place (keeping its position), appends a new one, or removes it with `nil`.
    public subscript(key: String) -> JSON? {
        get { members.first { $0.key == key }?.value }
        set {
            if let index = index(of: key) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Inserts or moves `key` to `position` (clamped to the end).
    public mutating func insert(_ key: String, _ value: JSON, at position: Int) {
        if let index = index(of: key) { members.remove(at: index) }
        members.insert(Member(key: key, value: value), at: Swift.min(position, members.count))
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let index = index(of: key) else { return nil }
        return members.remove(at: index).value
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}
