import Foundation
import FuzzSupport
import MockAzure

/// libFuzzer target for MockAzure's scenario loader: any YAML (or JSON, when the first byte is odd) is a scenario or a
/// FixtureError naming the file — never a crash.
@_cdecl("LLVMFuzzerTestOneInput")  // libFuzzer's runtime links against this name
public func fuzzFixtures(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(UnsafeBufferPointer(start: start, count: count))
    let file = (data.first ?? 0) % 2 == 1 ? "fuzz.json" : "fuzz.yaml"
    do {
        _ = try FixtureLoader.parseScenario(data, file: file)
    } catch {
        precondition(error.file == file)
    }
    return 0
}

/// libFuzzer's driver with GATEWAY_FUZZ=1, else a replay of the corpus files given as arguments (CI's regression
/// run).
@main struct FuzzFixturesReplay {
    static func main() { FuzzReplay.run(fuzzFixtures) }
}
