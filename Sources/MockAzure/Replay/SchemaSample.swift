import Wire

/// A value that satisfies a JSON Schema's shape (types, `properties`, `required`, `items`, `enum`, `const`), so a
/// generated tool call or `json_schema` answer parses as the client's model expects. Bounded in depth.
enum SchemaSample {
    static func value(for schema: JSON?, depth: Int = 0) -> JSON {
        guard let schema, depth < 8 else { return .null }
        if let constant = schema["const"] { return constant }
        if let first = schema["enum"]?.arrayValue?.first { return first }
        if let options = (schema["anyOf"] ?? schema["oneOf"])?.arrayValue, let first = options.first {
            return value(for: first, depth: depth + 1)
        }
        let type = schema["type"]?.stringValue ?? schema["type"]?.arrayValue?.first { $0 != "null" }?.stringValue
        switch type ?? (schema["properties"] != nil ? "object" : "string") {
        case "object":
            var object = JSONObject()
            for member in schema["properties"]?.objectValue ?? [:] {
                object[member.key] = value(for: member.value, depth: depth + 1)
            }
            return .object(object)
        case "array": return .array([value(for: schema["items"], depth: depth + 1)])
        case "integer": return 1
        case "number": return 1.5
        case "boolean": return true
        case "null": return .null
        default: return .string(schema["description"] == nil ? "sample" : "sample text")
        }
    }
}
