import Wire

/// Validates JSON against the subset of JSON Schema (draft-07) the bundled schemas use: `type` (one or a list;
/// `integer` = a number without fraction), `enum`, `properties`, `required`, `items`, `minItems`, `minimum`,
/// `minLength` and local `$ref` (`#/definitions/NAME`). Returns every violation with its JSON path.
public struct JSONSchemaValidator: Sendable {
    public let schema: JSON

    public init(schema: JSON) { self.schema = schema }

    public func violations(of value: JSON) -> [String] {
        var problems: [String] = []
        check(value, against: schema, path: "$", into: &problems)
        return problems
    }

    func resolve(_ node: JSON) -> JSON {
        guard let reference = node["$ref"]?.stringValue, reference.hasPrefix("#/definitions/") else { return node }
        return schema.value(at: "definitions." + reference.dropFirst("#/definitions/".count)) ?? [:]
    }

    func check(_ value: JSON, against rawNode: JSON, path: String, into problems: inout [String]) {
        let node = resolve(rawNode)
        if let types = node["type"] {
            let allowed = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue].compactMap { $0 }
            guard allowed.contains(where: { JSONSchemaValidator.matches(value, type: $0) }) else {
                problems.append("\(path): expected \(allowed.joined(separator: " or ")), found \(value.kindName)")
                return
            }
        }
        if let options = node["enum"]?.arrayValue, !options.contains(value) {
            problems.append(
                "\(path): \(value.serialized().prefix(60)) is not one of \(JSON.array(options).serialized())"
            )
        }
        if let minimum = node["minimum"]?.doubleValue, let number = value.doubleValue, number < minimum {
            problems.append("\(path): \(number) < \(minimum)")
        }
        if let minLength = node["minLength"]?.intValue, let text = value.stringValue, text.count < minLength {
            problems.append("\(path): shorter than \(minLength)")
        }
        if case .object(let object) = value {
            for key in node["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil {
                problems.append("\(path).\(key): required")
            }
            for member in node["properties"]?.objectValue ?? JSONObject() {
                if let child = object[member.key] {
                    check(child, against: member.value, path: "\(path).\(member.key)", into: &problems)
                }
            }
        }
        if case .array(let items) = value {
            if let minimum = node["minItems"]?.intValue, items.count < minimum {
                problems.append("\(path): fewer than \(minimum) items")
            }
            if let itemSchema = node["items"] {
                for (index, item) in items.enumerated() {
                    check(item, against: itemSchema, path: "\(path)[\(index)]", into: &problems)
                }
            }
        }
    }

    static func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .number):
            return true
        case ("integer", .number): return value.intValue != nil
        default: return false
        }
    }
}
