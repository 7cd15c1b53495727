import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import Proxy

@Suite struct RuntimeHelpersTests {
    @Test func callIDsAreVersion4UUIDs() {
        let ids = (0 ..< 600).map { _ in CallID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let parts = id.split(separator: "-").map(String.init)
            #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
            #expect(parts[2].first == "4")
            #expect("89ab".contains(parts[3].first!))
        }
    }

    @Test func cpuListsCount() {
        #expect(UsableCores.cpuListCount("\t0") == 1)
        #expect(UsableCores.cpuListCount("0-3,8,10-11") == 7)
        #expect(UsableCores.cpuListCount("0-1\n") == 2)
        #expect(UsableCores.cpuListCount("3-1") == nil)
        #expect(UsableCores.cpuListCount("x") == nil)
        #expect(UsableCores.count >= 1)
        #expect(UsableCores.count <= System.coreCount)
    }

    @Test func deferredHandlerWritesItsMetadataWithTheLine() {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "t") { _ in DeferredLogHandler(CapturingHandler(lines: lines)) }
        logger[metadataKey: "request_id"] = "abc"
        #expect(logger[metadataKey: "request_id"] == "abc")
        logger.info("hello", metadata: ["status": "200"])
        #expect(lines.withLockedValue { $0 } == ["hello request_id=abc status=200"])
    }
}

/// Writes "message key=value …" (its own and the line's metadata, sorted) to `lines`.
private struct CapturingHandler: LogHandler {
    let lines: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let pairs = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lines.withLockedValue { $0.append(([event.message.description] + pairs).joined(separator: " ")) }
    }
}
