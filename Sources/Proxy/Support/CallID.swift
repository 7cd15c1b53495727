import Foundation
import NIOConcurrencyHelpers

/// Lower-case UUID v4 text for `x-litellm-call-id`, as LiteLLM's `uuid.uuid4()`. Foundation's UUID asks the kernel
/// for 16 random bytes per call; this takes them from a pool refilled with one read every 256 ids.
enum CallID {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096
        let source = FileHandle(forReadingAtPath: "/dev/urandom")

        mutating func take() -> (UInt64, UInt64) {
            if used == bytes.count {
                // One read of the kernel's generator per 256 ids (Glibc's Swift module has no `getrandom`); the
                // system generator, a system call per 8 bytes, only if /dev/urandom cannot be read.
                let read = source?.readData(ofLength: bytes.count)
                if let read, read.count == bytes.count {
                    bytes = [UInt8](read)
                } else {
                    var generator = SystemRandomNumberGenerator()
                    for index in bytes.indices { bytes[index] = generator.next() }
                }
                used = 0
            }
            defer { used += 16 }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0 ..< 8 {
                high = high << 8 | UInt64(bytes[used + index])
                low = low << 8 | UInt64(bytes[used + 8 + index])
            }
            return (high, low)
        }
    }

    private static let pool = NIOLockedValueBox(Pool())
    private static let hex = Array("0123456789abcdef".utf8)

    static func make() -> String {
        var (high, low) = pool.withLockedValue { $0.take() }
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for nibble in 0 ..< 32 {
                if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = nibble < 16 ? high : low
                text[position] = hex[Int(truncatingIfNeeded: word >> UInt64(60 - 4 * (nibble % 16)) & 0xF)]
                position += 1
            }
            return position
        }
    }
}
