import Wire

/// Masks credentials a client typed into a request (a prompt that pastes a key) before a body is stored: the proxy's
/// own secrets (master key, deployment api keys, UI password) wherever they appear, and anything shaped like a
/// virtual key (`sk-` and 20 or more URL-safe characters). Each becomes `sk-...last4` (LiteLLM's abbreviation).
/// LiteLLM 1.110.2 stores such prompts verbatim (R10 in docs/reliability.md).
struct SecretMask: Sendable {
    /// Exact secrets, as bytes, longest first (a secret that contains another is masked whole).
    let secrets: [[UInt8]]
    static let prefix = Array("sk-".utf8)
    static let minimumKeyTail = 20

    init(secrets: [String]) {
        self.secrets = Set(secrets.filter { $0.utf8.count >= 8 }).map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// `text` with every secret masked; the same string when there is none (the common case costs one scan).
    func masked(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var changed = false
        for secret in secrets where replace(secret, in: &bytes) { changed = true }
        if maskVirtualKeys(in: &bytes) { changed = true }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    static func abbreviation(_ secret: ArraySlice<UInt8>) -> [UInt8] {
        Array("sk-...".utf8) + secret.suffix(4)
    }

    func replace(_ secret: [UInt8], in bytes: inout [UInt8]) -> Bool {
        guard let first = secret.first, bytes.count >= secret.count else { return false }
        var output: [UInt8] = []
        var index = 0
        var found = false
        while index < bytes.count {
            if bytes[index] == first, index + secret.count <= bytes.count, bytes[index..<(index + secret.count)].elementsEqual(secret) {
                if !found { output.reserveCapacity(bytes.count); output += bytes[..<index]; found = true }
                output += SecretMask.abbreviation(secret[...])
                index += secret.count
                continue
            }
            if found { output.append(bytes[index]) }
            index += 1
        }
        if found { bytes = output }
        return found
    }

    static func isKeyCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    func maskVirtualKeys(in bytes: inout [UInt8]) -> Bool {
        var output: [UInt8] = []
        var index = 0
        var found = false
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "s"), index + 3 <= bytes.count, bytes[index..<(index + 3)].elementsEqual(SecretMask.prefix),
               index == 0 || !SecretMask.isKeyCharacter(bytes[index - 1]) {
                var end = index + 3
                while end < bytes.count, SecretMask.isKeyCharacter(bytes[end]) { end += 1 }
                if end - index - 3 >= SecretMask.minimumKeyTail {
                    if !found { output.reserveCapacity(bytes.count); output += bytes[..<index]; found = true }
                    output += SecretMask.abbreviation(bytes[index..<end])
                    index = end
                    continue
                }
            }
            if found { output.append(bytes[index]) }
            index += 1
        }
        if found { bytes = output }
        return found
    }
}
