import Foundation
import Logging
import Wire

/// `--json-logs`: one JSON object per line on standard error, with the level, message, label and metadata
/// (the request id among them). Messages are static; details travel as metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: JSONObject = [
            "time": .string(ISO8601DateFormatter().string(from: Date())),
            "level": .string(event.level.rawValue),
            "message": .string(event.message.description),
            "logger": .string(label),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { object[key] = .string("\(value)") }
        FileHandle.standardError.write(Data((JSON.object(object).serialized() + "\n").utf8))
    }
}
