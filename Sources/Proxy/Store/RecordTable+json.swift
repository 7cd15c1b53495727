import Foundation
import Wire

/// A row as LiteLLM's API shows it (JSON by column name), and back to column texts.
extension RecordTable {
    /// The row's JSON: missing columns are null; arrays and objects parsed; times in ISO 8601.
    public func json(_ row: [String: String]) -> JSONObject {
        var object = JSONObject()
        for column in columns {
            guard let text = row[column.name] else {
                object[column.name] = column.kind == .textArray ? [] : .null
                continue
            }
            switch column.kind {
            case .text: object[column.name] = .string(text)
            case .double: object[column.name] = Double(text).map(JSON.double) ?? .null
            case .bigint, .integer, .serial: object[column.name] = Int(text).map(JSON.int) ?? .null
            case .boolean: object[column.name] = .bool(["true", "t", "1"].contains(text))
            case .json, .textArray: object[column.name] = (try? JSON.parse(text)) ?? .null
            case .timestamp:
                object[column.name] = TimestampText.parse(text).map { .string(VirtualKey.iso($0)) } ?? .null
            }
        }
        return object
    }

    /// Column texts, in column order, from a record's JSON (nil for null or missing).
    public func texts(_ record: JSONObject) -> [String?] {
        columns.map { column in
            guard let value = record[column.name], !value.isNull else { return nil }
            switch column.kind {
            case .text: return value.stringValue ?? value.serialized()
            case .double: return value.doubleValue.map { String($0) }
            case .bigint, .integer, .serial: return value.doubleValue.map { String(Int($0)) }
            case .boolean: return value.boolValue.map { $0 ? "true" : "false" }
            case .json, .textArray: return value.serialized()
            case .timestamp: return value.stringValue.flatMap(TimestampText.parse).map(TimestampText.format)
            }
        }
    }
}
