import Wire

/// Masks credentials a client typed into a request (a prompt that pastes a key) before a body is stored: the proxy's
/// own secrets (master key, deployment api keys, UI password) wherever they appear, and anything shaped like a
/// virtual key (`sk-` and 20 or more URL-safe characters). Each becomes `sk-...last4` (LiteLLM's abbreviation).
/// LiteLLM 1.110.2 stores such prompts verbatim (R10 in docs/reliability.md).
struct SecretMask: Sendable {
    /// Exact secrets, as bytes, longest first (a secret that contains another is masked whole).
    let secrets: [[UInt8]]
    /// The bytes a match can start with (each secret's first byte, and `s` of `sk-`): every other byte costs one
    /// table look-up.
    let starts: [Bool]
    static let prefix = Array("sk-".utf8)
    static let minimumKeyTail = 20

    init(secrets: [String]) {
        self.secrets = Set(secrets.filter { $0.utf8.count >= 8 }).map { Array($0.utf8) }.sorted { $0.count > $1.count }
        var starts = [Bool](repeating: false, count: 256)
        for secret in self.secrets { starts[Int(secret[0])] = true }
        starts[Int(UInt8(ascii: "s"))] = true
        self.starts = starts
    }

    /// `text` with every secret masked; the same string when there is none (the common case: one pass over the bytes,
    /// no copy).
    func masked(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in masking(bytes).map { String(decoding: $0, as: UTF8.self) } } ?? text
    }

    /// The masked bytes, or nil when nothing is masked. One pass: at each position a known secret (longest first),
    /// else a virtual key.
    func masking(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8]?
        var copied = 0
        var index = 0
        while index < bytes.count {
            guard starts[Int(bytes[index])], let length = match(bytes, at: index) else {
                index += 1
                continue
            }
            if output == nil { output = []; output?.reserveCapacity(bytes.count) }
            output?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied ..< index]))
            output?.append(contentsOf: SecretMask.abbreviation(bytes[index ..< (index + length)]))
            index += length
            copied = index
        }
        output?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        return output
    }

    /// The length of the secret or virtual key starting at `index`, if one does.
    func match(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        for secret in secrets where index + secret.count <= bytes.count && bytes[index] == secret[0] {
            if UnsafeBufferPointer(rebasing: bytes[index ..< (index + secret.count)]).elementsEqual(secret) {
                return secret.count
            }
        }
        let prefix = SecretMask.prefix
        guard index + prefix.count <= bytes.count, bytes[index] == prefix[0], bytes[index + 1] == prefix[1],
            bytes[index + 2] == prefix[2],
            index == 0 || !SecretMask.isKeyCharacter(bytes[index - 1])
        else { return nil }
        var end = index + prefix.count
        while end < bytes.count, SecretMask.isKeyCharacter(bytes[end]) { end += 1 }
        return end - index - prefix.count >= SecretMask.minimumKeyTail ? end - index : nil
    }

    static func abbreviation(_ secret: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        Array("sk-...".utf8) + secret.suffix(4)
    }

    static func isKeyCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }
}
