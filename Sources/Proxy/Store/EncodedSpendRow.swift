import Foundation
import Wire

/// A spend row in the form it is written: every column as the value a backend binds (timestamps as text, the JSON
/// columns serialized once). The same values make the row's journal / spill line, so a row's JSON is serialized once
/// on its way to the journal and the database, and its timestamps formatted once.
public struct EncodedSpendRow: Sendable {
    /// The columns' values, in `SpendSchema.columns` order.
    let values: [SpendSchema.Value]

    var requestID: String {
        if case .text(let id) = values[SpendSchema.requestIDIndex] { return id }
        return ""
    }

    /// Encodes a row; `body` turns each of the three body columns (messages, response, proxy_server_request) into its
    /// JSON text (the recorder truncates there).
    public init(_ row: SpendRow) {
        self.init(row, body: { $0.serialized() })
    }

    /// `response`: the response column's text when the caller has it already.
    init(_ row: SpendRow, body: (JSON) -> String, response: String? = nil) {
        func text(_ value: String?) -> SpendSchema.Value { value.map(SpendSchema.Value.text) ?? .null }
        values = [
            .text(row.requestID), .text(row.callType), .text(row.apiKey), .double(row.spend), .integer(row.totalTokens),
            .integer(row.promptTokens),
            .integer(row.completionTokens), .text(TimestampText.format(row.startTime)),
            .text(TimestampText.format(row.endTime)),
            .integer(row.requestDurationMs),
            text(row.completionStartTime.map(TimestampText.format)), .text(row.model), .text(row.modelID),
            .text(row.modelGroup), .text(row.customLLMProvider),
            .text(row.apiBase), .text(row.user), .json(row.metadata.serialized()), text(row.endUser),
            text(row.requesterIPAddress),
            .json(body(row.messages)), .json(response ?? body(row.response)), text(row.sessionID), .text(row.status),
            .json(body(row.proxyServerRequest)), .text(row.litellmCallID), text(row.teamID),
            .json(JSON.array(row.requestTags.map(JSON.string)).serialized()), .text(row.cacheHit), .text(row.cacheKey),
        ]
        assert(values.count == SpendSchema.columns.count)
    }

    /// The row as one JSON line (newline included) with the keys of `SpendRow.json`, which `SpendRow(json:)` reads
    /// back: the journal's and the spill file's form. Built by concatenation; nothing is serialized again.
    func line() -> [UInt8] {
        var out: [UInt8] = []
        var capacity = 512
        for value in values {
            switch value {
            case .text(let text), .json(let text): capacity += text.utf8.count
            default: continue
            }
        }
        out.reserveCapacity(capacity)
        appendLine(to: &out)
        return out
    }

    /// Appends `line()` to `out` (a group commit's lines go into one buffer, which grows as arrays do).
    func appendLine(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: SpendSchema.quotedKeys[index])
            switch value {
            case .text(let text): JSON.writeString(text, into: &out)
            case .json(let text): out.append(contentsOf: text.utf8)
            case .integer(let number): out.append(contentsOf: String(number).utf8)
            case .double(let number):
                guard case .number(let text) = JSON.double(number) else {
                    out.append(contentsOf: "null".utf8)
                    continue
                }
                out.append(contentsOf: text.utf8)
            case .null: out.append(contentsOf: "null".utf8)
            }
        }
        out.append(contentsOf: "}\n".utf8)
    }

    /// The row from its line (the journal's and the spill file's), or nil for a line that is not one.
    init?(line: Substring) {
        guard let json = try? JSON.parse(String(line)), let row = SpendRow(json: json) else { return nil }
        self.init(row)
    }
}
