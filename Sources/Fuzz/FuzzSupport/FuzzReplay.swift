import CFuzzDriver
import Foundation

/// The main of every fuzz target. Built with GATEWAY_FUZZ=1 it hands the entry point to libFuzzer's driver. Otherwise
/// it runs the entry point over files (or every file in folders) named on the command line: how CI replays the
/// committed corpus without libFuzzer, and how a crash input is reproduced under a debugger.
public enum FuzzReplay {
    public typealias Entry = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ entry: Entry) {
        #if FUZZING
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
        #else
            var files: [String] = []
            for argument in CommandLine.arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
                    files += names.sorted().map { argument + "/" + $0 }
                } else {
                    files.append(argument)
                }
            }
            for file in files {
                let bytes = [UInt8](FileManager.default.contents(atPath: file) ?? Data())
                // An empty input still needs a valid pointer.
                let input = bytes.isEmpty ? [0] : bytes
                _ = input.withUnsafeBufferPointer { entry($0.baseAddress!, bytes.count) }
            }
            print("replayed \(files.count) inputs")
        #endif
    }
}
