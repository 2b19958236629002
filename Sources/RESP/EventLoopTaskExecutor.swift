import NIOConcurrencyHelpers
import NIOCore

/// A Swift task executor that runs jobs on one NIO event loop.
///
/// A task that prefers the executor of a connection's event loop
/// (`withTaskExecutorPreference(connection.executor) { … }`) hands its commands to the connection
/// and is resumed by the reply on the same thread: no hop between Swift's cooperative pool and the
/// event loop per command. Jobs wait in a queue of their own that one event-loop task drains, so
/// enqueueing allocates nothing.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    public let eventLoop: any EventLoop
    private let queue = NIOLockedValueBox(Queue())
    /// The drain task, made once in `init` and never changed (scheduling a stored closure
    /// allocates nothing).
    nonisolated(unsafe) private var drainTask: @Sendable () -> Void = {}

    private struct Queue {
        var jobs = CircularBuffer<UnownedJob>(initialCapacity: 16)
        var drainScheduled = false
    }

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        drainTask = { [weak self] in self?.drain() }
    }

    public func enqueue(_ job: UnownedJob) {
        let schedule = queue.withLockedValue { queue in
            queue.jobs.append(job)
            defer { queue.drainScheduled = true }
            return !queue.drainScheduled
        }
        if schedule { eventLoop.execute(drainTask) }
    }

    /// Runs queued jobs, including those they enqueue, until the queue is empty.
    private func drain() {
        let executor = asUnownedTaskExecutor()
        while let job = queue.withLockedValue({ queue -> UnownedJob? in
            if let job = queue.jobs.popFirst() { return job }
            queue.drainScheduled = false
            return nil
        }) {
            job.runSynchronously(on: executor)
        }
    }
}
