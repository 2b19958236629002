import NIOCore

/// A Swift task executor that runs jobs on one NIO event loop.
///
/// A task that prefers the executor of a connection's event loop
/// (`withTaskExecutorPreference(connection.executor) { … }`) hands its commands to the connection
/// and is resumed by the reply on the same thread: no hop between Swift's cooperative pool and the
/// event loop per command. Jobs wait in an ``EventLoopInbox``, so enqueueing allocates nothing.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    public let eventLoop: any EventLoop
    private let jobs: EventLoopInbox<UnownedJob>

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        jobs = EventLoopInbox(eventLoop)
        jobs.start { [unowned self] job in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    public func enqueue(_ job: UnownedJob) {
        jobs.submit(job)
    }
}
