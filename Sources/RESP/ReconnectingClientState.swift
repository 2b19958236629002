/// The state machine of ``RedisClient``, a plain value with no I/O: which connection callers use,
/// who waits for a connection attempt, the backoff after failures, and shutdown. The client holds
/// it under a lock and executes the actions it returns (connect, resume waiters, close), so every
/// race between callers, connect attempts, cancellation and shutdown is a transition tested
/// without a server.
///
/// Generic over the connection and waiter types so the tests can drive it with plain values.
struct ReconnectingClientState<Connection: AnyObject, Waiter> {
    enum State {
        /// No connection; after failures, new attempts wait until `retryAt`.
        case idle(failures: Int, retryAt: ContinuousClock.Instant?)
        /// One attempt is running; everyone who asked meanwhile waits for it.
        case connecting(failures: Int, waiters: [(id: UInt64, waiter: Waiter)])
        case connected(Connection)
        case shutDown
    }

    private(set) var state = State.idle(failures: 0, retryAt: nil)

    /// Consecutive failed connect attempts so far.
    var failures: Int {
        switch state {
        case .idle(let failures, _), .connecting(let failures, _): failures
        case .connected, .shutDown: 0
        }
    }

    enum RequestAction {
        case use(Connection)
        /// Start one connection attempt (the caller was queued as its first waiter).
        case startConnecting
        /// An attempt is running; the caller was queued.
        case wait
        case fail(RedisConnectionError)
    }

    /// A caller wants a connection. `isUsable` says whether the current connection is still open;
    /// a closed one is dropped and replaced.
    mutating func request(id: UInt64, waiter: Waiter, now: ContinuousClock.Instant, isUsable: (Connection) -> Bool, describe: @autoclosure () -> String) -> RequestAction {
        switch state {
        case .connected(let connection) where isUsable(connection):
            return .use(connection)
        case .connected:
            state = .connecting(failures: 0, waiters: [(id, waiter)])
            return .startConnecting
        case .idle(let failures, let retryAt):
            if let retryAt, retryAt > now {
                let milliseconds = (retryAt - now) / .milliseconds(1)
                return .fail(RedisConnectionError(
                    .unavailable,
                    "Redis at \(describe()) is unavailable after \(failures) failed attempt\(failures == 1 ? "" : "s"); next attempt in \(Int(milliseconds.rounded(.up))) ms"))
            }
            state = .connecting(failures: failures, waiters: [(id, waiter)])
            return .startConnecting
        case .connecting(let failures, var waiters):
            waiters.append((id, waiter))
            state = .connecting(failures: failures, waiters: waiters)
            return .wait
        case .shutDown:
            return .fail(RedisConnectionError(.closed, "the client was shut down"))
        }
    }

    enum ConnectedAction {
        /// Hand the connection to these waiters.
        case resume([Waiter], Connection)
        /// The client was shut down while connecting: close the new connection (nobody gets it).
        case close(Connection)
    }

    mutating func connectSucceeded(_ connection: Connection) -> ConnectedAction {
        switch state {
        case .connecting(_, let waiters):
            state = .connected(connection)
            return .resume(waiters.map(\.waiter), connection)
        case .shutDown, .idle, .connected:
            // Only one attempt runs at a time, so anything but `connecting` means shut down.
            return .close(connection)
        }
    }

    /// The attempt failed: back off for `delay(failures)` and fail everyone who waited for it.
    mutating func connectFailed(now: ContinuousClock.Instant, delay: (Int) -> Duration) -> [Waiter] {
        guard case .connecting(let failures, let waiters) = state else { return [] }
        state = .idle(failures: failures + 1, retryAt: now + delay(failures + 1))
        return waiters.map(\.waiter)
    }

    /// A waiting caller was cancelled: it stops waiting (the attempt goes on for the others).
    mutating func cancel(id: UInt64) -> Waiter? {
        guard case .connecting(let failures, var waiters) = state, let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        let waiter = waiters.remove(at: index).waiter
        state = .connecting(failures: failures, waiters: waiters)
        return waiter
    }

    enum ShutdownAction {
        case none
        case close(Connection)
        /// Fail these waiters; the running attempt's connection is closed when it arrives.
        case failWaiters([Waiter])
    }

    mutating func shutdown() -> ShutdownAction {
        defer { state = .shutDown }
        switch state {
        case .connected(let connection): return .close(connection)
        case .connecting(_, let waiters): return .failWaiters(waiters.map(\.waiter))
        case .idle, .shutDown: return .none
        }
    }

    /// The current connection, if it is usable: the lock-only fast path of every command.
    func current(isUsable: (Connection) -> Bool) -> Connection? {
        if case .connected(let connection) = state, isUsable(connection) { return connection }
        return nil
    }
}

extension ReconnectingClientState: Sendable where Connection: Sendable, Waiter: Sendable {}
extension ReconnectingClientState.State: Sendable where Connection: Sendable, Waiter: Sendable {}
