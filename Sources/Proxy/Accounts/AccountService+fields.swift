import Foundation
import Wire

/// Settable fields of a record from a management body, checked against their column's kind (a wrong type is a 400
/// naming the field; null is "not given", as LiteLLM's UI and SDKs send it).
extension AccountService {
    static func badRequest(_ message: String, param: String) -> ProxyError {
        ProxyError(OpenAIError(status: 400, message: message, type: "bad_request_error", param: param))
    }

    static func notFound(_ message: String, param: String) -> ProxyError {
        ProxyError(OpenAIError(status: 404, message: message, type: "not_found_error", param: param))
    }

    /// Copies `fields` of `body` into `record`; `budget_duration` also sets the next `budget_reset_at`.
    static func apply(_ body: JSONObject, _ fields: [String], of table: RecordTable, to record: inout JSONObject)
        throws(ProxyError)
    {
        for column in table.columns where fields.contains(column.name) {
            guard let value = body[column.name], !value.isNull else { continue }
            record[column.name] = try checked(value, column)
        }
        if let duration = body["budget_duration"]?.stringValue, fields.contains("budget_duration") {
            guard let seconds = DurationText.seconds(duration) else {
                throw badRequest("budget_duration must look like 30s, 30m, 24h, 30d or 1mo", param: "budget_duration")
            }
            record["budget_reset_at"] = .string(VirtualKey.iso(Date().addingTimeInterval(seconds)))
        }
        record["updated_at"] = .string(VirtualKey.iso(Date()))
    }

    static func checked(_ value: JSON, _ column: RecordTable.Column) throws(ProxyError) -> JSON {
        let name = column.name
        switch column.kind {
        case .text, .timestamp:
            guard value.stringValue != nil else { throw badRequest("\(name) must be a string", param: name) }
        case .double, .bigint, .integer, .serial:
            guard let number = value.doubleValue, number >= 0, number <= 1e15 else {
                throw badRequest("\(name) must be a number from 0 to 1e15", param: name)
            }
            if column.kind != .double, number != number.rounded() {
                throw badRequest("\(name) must be a whole number", param: name)
            }
            // PostgreSQL's INTEGER columns (max_parallel_requests) end at 2^31 − 1.
            if column.kind == .integer || column.kind == .serial, number > 2_147_483_647 {
                throw badRequest("\(name) must be at most 2147483647", param: name)
            }
        case .boolean:
            guard value.boolValue != nil else { throw badRequest("\(name) must be true or false", param: name) }
        case .json:
            guard value.objectValue != nil || value.arrayValue != nil else {
                throw badRequest("\(name) must be an object", param: name)
            }
        case .textArray:
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw badRequest("\(name) must be a list of strings", param: name)
            }
        }
        return value
    }

    /// A new record: every column null or empty, `spend` 0, JSON columns `{}`, both times now.
    static func blank(_ table: RecordTable, key: String) -> JSONObject {
        var record = table.json([:])
        record[table.key] = .string(key)
        let now = JSON.string(VirtualKey.iso(Date()))
        for column in table.columns {
            switch (column.name, column.kind) {
            case ("spend", _): record["spend"] = .double(0)
            case ("blocked", _): record["blocked"] = false
            case ("created_at", _), ("updated_at", _): record[column.name] = now
            case (_, .json): record[column.name] = [:]
            default: continue
            }
        }
        return record
    }
}
