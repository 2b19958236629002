import Atomics
import NIOConcurrencyHelpers

/// A bounded pool of connections for work that needs a connection to itself (blocking commands,
/// `WATCH`/`MULTI`, long scans). Ordinary commands should share a ``RedisClient`` instead: leasing
/// a connection per command costs far more than multiplexing.
///
/// At most `maxConnections` exist (idle, leased, being opened or being health-checked); callers
/// beyond that wait, in order, up to `leaseTimeout`, and a cancelled waiter stops waiting at once.
/// Connections are checked on lease (a closed one is replaced) and, after `healthCheckAfter` idle,
/// pinged. When connecting fails, new attempts back off exponentially with jitter, and leases
/// fail fast meanwhile. The bookkeeping is a tested state machine (``PoolState``).
public final class RedisConnectionPool: Sendable {
    public let configuration: RedisConfiguration
    public let maxConnections: Int
    public let leaseTimeout: Duration
    public let healthCheckAfter: Duration
    public let reconnectPolicy: ReconnectPolicy

    private typealias Waiter = UnsafeContinuation<RedisConnection, any Error>
    private let state: NIOLockedValueBox<PoolState<RedisConnection, Waiter>>
    private let nextWaiter = ManagedAtomic<UInt64>(0)

    public init(
        _ configuration: RedisConfiguration, maxConnections: Int = 8, leaseTimeout: Duration = .seconds(5),
        healthCheckAfter: Duration = .seconds(30), reconnectPolicy: ReconnectPolicy = ReconnectPolicy()
    ) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.leaseTimeout = leaseTimeout
        self.healthCheckAfter = healthCheckAfter
        self.reconnectPolicy = reconnectPolicy
        state = NIOLockedValueBox(PoolState(maxConnections: maxConnections, healthCheckAfter: healthCheckAfter))
    }

    /// Connections open now (idle, being health-checked, leased or being opened).
    public var size: Int { state.withLockedValue { $0.size } }
    public var waiting: Int { state.withLockedValue { $0.waiters.count } }

    /// Runs `body` with a connection of its own, returning it to the pool afterwards.
    public func withConnection<T: Sendable>(_ body: @Sendable (RedisConnection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    public func lease() async throws -> RedisConnection {
        let id = nextWaiter.wrappingIncrementThenLoad(ordering: .relaxed)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (waiter: Waiter) in attempt(id: id, waiter) }
        } onCancel: {
            state.withLockedValue { $0.removeWaiter(id: id) }?.resume(throwing: CancellationError())
        }
    }

    /// One lease attempt, executing what the state machine decides.
    private func attempt(id: UInt64, _ waiter: Waiter) {
        var discard: [RedisConnection] = []
        let action = state.withLockedValue { $0.lease(id: id, waiter: waiter, now: .now, isUsable: \.isActive, discard: &discard) }
        for connection in discard { Task { await connection.close() } }
        switch action {
        case .use(let connection):
            waiter.resume(returning: connection)
        case .fail(let error):
            waiter.resume(throwing: error)
        case .wait:
            let timeout = leaseTimeout, maxConnections = maxConnections
            Task {
                try? await Task.sleep(for: timeout)
                state.withLockedValue { $0.removeWaiter(id: id) }?.resume(throwing: RedisConnectionError(
                    .timeout, "no connection became free within the lease timeout (\(maxConnections) in use)"))
            }
        case .check(let connection):
            Task {
                let healthy = (try? await connection.send(RESPCommand("PING"))) != nil
                if state.withLockedValue({ $0.checked(connection, healthy: healthy) }) {
                    waiter.resume(returning: connection)
                } else {
                    await connection.close()
                    attempt(id: id, waiter)
                }
            }
        case .open:
            Task {
                do {
                    let connection = try await RedisConnection.connect(configuration)
                    if state.withLockedValue({ $0.opened(connection) }) {
                        waiter.resume(returning: connection)
                    } else {
                        await connection.close()
                        waiter.resume(throwing: RedisConnectionError(.closed, "the pool is closed"))
                    }
                } catch {
                    state.withLockedValue { $0.openFailed(now: .now, delay: reconnectPolicy.delay(afterFailures:)) }
                    waiter.resume(throwing: error)
                }
            }
        }
    }

    /// Returns a connection; a waiter gets it at once, a closed one is replaced for the first waiter.
    public func release(_ connection: RedisConnection) {
        switch state.withLockedValue({ $0.release(connection, usable: connection.isActive, now: .now) }) {
        case .keep:
            break
        case .handOver(let waiter):
            waiter.resume(returning: connection)
        case .close:
            Task { await connection.close() }
        case .closeAndOpenFor(let waiter):
            Task {
                await connection.close()
                do {
                    waiter.resume(returning: try await RedisConnection.connect(configuration))
                } catch {
                    state.withLockedValue { $0.openForWaiterFailed(now: .now, delay: reconnectPolicy.delay(afterFailures:)) }
                    waiter.resume(throwing: error)
                }
            }
        }
    }

    /// Closes idle connections and fails waiters; leased connections close when released.
    public func close() async {
        let (waiters, idle) = state.withLockedValue { $0.close() }
        for waiter in waiters { waiter.resume(throwing: RedisConnectionError(.closed, "the pool is closed")) }
        for connection in idle { await connection.close() }
    }
}
