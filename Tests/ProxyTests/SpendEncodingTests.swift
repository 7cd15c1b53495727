import Foundation
import NIOCore
import TestSupport
import Testing
import Wire

@testable import Proxy

/// A spend row is encoded once (`EncodedSpendRow`): its journal line is built from the column texts the INSERT binds,
/// so the line must read back as the row, and the texts must be what the row serializes to.
@Suite struct SpendEncodingTests {
    /// A row with every kind of column: nulls and values, text that needs escaping, nested JSON.
    static func awkwardRow() -> SpendRow {
        var row = SpendWriterTests.row(7)
        row.completionStartTime = Date(timeIntervalSince1970: 1_758_371_868.25)
        row.endUser = "end \"user\"\n\ttab"
        row.requesterIPAddress = "10.0.0.1"
        row.sessionID = "sess-ü-🙂"
        row.spend = 0.0007689
        row.metadata = [
            "usage_object": ["prompt_tokens": 11, "completion_tokens": 172], "user_api_key_alias": "a\\b",
            "cost_unknown": true,
        ]
        row.messages = [["role": "user", "content": "say \"hi\"\u{01}"]]
        row.response = [
            "id": "chatcmpl-1", "choices": [["index": 0, "message": ["content": "ok"]]], "n": .number("1.1e-06"),
        ]
        row.proxyServerRequest = ["model": "o4-mini", "messages": row.messages, "temperature": 0.5]
        return row
    }

    @Test func journalLineReadsBackAsTheRow() throws {
        for row in [Self.awkwardRow(), SpendWriterTests.row(3)] {
            let line = EncodedSpendRow(row).line()
            #expect(
                line.last == UInt8(ascii: "\n") && line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") },
                "one line"
            )
            let parsed = try JSON.parse(line.dropLast())
            // The same document the journal held before (`row.json`), so segments of either version replay.
            #expect(parsed == row.json, "\(String(decoding: line, as: UTF8.self))")
            #expect(SpendRow(json: parsed) == row)
            #expect(
                EncodedSpendRow(line: Substring(String(decoding: line.dropLast(), as: UTF8.self)))?.values
                    == EncodedSpendRow(row).values
            )
        }
        #expect(EncodedSpendRow(line: "not json") == nil && EncodedSpendRow(line: #"{"request_id":"x"}"#) == nil)
    }

    @Test func columnValuesAreTheRowsTexts() {
        let row = Self.awkwardRow()
        let values = EncodedSpendRow(row).values
        #expect(values.count == SpendSchema.columns.count)
        func value(_ column: String) -> SpendSchema.Value? {
            SpendSchema.columns.firstIndex(of: column).map { values[$0] }
        }
        #expect(value("request_id") == .text(row.requestID))
        #expect(value("spend") == .double(0.0007689))
        #expect(value("startTime") == .text("2025-09-20 12:37:55.000"))
        #expect(value("completionStartTime") == .text("2025-09-20 12:37:48.250"))
        #expect(value("metadata") == .json(row.metadata.serialized()))
        #expect(value("messages") == .json(row.messages.serialized()))
        #expect(value("proxy_server_request") == .json(row.proxyServerRequest.serialized()))
        #expect(value("end_user") == .text(row.endUser ?? "") && value("session_id") == .text("sess-ü-🙂"))
        var bare = row
        bare.completionStartTime = nil
        bare.endUser = nil
        #expect(EncodedSpendRow(bare).values[SpendSchema.columns.firstIndex(of: "completionStartTime")!] == .null)
        #expect(EncodedSpendRow(bare).values[SpendSchema.columns.firstIndex(of: "end_user")!] == .null)
    }

    /// The hand-written timestamp text is what `String(format:)` with `gmtime_r` wrote.
    @Test func timestampsMatchTheFormattedText() {
        func reference(_ date: Date) -> String {
            let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
            var time = time_t(milliseconds / 1000)
            var parts = tm()
            gmtime_r(&time, &parts)
            return String(
                format: "%04d-%02d-%02d %02d:%02d:%02d.%03d",
                Int(parts.tm_year) + 1900,
                Int(parts.tm_mon) + 1,
                Int(parts.tm_mday),
                Int(parts.tm_hour),
                Int(parts.tm_min),
                Int(parts.tm_sec),
                Int(milliseconds % 1000)
            )
        }
        var generator = SystemRandomNumberGenerator()
        var dates = [0, 951_782_400, 951_868_799.999, 4_107_542_400, 1_758_371_868.5, 1_709_164_800.0005].map(
            Date.init(timeIntervalSince1970:)
        )
        for _ in 0 ..< 5000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: 0 ..< 4_102_444_800, using: &generator)))
        }
        let wrong = dates.filter { TimestampText.format($0) != reference($0) }
        #expect(
            wrong.isEmpty,
            """
            \(wrong.count) wrong, e.g. \
            \(wrong.prefix(3).map { "\($0.timeIntervalSince1970): \(TimestampText.format($0)) ≠ \(reference($0))" })
            """
        )
        #expect(TimestampText.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500")
    }

    static func recorder(maximum: Int = 2048) throws -> SpendRecorder {
        let folder = try TestPaths.temporaryDirectory("encode")
        let writer = SpendWriter(
            database: .embedded(SQLiteStore(path: folder.appendingPathComponent("s.sqlite").path)),
            spillPath: folder.appendingPathComponent("spill.jsonl").path
        )
        let config = try ConfigLoader.parse("general_settings: {spend_log_max_string_length: \(maximum)}")
        return SpendRecorder(writer: writer, settings: config.settings)
    }

    /// Bodies are truncated only when their text is longer than the limit: `fitted` relies on `truncated` leaving
    /// any value whose JSON text fits in the limit as it is, and cutting what `truncated` cuts otherwise.
    @Test func bodiesAreTruncatedExactlyWhenTheyCouldNeedIt() throws {
        let recorder = try Self.recorder(maximum: 64)
        let numbers = JSON.array((0 ..< 40).map { .int($0) })
        let values: [JSON] = [
            ["content": "short"],
            ["content": .string(String(repeating: "x", count: 60))],
            ["content": .string(String(repeating: "é", count: 40))],
            ["content": .string(String(repeating: "y", count: 65))],
            ["content": .string(String(repeating: "z", count: 200))],
            ["embedding": numbers],
            ["big": .number(String(repeating: "7", count: 70))],
            .array((0 ..< 30).map { .string("item \($0)") }),
        ]
        for value in values {
            let text = value.serialized()
            if text.utf8.count <= 64 { #expect(recorder.truncated(value) == value, "fits, yet truncated: \(text)") }
            #expect(recorder.fitted(value) == recorder.truncated(value).serialized(), "\(text)")
        }
        #expect(
            recorder.fitted(["content": .string(String(repeating: "z", count: 200))]).contains("…(truncated 136 chars)")
        )
    }

    /// The answer's bytes as the client got them stand for the response column when they fit; longer ones are cut
    /// from the JSON as any body is.
    @Test func theAnswersBytesAreTheResponseColumnWhenTheyFit() throws {
        let recorder = try Self.recorder(maximum: 64)
        let deployment = try #require(
            try ConfigLoader.parse(
                """
                model_list:
                  - {model_name: gpt-4o, litellm_params: {model: azure/gpt-4o, api_base: 'http://127.0.0.1:1'}}
                """
            ).deployments.first
        )
        var finished = RequestFacts(
            callID: "call-1",
            operation: .chatCompletions,
            caller: Caller(kind: .master, keyHash: "hash"),
            deployment: deployment,
            request: ["model": "gpt-4o"],
            startedAt: Date()
        )
        func column(_ finished: RequestFacts) -> SpendSchema.Value {
            recorder.encodedRow(finished, end: Date(), price: nil, spend: 0).values[
                SpendSchema.columns.firstIndex(of: "response")!
            ]
        }
        finished.response = ["id": "chatcmpl-1", "n": .number("1.0")]
        #expect(column(finished) == .json(#"{"id":"chatcmpl-1","n":1.0}"#))
        // The same answer as sent (a number written as the upstream wrote it): these bytes are the column.
        finished.responseBody = ByteBuffer(string: #"{"id":"chatcmpl-1","n":1.00}"#)
        #expect(column(finished) == .json(#"{"id":"chatcmpl-1","n":1.00}"#))
        let long: JSON = ["id": "chatcmpl-2", "content": .string(String(repeating: "x", count: 100))]
        finished.response = long
        finished.responseBody = long.byteBuffer()
        #expect(column(finished) == .json(recorder.truncated(long).serialized()))
        #expect(recorder.truncated(long) != long)
        // An answer shaped from its bytes (no JSON kept): its id is the row's, and a key spelled with escapes is
        // written decoded, where the mask finds it.
        finished.response = nil
        finished.responseBody = ByteBuffer(string: #"{"id":"chatcmpl-3","c":"sk-\u0061bcdefghijklmnopqrst"}"#)
        let row = recorder.encodedRow(finished, end: Date(), price: nil, spend: 0)
        #expect(row.requestID == "chatcmpl-3")
        guard case .json(let text) = column(finished) else { throw CancellationError() }
        #expect(!text.contains("bcdefghijklmnopqrst"), "\(text)")
        #expect(SpendRecorder.hasSpelledEscapes(ByteBuffer(string: #"{"a":"\/"}"#)))
        #expect(!SpendRecorder.hasSpelledEscapes(ByteBuffer(string: #"{"a":"\\u\n"}"#)))
    }
}
