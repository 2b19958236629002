import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A reconnecting, multiplexed client: concurrent callers share one connection (no lease per
/// command). When the connection dies, the next call reconnects; while reconnection attempts fail,
/// calls fail fast with ``RedisConnectionError`` (kind `.unavailable`) until the backoff elapses,
/// instead of piling up on a dead server.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    public let reconnectPolicy: ReconnectPolicy
    /// The event loop every connection of this client runs on (the same one across reconnects).
    public let eventLoop: any EventLoop
    /// A task executor on ``eventLoop``: tasks that prefer it send commands without a thread hop
    /// (see ``EventLoopTaskExecutor``).
    public let executor: EventLoopTaskExecutor
    private let onPush: (@Sendable (RESPValue) -> Void)?
    private let state = NIOLockedValueBox(State.idle(failures: 0, retryAt: nil))

    private enum State {
        case idle(failures: Int, retryAt: ContinuousClock.Instant?)
        case connecting(Task<RedisConnection, any Error>, failures: Int)
        case connected(RedisConnection)
        case shutDown
    }

    public init(
        _ configuration: RedisConfiguration, reconnectPolicy: ReconnectPolicy = ReconnectPolicy(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onPush: (@Sendable (RESPValue) -> Void)? = nil
    ) {
        self.configuration = configuration
        eventLoop = eventLoopGroup.next()
        executor = EventLoopTaskExecutor(eventLoop)
        self.reconnectPolicy = reconnectPolicy
        self.onPush = onPush
    }

    private enum Next {
        case use(RedisConnection)
        case wait(Task<RedisConnection, any Error>)
        case fail(any Error)
    }

    /// The current connection, connecting (once, shared by concurrent callers) when needed.
    public func connection() async throws -> RedisConnection {
        let next: Next = state.withLockedValue { state in
            switch state {
            case .connected(let connection) where connection.isActive:
                return .use(connection)
            case .connected:
                return startConnecting(&state, failures: 0)
            case .connecting(let task, _):
                return .wait(task)
            case .idle(let failures, let retryAt):
                if let retryAt, retryAt > .now {
                    let milliseconds = (retryAt - .now).components.attoseconds / 1_000_000_000_000_000
                        + (retryAt - .now).components.seconds * 1000
                    return .fail(RedisConnectionError(
                        .unavailable,
                        "Redis at \(configuration.host):\(configuration.port) is unavailable after \(failures) failed attempt\(failures == 1 ? "" : "s"); next attempt in \(milliseconds) ms"))
                }
                return startConnecting(&state, failures: failures)
            case .shutDown:
                return .fail(RedisConnectionError(.closed, "the client was shut down"))
            }
        }
        switch next {
        case .use(let connection): return connection
        case .fail(let error): throw error
        case .wait(let task): return try await task.value
        }
    }

    /// Starts one connection attempt that every caller waits for; records the outcome.
    private func startConnecting(_ state: inout State, failures: Int) -> Next {
        let configuration = configuration
        let onPush = onPush
        let eventLoop = eventLoop
        let task = Task { () throws -> RedisConnection in
            do {
                let connection = try await RedisConnection.connect(configuration, eventLoopGroup: eventLoop, onPush: onPush)
                self.state.withLockedValue { state in
                    if case .connecting = state { state = .connected(connection) }
                }
                return connection
            } catch {
                let delay = self.reconnectPolicy.delay(afterFailures: failures + 1)
                self.state.withLockedValue { state in
                    if case .connecting = state { state = .idle(failures: failures + 1, retryAt: .now + delay) }
                }
                throw error
            }
        }
        state = .connecting(task, failures: failures)
        return .wait(task)
    }

    /// Sends one command (see ``RedisConnection/send(_:)``).
    @discardableResult
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await connection().send(command)
    }

    /// Sends commands with one flush (see ``RedisConnection/pipeline(_:)``).
    public func pipeline(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        try await connection().pipeline(commands)
    }

    /// Closes the connection; later calls fail.
    public func shutdown() async {
        let current: RedisConnection? = state.withLockedValue { state in
            defer { state = .shutDown }
            if case .connected(let connection) = state { return connection }
            if case .connecting(let task, _) = state { task.cancel() }
            return nil
        }
        await current?.close()
    }
}
