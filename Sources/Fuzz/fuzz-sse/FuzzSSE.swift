import Foundation
import FuzzSupport
import Wire

/// libFuzzer target for the SSE parser: any bytes, split at every point the input's first byte chooses, must parse
/// or fail with an SSEParseError — never crash, never loop — and give the same events however they are split.
@_cdecl("LLVMFuzzerTestOneInput")  // libFuzzer's runtime links against this name
public func fuzzSSE(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    guard let first = bytes.first else { return 0 }
    let step = Int(first % 17) + 1
    var whole = SSEParser(maximumEventSize: 64 * 1024)
    var pieces = SSEParser(maximumEventSize: 64 * 1024)
    let expected = try? whole.feed(bytes.dropFirst())
    var split: [SSEEvent]? = []
    var index = 1
    while index < bytes.count {
        let end = min(bytes.count, index + step)
        do { split?.append(contentsOf: try pieces.feed(bytes[index ..< end])) } catch { split = nil; break }
        index = end
    }
    if let expected, let split, expected != split {
        fatalError("events differ with the split: \(expected.count) vs \(split.count)")
    }
    return 0
}

/// libFuzzer's driver with GATEWAY_FUZZ=1, else a replay of the corpus files given as arguments (CI's regression
/// run).
@main struct FuzzSSEReplay {
    static func main() { FuzzReplay.run(fuzzSSE) }
}
