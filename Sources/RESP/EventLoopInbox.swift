import NIOConcurrencyHelpers
import NIOCore

/// Hands elements to one event loop from any thread, to be processed there in order, without
/// allocating: a lock-protected ring buffer, and one event-loop task, made once, that drains it.
/// One task is scheduled per burst (when the buffer goes from empty to non-empty); elements
/// submitted while it drains are processed by the same run, up to ``batch`` elements per run.
/// Then the run ends and schedules the next one behind the loop's other work, so a producer that
/// never stops (a task spinning on `Task.yield()` on the loop's executor) cannot keep the loop's
/// other tasks (flushes, timeouts, closes, other connections' work) from running.
///
/// NIO runs every ready task before it polls for I/O again, so such a spinner still delays
/// *reads* on the loop: the bound keeps the loop live, it does not make spinning free.
final class EventLoopInbox<Element: Sendable>: Sendable {
    let eventLoop: any EventLoop
    /// Most elements processed per event-loop task.
    let batch: Int
    private let state = NIOLockedValueBox(State())
    /// Set once by ``start(_:)``, before anything is submitted.
    nonisolated(unsafe) private var process: @Sendable (Element) -> Void = { _ in }
    nonisolated(unsafe) private var drainTask: @Sendable () -> Void = {}

    private struct State {
        var elements = CircularBuffer<Element>(initialCapacity: 16)
        var drainScheduled = false
    }

    init(_ eventLoop: any EventLoop, batch: Int = 256) {
        precondition(batch > 0)
        self.eventLoop = eventLoop
        self.batch = batch
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
        for _ in 0..<batch {
            guard let element = state.withLockedValue({ state -> Element? in
                if let element = state.elements.popFirst() { return element }
                state.drainScheduled = false
                return nil
            }) else { return }
            process(element)
        }
        // A full batch: continue in a later task (still scheduled, so `drainScheduled` stays true).
        eventLoop.execute(drainTask)
    }
}
