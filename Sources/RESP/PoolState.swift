/// The state machine of ``RedisConnectionPool``, a plain value with no I/O: idle, leased, opening
/// and health-checked connections (all of which count against the limit), waiters in order,
/// connect backoff, and closing. The pool holds it under a lock and executes the actions it returns
/// (open, ping, close, resume), so every race between leases, releases, timeouts, cancellation and
/// closing is a transition tested without a server.
///
/// Generic over the connection and waiter types so the tests can drive it with plain values.
struct PoolState<Connection: AnyObject, Waiter> {
    let maxConnections: Int
    let healthCheckAfter: Duration
    private(set) var idle: [(connection: Connection, since: ContinuousClock.Instant)] = []
    private(set) var leased = 0
    private(set) var opening = 0
    /// Idle connections taken out for a `PING` before being leased: still open.
    private(set) var checking = 0
    private(set) var waiters: [(id: UInt64, waiter: Waiter)] = []
    private(set) var failures = 0
    private var retryAt: ContinuousClock.Instant?
    private(set) var closed = false

    init(maxConnections: Int, healthCheckAfter: Duration) {
        self.maxConnections = maxConnections
        self.healthCheckAfter = healthCheckAfter
    }

    /// Connections open or being opened: never more than `maxConnections`.
    var size: Int { idle.count + checking + leased + opening }

    enum LeaseAction {
        /// Leased: hand it over.
        case use(Connection)
        /// Idle too long: `PING` it, then report ``checked(_:healthy:now:)``.
        case check(Connection)
        /// Open a new connection, then report ``opened(_:)`` or ``openFailed(_:now:delay:)``.
        case open
        /// Queued until a connection is released (or the lease times out).
        case wait
        case fail(RedisConnectionError)
    }

    /// A caller asks for a connection. Closed idle connections found on the way are returned in
    /// `discard` (to close).
    mutating func lease(id: UInt64, waiter: Waiter, now: ContinuousClock.Instant, isUsable: (Connection) -> Bool, discard: inout [Connection]) -> LeaseAction {
        guard !closed else { return .fail(RedisConnectionError(.closed, "the pool is closed")) }
        while let (connection, since) = idle.popLast() {
            guard isUsable(connection) else {
                discard.append(connection)
                continue
            }
            if now - since > healthCheckAfter {
                checking += 1
                return .check(connection)
            }
            leased += 1
            return .use(connection)
        }
        if size < maxConnections {
            if let retryAt, retryAt > now {
                return .fail(RedisConnectionError(.unavailable, "Redis is unavailable after \(failures) failed attempt\(failures == 1 ? "" : "s"); backing off"))
            }
            opening += 1
            return .open
        }
        waiters.append((id, waiter))
        return .wait
    }

    /// A health check ended. Healthy: leased to the caller. Not: report it closed and lease again.
    mutating func checked(_ connection: Connection, healthy: Bool) -> Bool {
        checking -= 1
        guard healthy, !closed else { return false }
        leased += 1
        return true
    }

    mutating func opened(_ connection: Connection) -> Bool {
        opening -= 1
        failures = 0
        retryAt = nil
        guard !closed else { return false }
        leased += 1
        return true
    }

    mutating func openFailed(now: ContinuousClock.Instant, delay: (Int) -> Duration) {
        opening -= 1
        failures += 1
        retryAt = now + delay(failures)
    }

    enum ReleaseAction {
        /// Back to idle.
        case keep
        /// Hand it to the first waiter.
        case handOver(Waiter)
        /// Close it; nobody waits.
        case close
        /// Close it, and open a new connection for the first waiter (report ``opened(_:)`` …).
        case closeAndOpenFor(Waiter)
    }

    mutating func release(_ connection: Connection, usable: Bool, now: ContinuousClock.Instant) -> ReleaseAction {
        leased -= 1
        guard usable, !closed else {
            guard !closed, !waiters.isEmpty else { return .close }
            // The freed slot goes to the first waiter's new connection, counted as leased from now.
            leased += 1
            return .closeAndOpenFor(waiters.removeFirst().waiter)
        }
        if !waiters.isEmpty {
            leased += 1
            return .handOver(waiters.removeFirst().waiter)
        }
        idle.append((connection, now))
        return .keep
    }

    /// A connection opened for a waiter failed: its slot is free again.
    mutating func openForWaiterFailed(now: ContinuousClock.Instant, delay: (Int) -> Duration) {
        leased -= 1
        failures += 1
        retryAt = now + delay(failures)
    }

    /// A waiter's lease timed out or its task was cancelled: it stops waiting.
    mutating func removeWaiter(id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// Closing: the waiters to fail and the idle connections to close; leased ones close when released.
    mutating func close() -> (waiters: [Waiter], idle: [Connection]) {
        closed = true
        defer {
            waiters.removeAll()
            idle.removeAll()
        }
        return (waiters.map(\.waiter), idle.map(\.connection))
    }
}

extension PoolState: Sendable where Connection: Sendable, Waiter: Sendable {}
