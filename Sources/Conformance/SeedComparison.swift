import Wire

/// "Equals the seed response in every key it has": every key of `expected`, recursively, is present in `actual`
/// with an equal value; `actual` may add keys only when their value is null.
public enum SeedComparison {
    public static func differences(expected: JSON, actual: JSON, path: String = "$") -> [String] {
        switch (expected, actual) {
        case (.object(let want), .object(let have)):
            var problems: [String] = []
            for member in want {
                guard let value = have[member.key] else {
                    problems.append("\(path).\(member.key): missing")
                    continue
                }
                problems += differences(expected: member.value, actual: value, path: "\(path).\(member.key)")
            }
            for member in have where want[member.key] == nil && !member.value.isNull {
                problems.append("\(path).\(member.key): extra non-null key")
            }
            return problems
        case (.array(let want), .array(let have)):
            guard want.count == have.count else { return ["\(path): \(have.count) items, expected \(want.count)"] }
            return zip(want, have).enumerated().flatMap {
                differences(expected: $1.0, actual: $1.1, path: "\(path)[\($0)]")
            }
        default:
            return expected == actual
                ? [] : ["\(path): \(actual.serialized().prefix(80)) ≠ \(expected.serialized().prefix(80))"]
        }
    }
}
