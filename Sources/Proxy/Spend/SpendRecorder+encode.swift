import Foundation
import NIOCore
import Wire

extension SpendRecorder {
    /// The row as it is journaled and written: each body serialized once, and truncated (`truncated`) only when its
    /// JSON text is longer than `maximumStringLength`. A shorter text cannot hold a string, a number or a numeric
    /// array that `truncated` cuts (each of those is cut only when its own text passes the limit), so most requests
    /// skip the copy of their bodies that truncation makes.
    func encodedRow(_ finished: RequestFacts, end: Date, price: PriceTable.Price?, spend: Double) -> EncodedSpendRow {
        var response: String?
        if storePrompts, finished.maskLogged == nil, let body = finished.responseBody,
            body.readableBytes <= maximumStringLength,
            !SpendRecorder.hasSpelledEscapes(body)
        {
            response = mask.masked(String(buffer: body))
        }
        // With the answer's text at hand, its JSON is parsed only if the row needs it (its id).
        let row = row(finished, end: end, price: price, spend: spend, answerText: response != nil)
        return EncodedSpendRow(row, body: fitted, response: response)
    }

    /// Whether the text spells characters as `\u` or `\/` escapes, which could hide a key from the mask (an answer
    /// shaped from its bytes keeps the upstream's escapes): the row then writes the parsed answer again.
    static func hasSpelledEscapes(_ body: ByteBuffer) -> Bool {
        var escaped = false
        for byte in body.readableBytesView {
            if escaped {
                if byte == UInt8(ascii: "u") || byte == UInt8(ascii: "/") { return true }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            }
        }
        return false
    }

    /// A body's JSON text, truncated when it could need it, with credentials masked (`SecretMask`).
    func fitted(_ body: JSON) -> String {
        let text = body.serialized()
        guard text.utf8.count > maximumStringLength else { return mask.masked(text) }
        return mask.masked(truncated(body).serialized())
    }
}
