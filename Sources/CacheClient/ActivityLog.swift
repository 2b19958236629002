import Atomics

/// A bounded stream of what a background worker did, for logs, metrics and tests. It keeps the
/// newest `limit` items for a slow reader; older ones are dropped and counted (``dropped``), never
/// lost silently, and the worker never blocks on its reader.
final class ActivityLog<Element: Sendable>: Sendable {
    let stream: AsyncStream<Element>
    private let sink: AsyncStream<Element>.Continuation
    private let droppedCount = ManagedAtomic<Int>(0)

    init(limit: Int = 1000) {
        (stream, sink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(limit))
    }

    func record(_ element: Element) {
        if case .dropped = sink.yield(element) { droppedCount.wrappingIncrement(ordering: .relaxed) }
    }

    func finish() { sink.finish() }

    /// Items dropped because nobody read them in time.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }
}
