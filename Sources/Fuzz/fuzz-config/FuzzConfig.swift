import Foundation
import FuzzSupport
import Proxy

/// libFuzzer target for the config loader: any text is a config or a ConfigError with a key path — never a crash.
@_cdecl("LLVMFuzzerTestOneInput")  // libFuzzer's runtime links against this name
public func fuzzConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        _ = try ConfigLoader.parse(text, file: "fuzz.yaml", environment: ["AZURE_API_KEY": "k", "SET": "value"])
    } catch {
        precondition(error.file == "fuzz.yaml")
    }
    return 0
}

/// libFuzzer's driver with GATEWAY_FUZZ=1, else a replay of the corpus files given as arguments (CI's regression
/// run).
@main struct FuzzConfigReplay {
    static func main() { FuzzReplay.run(fuzzConfig) }
}
