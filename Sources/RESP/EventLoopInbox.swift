import NIOConcurrencyHelpers
import NIOCore

/// Hands elements to one event loop from any thread, to be processed there in order, without
/// allocating: a lock-protected ring buffer, and one event-loop task, made once, that drains it.
/// One task is scheduled per burst (when the buffer goes from empty to non-empty); elements
/// submitted while it drains are processed by the same run.
final class EventLoopInbox<Element: Sendable>: Sendable {
    let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())
    /// Set once by ``start(_:)``, before anything is submitted.
    nonisolated(unsafe) private var process: @Sendable (Element) -> Void = { _ in }
    nonisolated(unsafe) private var drainTask: @Sendable () -> Void = {}

    private struct State {
        var elements = CircularBuffer<Element>(initialCapacity: 16)
        var drainScheduled = false
    }

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Sets what to do with each element (on the event loop). Call once, before ``submit(_:)``.
    func start(_ process: @escaping @Sendable (Element) -> Void) {
        self.process = process
        drainTask = { [weak self] in self?.drain() }
    }

    func submit(_ element: Element) {
        let schedule = state.withLockedValue { state in
            state.elements.append(element)
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
        if schedule { eventLoop.execute(drainTask) }
    }

    private func drain() {
        while let element = state.withLockedValue({ state -> Element? in
            if let element = state.elements.popFirst() { return element }
            state.drainScheduled = false
            return nil
        }) {
            process(element)
        }
    }
}
