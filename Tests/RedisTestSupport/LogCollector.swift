import Logging
import NIOConcurrencyHelpers

/// Collects what a swift-log `Logger` logs, for tests of log messages.
public final class LogCollector: Sendable {
    private let events = NIOLockedValueBox<[(level: Logger.Level, message: String, metadata: String)]>([])

    public init() {}

    /// A logger that records into this collector, at every level.
    public var logger: Logger { Logger(label: "test") { _ in Handler(collector: self) } }

    /// `"<level> <message>"` per event, in order.
    public var messages: [String] { events.withLockedValue { $0.map { "\($0.level) \($0.message)" } } }

    /// `"<level> <message> <key=value …>"` per event (metadata sorted by key), in order.
    public var lines: [String] { events.withLockedValue { $0.map { "\($0.level) \($0.message) \($0.metadata)" } } }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            collector.events.withLockedValue { $0.append((event.level, "\(event.message)", rendered)) }
        }
    }
}
