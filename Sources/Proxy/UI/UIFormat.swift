import Foundation
import Wire

/// How the UI writes values: times in UTC, costs as Python prints them, JSON pretty-printed with secrets masked.
enum UIFormat {
    /// `2025-09-20 12:37:48` (UTC).
    static func time(_ date: Date) -> String { String(TimestampText.format(date).prefix(19)) }

    static func time(_ date: Date?) -> String { date.map(time) ?? "–" }

    /// `$0.0007689`.
    static func cost(_ value: Double) -> String { value == 0 ? "$0" : "$" + NumberText.cost(value) }

    /// A total in dollars for sums (`$12.3456`), enough digits for the small amounts a request costs.
    static func dollars(_ value: Double) -> String {
        value == 0 ? "$0" : value < 0.01 ? "$" + NumberText.cost(value) : String(format: "$%.4f", value)
    }

    static func milliseconds(_ value: Int?) -> String { value.map { "\($0) ms" } ?? "–" }

    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0, character != "-" { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    /// Parses a form time: `2025-09-20`, `2025-09-20T12:37` (a `datetime-local` input), with or without seconds; UTC.
    static func parseTime(_ text: String?) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let pieces = text.split(whereSeparator: { "T -:.".contains($0) })
        if pieces.count == 5 { return TimestampText.parse(text + ":00") }
        return TimestampText.parse(text)
    }

    /// The value for a `datetime-local` input.
    static func inputTime(_ date: Date?) -> String {
        guard let date else { return "" }
        return String(TimestampText.format(date).prefix(16)).replacingOccurrences(of: " ", with: "T")
    }

    /// The value for a `date` input.
    static func inputDate(_ date: Date) -> String { String(TimestampText.format(date).prefix(10)) }

    /// Pretty JSON for a page, with key material masked (see `redact`).
    static func json(_ value: JSON, masterKey: String?) -> String {
        capped(redact(value, masterKey: masterKey).prettyPrinted())
    }

    /// Most of a body a page shows: a client controls its size (a 1 MB `metadata` pretty-prints to several), and a
    /// page is rendered on an event loop the data plane shares.
    static let maximumShownCharacters = 256 * 1024

    static func capped(_ text: String) -> String {
        guard text.utf8.count > maximumShownCharacters else { return text }
        let kept = text.utf8.prefix(maximumShownCharacters)
        let cut = String(decoding: kept, as: UTF8.self)
        return cut
            + "\n… (\(text.utf8.count - kept.count) more bytes not shown; "
            + "/spend/logs/ui/{request_id} has the whole row)"
    }

    /// Field names whose values are credentials wherever they appear in a stored body.
    static let secretFields: Set<String> = [
        "api_key", "api-key", "x-api-key", "authorization", "azure_ad_token", "client_secret", "password", "secret",
        "aws_secret_access_key", "aws_session_token", "vertex_credentials", "litellm_master_key", "master_key",
    ]

    /// A body as it may be shown: credential fields replaced by `***`, and anything that looks like a key
    /// (`sk-` + 8 or more key characters, or the master key itself) shortened to `sk-...last4`.
    static func redact(_ value: JSON, masterKey: String?) -> JSON {
        switch value {
        case .string(let text): return .string(redactText(text, masterKey: masterKey))
        case .array(let items): return .array(items.map { redact($0, masterKey: masterKey) })
        case .object(let object):
            return .object(
                JSONObject(
                    object.map { member in
                        (
                            member.key,
                            secretFields.contains(member.key.lowercased()) && !member.value.isNull
                                ? JSON.string("***") : redact(member.value, masterKey: masterKey)
                        )
                    }
                )
            )
        default: return value
        }
    }

    static func redactText(_ text: String, masterKey: String?) -> String {
        var text = text
        if let masterKey, masterKey.count >= 4, text.contains(masterKey) {
            text = text.replacingOccurrences(of: masterKey, with: SecretHash.abbreviated(masterKey))
        }
        guard text.contains("sk-") else { return text }
        let keyCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "sk-") {
            out += rest[..<range.lowerBound]
            let tail = rest[range.upperBound...]
            let body = tail.prefix { keyCharacters.contains($0) }
            if body.count >= 8, !body.hasPrefix("...") {
                out += SecretHash.abbreviated("sk-" + body)
            } else {
                out += "sk-" + body
            }
            rest = tail[body.endIndex...]
        }
        return out + rest
    }
}
