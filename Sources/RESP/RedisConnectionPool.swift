/// A bounded pool of connections for work that needs a connection to itself (blocking commands,
/// `WATCH`/`MULTI`, long scans). Ordinary commands should share a ``RedisClient`` instead: leasing
/// a connection per command costs far more than multiplexing.
///
/// At most `maxConnections` exist; callers beyond that wait, in order, up to `leaseTimeout`.
/// Connections are checked on lease (a closed one is replaced) and, after `healthCheckAfter` idle,
/// pinged. When connecting fails, new attempts back off exponentially with jitter, and leases
/// fail fast meanwhile.
public actor RedisConnectionPool {
    public let configuration: RedisConfiguration
    public let maxConnections: Int
    public let leaseTimeout: Duration
    public let healthCheckAfter: Duration
    public let reconnectPolicy: ReconnectPolicy

    private var idle: [(connection: RedisConnection, since: ContinuousClock.Instant)] = []
    private var leased = 0
    private var connecting = 0
    /// Idle connections taken out for a health check (`PING`) before being leased: still open,
    /// so they count against `maxConnections`.
    private var checking = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<RedisConnection, any Error>)] = []
    private var nextWaiter = 0
    private var failures = 0
    private var retryAt: ContinuousClock.Instant?
    private var closed = false

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
    }

    /// Connections open now (idle, being health-checked, leased or being opened).
    public var size: Int { idle.count + checking + leased + connecting }
    public var waiting: Int { waiters.count }

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
        guard !closed else { throw RedisConnectionError(.closed, "the pool is closed") }
        while let (connection, since) = idle.popLast() {
            if !connection.isActive { continue }
            if ContinuousClock.now - since > healthCheckAfter {
                checking += 1
                let healthy = (try? await connection.send(RESPCommand("PING"))) != nil
                checking -= 1
                guard healthy, !closed else {
                    await connection.close()
                    if closed { throw RedisConnectionError(.closed, "the pool is closed") }
                    continue
                }
            }
            leased += 1
            return connection
        }
        if size < maxConnections {
            return try await open()
        }
        return try await wait()
    }

    /// Returns a connection; a waiter gets it at once, a closed one is dropped.
    public func release(_ connection: RedisConnection) {
        leased -= 1
        guard connection.isActive, !closed else {
            Task { await connection.close() }
            wakeWaiterWithNewConnection()
            return
        }
        if !waiters.isEmpty {
            leased += 1
            waiters.removeFirst().continuation.resume(returning: connection)
        } else {
            idle.append((connection, .now))
        }
    }

    /// Closes idle connections and fails waiters; leased connections close when released.
    public func close() async {
        closed = true
        for waiter in waiters { waiter.continuation.resume(throwing: RedisConnectionError(.closed, "the pool is closed")) }
        waiters.removeAll()
        let connections = idle.map(\.connection)
        idle.removeAll()
        for connection in connections { await connection.close() }
    }

    private func open() async throws -> RedisConnection {
        if let retryAt, retryAt > .now {
            throw RedisConnectionError(.unavailable, "Redis at \(configuration.host):\(configuration.port) is unavailable after \(failures) failed attempts; backing off")
        }
        connecting += 1
        do {
            let connection = try await RedisConnection.connect(configuration)
            connecting -= 1
            failures = 0
            retryAt = nil
            leased += 1
            return connection
        } catch {
            connecting -= 1
            failures += 1
            retryAt = .now + reconnectPolicy.delay(afterFailures: failures)
            throw error
        }
    }

    private func wait() async throws -> RedisConnection {
        let id = nextWaiter
        nextWaiter += 1
        let timeout = leaseTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters.append((id, continuation))
        }
    }

    private func expire(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: RedisConnectionError(
            .timeout, "no connection became free within the lease timeout (\(maxConnections) in use)"))
    }

    /// A dropped connection frees a slot: open a new one for the first waiter, if any.
    private func wakeWaiterWithNewConnection() {
        guard !waiters.isEmpty, !closed else { return }
        Task {
            do {
                let connection = try await self.open()
                self.handOver(connection)
            } catch {
                self.failFirstWaiter(error)
            }
        }
    }

    private func handOver(_ connection: RedisConnection) {
        if waiters.isEmpty {
            leased -= 1
            idle.append((connection, .now))
        } else {
            waiters.removeFirst().continuation.resume(returning: connection)
        }
    }

    private func failFirstWaiter(_ error: any Error) {
        guard !waiters.isEmpty else { return }
        waiters.removeFirst().continuation.resume(throwing: error)
    }
}
