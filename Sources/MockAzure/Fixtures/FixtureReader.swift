import Wire

/// Reads typed values out of a fixture's JSON, turning every mistake into a `FixtureError` with its key path.
struct FixtureReader {
    let file: String

    func fail(_ path: String, _ reason: String) -> FixtureError {
        FixtureError(file: file, keyPath: path, reason: reason)
    }

    func object(_ value: JSON?, _ path: String) throws(FixtureError) -> JSONObject {
        guard case .object(let object) = value else {
            throw fail(path, "expected a mapping, found \(value?.kindName ?? "nothing")")
        }
        return object
    }

    func optionalString(_ value: JSON?, _ path: String) throws(FixtureError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard case .string(let text) = value else { throw fail(path, "expected a string, found \(value.kindName)") }
        return text
    }

    func string(_ value: JSON?, _ path: String) throws(FixtureError) -> String {
        guard let text = try optionalString(value, path) else { throw fail(path, "is required") }
        return text
    }

    /// A whole number within `range` (a fixture's rpm, dimensions…), so that replaying it cannot overflow or allocate
    /// without bound.
    func optionalInt(_ value: JSON?, _ path: String, in range: ClosedRange<Int> = 0 ... Int.max) throws(FixtureError)
        -> Int?
    {
        guard let value, !value.isNull else { return nil }
        guard let number = value.intValue else {
            throw fail(
                path,
                "expected a whole number, found \(value.kindName == "number" ? value.serialized() : value.kindName)"
            )
        }
        guard range.contains(number) else {
            throw fail(path, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// A finite number ≥ 0 and at most `maximum` (a delay or a window, converted to clock durations when replayed).
    func optionalDouble(_ value: JSON?, _ path: String, atMost maximum: Double) throws(FixtureError) -> Double? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.doubleValue, number.isFinite, number >= 0 else {
            throw fail(path, "expected a number ≥ 0, found \(value.kindName)")
        }
        guard number <= maximum else { throw fail(path, "must be at most \(Int(maximum))") }
        return number
    }

    func optionalBool(_ value: JSON?, _ path: String) throws(FixtureError) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard case .bool(let flag) = value else { throw fail(path, "expected true or false, found \(value.kindName)") }
        return flag
    }

    /// Rejects keys the format does not define: a typo must not silently change what a fixture does.
    func onlyKnownKeys(_ object: JSONObject, _ known: Set<String>, _ path: String) throws(FixtureError) {
        for key in object.keys where !known.contains(key) {
            throw fail(
                path.isEmpty ? key : "\(path).\(key)",
                "unknown key (known: \(known.sorted().joined(separator: ", ")))"
            )
        }
    }

    /// A string or a list of strings.
    func stringList(_ value: JSON?, _ path: String) throws(FixtureError) -> [String]? {
        switch value {
        case nil, .null?: return nil
        case .string(let single)?: return [single]
        case .array(let items)?:
            var result: [String] = []
            for (offset, item) in items.enumerated() {
                result.append(try string(item, "\(path)[\(offset)]"))
            }
            return result
        case let other?: throw fail(path, "expected a string or a list of strings, found \(other.kindName)")
        }
    }
}
