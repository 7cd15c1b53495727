/// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), checked in one pass.
/// The stdlib's `String(validating:as:)` is generic over the encoding and costs several times more per string.
enum UTF8Validation {
    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let count: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2 ... 0xDF: count = 1
            case 0xE0: count = 2; low = 0xA0
            case 0xE1 ... 0xEC, 0xEE ... 0xEF: count = 2
            case 0xED: count = 2; high = 0x9F
            case 0xF0: count = 3; low = 0x90
            case 0xF1 ... 0xF3: count = 3
            case 0xF4: count = 3; high = 0x8F
            default: return false
            }
            guard end - index > count else { return false }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return false }
            for offset in 2 ..< count + 1 where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += count + 1
        }
        return true
    }
}
