import Logging

/// Keeps a logger's metadata and hands it to the wrapped handler only when a line is written. StreamLogHandler
/// formats all of its metadata whenever one key is set; the request path sets `request_id` on every request and
/// rarely logs.
public struct DeferredLogHandler<Wrapped: LogHandler>: LogHandler {
    var wrapped: Wrapped
    public var metadata: Logger.Metadata = [:]

    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
        self.metadata = wrapped.metadata
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var handler = wrapped
        handler.metadata = metadata
        handler.log(event: event)
    }
}
