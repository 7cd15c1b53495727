import Foundation

/// `application/x-www-form-urlencoded` text, as query strings, HTML forms and OAuth requests carry it.
/// Hummingbird's query parser neither decodes names nor reads `+` as a space, and OAuth's `state` must come back
/// exactly as sent, so the proxy's UI and MockAzure's Entra emulation read and write it here.
public enum FormEncoding {
    /// `a=1&b=2`, percent-encoded (only RFC 3986's unreserved characters stay as they are), skipping blank values.
    public static func encode(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return percentEncoded(name) + "=" + percentEncoded(value)
        }.joined(separator: "&")
    }

    /// The pairs of `a=1&b=x+y%21`, in order; a name without `=` has an empty value, and text that is not valid
    /// percent-encoding is kept as it was written.
    public static func pairs(_ encoded: String) -> [(name: String, value: String)] {
        encoded.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// One name or value: `+` is a space, then percent-decoding.
    public static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Everything but RFC 3986's unreserved characters percent-encoded (also right for one path segment).
    public static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
}
