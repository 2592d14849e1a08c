public import Logging

/// A `LogHandler` that keeps a logger's own metadata as it is and renders it only when a message is
/// written, then hands the message to `base`.
///
/// `StreamLogHandler` renders its metadata to text whenever the metadata changes. Hummingbird gives
/// every request a logger with its request id, and the worker pool gives every job one with the job's
/// id, type and attempt, so that rendering ran for each request and each job although almost none of
/// them write a line. Wrapped in this handler, the output is the same text, produced only for lines
/// that are written.
///
/// ```swift
/// LoggingSystem.bootstrap { label in
///     DeferredMetadataLogHandler(base: StreamLogHandler.standardError(label: label))
/// }
/// ```
public struct DeferredMetadataLogHandler<Base: LogHandler>: LogHandler {
    private var base: Base

    /// This logger's metadata, merged under each message's own when it is written.
    public var metadata: Logger.Metadata

    /// Wraps `base`, taking over its metadata.
    public init(base: Base) {
        self.metadata = base.metadata
        self.base = base
        self.base.metadata = [:]
    }

    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            // A message's own metadata wins over the logger's, as in every handler.
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        base.log(event: event)
    }
}
