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

    /// A token count from an upstream's usage block: a whole number clamped to 0…2⁴⁰, so adding counts up never
    /// overflows (an upstream may send anything, `9223372036854775807` included).
    public var tokenCount: Int? {
        intValue.map { Swift.min(Swift.max($0, 0), 1 << 40) }
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

/// A JSON object whose members keep their order. Small objects (the OpenAI wire format's) are searched linearly,
/// which beats hashing; past `indexThreshold` members a key → position index keeps every lookup and insert O(1), so
/// building or rebuilding an object of n members (a client's 60,000-key `metadata`) is O(n), never O(n²).
public struct JSONObject: Sendable {
    public struct Member: Sendable {
        public var key: String
        public var value: JSON
    }

    public private(set) var members: [Member]
    /// Key → position in `members`, kept while the object has more than `indexThreshold` members.
    private var positions: [String: Int]?

    static let indexThreshold = 16

    public init() { self.members = [] }

    public init(_ pairs: some Sequence<(String, JSON)>) {
        self.members = []
        for (key, value) in pairs { self[key] = value }
    }

    /// Members with distinct keys and their positions, as the parser already has them (no second index is built).
    init(uniqueMembers: [Member], positions: [String: Int]) {
        self.members = uniqueMembers
        self.positions = uniqueMembers.count > JSONObject.indexThreshold ? positions : nil
    }

    mutating func appendUnchecked(_ member: Member) {
        members.append(member)
        if positions != nil {
            positions?[member.key] = members.count - 1
        } else if members.count > JSONObject.indexThreshold {
            reindex()
        }
    }

    /// Rebuilds the index after members moved (or drops it when the object became small again).
    private mutating func reindex() {
        guard members.count > JSONObject.indexThreshold else {
            positions = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { index[member.key] = position }
        positions = index
    }

    /// The same keys, in order, with transformed values: O(n).
    public func mapValues(_ transform: (JSON) throws -> JSON) rethrows -> JSONObject {
        var result = self
        for position in result.members.indices {
            result.members[position].value = try transform(members[position].value)
        }
        return result
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func index(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex { $0.key == key }
    }

    /// Reads a member; setting replaces it in place (keeping its position), appends a new one, or removes it with
    /// `nil`.
    public subscript(key: String) -> JSON? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let index = index(of: key) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                    if positions != nil { reindex() }
                }
            } else if let newValue {
                appendUnchecked(Member(key: key, value: newValue))
            }
        }
    }

    /// Inserts or moves `key` to `position` (clamped to the end).
    public mutating func insert(_ key: String, _ value: JSON, at position: Int) {
        if let index = index(of: key) { members.remove(at: index) }
        members.insert(Member(key: key, value: value), at: Swift.min(position, members.count))
        if positions != nil || members.count > JSONObject.indexThreshold { reindex() }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let index = index(of: key) else { return nil }
        let removed = members.remove(at: index).value
        if positions != nil { reindex() }
        return removed
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
