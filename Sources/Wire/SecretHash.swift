import Crypto

/// The only forms in which a secret may be shown or stored: a sha256 hex digest, or `sk-...last4`.
public enum SecretHash {
    /// Lower-case hex sha256 of the UTF-8 text (LiteLLM's stored form of a virtual key).
    public static func sha256Hex(_ text: String) -> String {
        let digest = SHA256.hash(data: Array(text.utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `sk-...abcd`: the last four characters after LiteLLM's `sk-...` prefix; shorter secrets show nothing.
    public static func abbreviated(_ key: String) -> String {
        guard key.count >= 8 else { return "sk-..." }
        return "sk-..." + key.suffix(4)
    }
}

extension SecretHash {
    /// Compares two secrets in time that depends only on their lengths, never on where they first differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        let count = max(a.count, b.count)
        for index in 0 ..< count {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
