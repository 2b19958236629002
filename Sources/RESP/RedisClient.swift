import Atomics
import CoreMetrics
import Logging
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
    /// Where connects, failed attempts and shutdown are logged (never credentials).
    public let logger: Logger
    private typealias Waiter = UnsafeContinuation<RedisConnection, any Error>
    private let state = NIOLockedValueBox(ReconnectingClientState<RedisConnection, Waiter>())
    /// The running connection attempt, so ``shutdown()`` can wait for it to close what it opened.
    private let attempt = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let nextWaiter = ManagedAtomic<UInt64>(0)
    /// With Sentinel: the subscriptions to `+switch-master` on every sentinel.
    private let sentinelWatch = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// `cachepolicy_redis_connects_total{outcome="ok"|"failed"}` (docs/metrics.md).
    private let connects: Counter
    private let failedConnects: Counter

    /// - Parameter metrics: where connects are counted; `nil` for the process's `MetricsSystem`.
    public init(
        _ configuration: RedisConfiguration, reconnectPolicy: ReconnectPolicy = ReconnectPolicy(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onPush: (@Sendable (RESPValue) -> Void)? = nil, logger: Logger = Logger(label: "cachepolicy.redis"),
        metrics: (any MetricsFactory)? = nil
    ) {
        self.logger = logger
        let factory = metrics ?? MetricsSystem.factory
        connects = Counter(label: "cachepolicy_redis_connects_total", dimensions: [("outcome", "ok")], factory: factory)
        failedConnects = Counter(label: "cachepolicy_redis_connects_total", dimensions: [("outcome", "failed")], factory: factory)
        self.configuration = configuration
        eventLoop = eventLoopGroup.next()
        executor = EventLoopTaskExecutor(eventLoop)
        self.reconnectPolicy = reconnectPolicy
        self.onPush = onPush
        if let sentinel = configuration.sentinel { watchSwitches(sentinel) }
    }

    /// Subscribes to `+switch-master` on every sentinel, as a hint: when the master moves, the
    /// connection to the old one is closed, so the next call resolves (and verifies) the new one
    /// instead of waiting for a `READONLY` or a dead socket. The sentinels' answer on reconnect
    /// stays the authority.
    private func watchSwitches(_ sentinel: SentinelConfiguration) {
        let tls = configuration.tls
        let task = Task { [weak self] in
            await withTaskGroup(of: Void.self) { group in
                for address in sentinel.sentinels {
                    let configuration = RedisConfiguration(
                        host: address.host, port: address.port, username: sentinel.username, password: sentinel.password,
                        connectTimeout: sentinel.timeout, commandTimeout: sentinel.timeout, preferRESP3: false, tls: tls)
                    let subscriber = RedisSubscriber(configuration, channels: ["+switch-master"], reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(200), maxDelay: .seconds(5)))
                    group.addTask { [weak self] in
                        await subscriber.run { [weak self] event in
                            guard case .message(let message) = event else { return }
                            self?.masterSwitched(String(buffer: message.payload), sentinel: sentinel)
                        }
                    }
                }
            }
        }
        sentinelWatch.withLockedValue { $0 = task }
    }

    deinit {
        sentinelWatch.withLockedValue { $0 }?.cancel()
    }

    /// `+switch-master <name> <old ip> <old port> <new ip> <new port>`.
    private func masterSwitched(_ payload: String, sentinel: SentinelConfiguration) {
        let parts = payload.split(separator: " ")
        guard parts.count == 5, parts[0] == sentinel.masterName, let port = Int(parts[4]) else { return }
        let host = String(parts[3])
        guard let connection = state.withLockedValue({ $0.current(isUsable: \.isActive) }) else { return }
        let onNewMaster = connection.configuration.host == host && connection.configuration.port == port
        // A master-role client leaves the old master; a replica-role client leaves the replica that
        // was just promoted (the next connect picks a replica again).
        guard sentinel.role == .master ? !onNewMaster : onNewMaster else { return }
        logger.info("the sentinels switched the master; reconnecting", metadata: ["master": "\(sentinel.masterName)", "to": "\(host):\(port)"])
        Task { await connection.close() }
    }

    /// Where this client connects, for messages: `host:port`, or the Sentinel master's name.
    private var address: String {
        configuration.sentinel.map { "\($0.role == .master ? "the" : "a replica of the") Sentinel master '\($0.masterName)'" } ?? "\(configuration.host):\(configuration.port)"
    }

    /// The current connection, connecting (once, shared by concurrent callers) when needed. A
    /// cancelled caller stops waiting at once; the attempt goes on for the others.
    public func connection() async throws -> RedisConnection {
        if let connection = state.withLockedValue({ $0.current(isUsable: \.isActive) }) { return connection }
        let id = nextWaiter.wrappingIncrementThenLoad(ordering: .relaxed)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (waiter: Waiter) in
                let action = state.withLockedValue { state in
                    state.request(
                        id: id, waiter: waiter, now: .now, isUsable: \.isActive,
                        describe: address)
                }
                switch action {
                case .use(let connection): waiter.resume(returning: connection)
                case .fail(let error): waiter.resume(throwing: error)
                case .wait: break
                case .startConnecting: startConnecting()
                }
            }
        } onCancel: {
            state.withLockedValue { $0.cancel(id: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Runs one connection attempt and executes the state machine's verdict on it.
    private func startConnecting() {
        let task = Task {
            do {
                let connection = try await RedisConnection.connect(configuration, eventLoopGroup: eventLoop, onPush: onPush)
                let failed = state.withLockedValue { $0.failures }
                switch state.withLockedValue({ $0.connectSucceeded(connection) }) {
                case .resume(let waiters, let connection):
                    connects.increment()
                    logger.info(
                        "connected to Redis",
                        metadata: ["redis": "\(address)", "protocol": "\(connection.protocolVersion)",
                                   "failedAttempts": "\(failed)"])
                    for waiter in waiters { waiter.resume(returning: connection) }
                case .close(let connection):
                    await connection.close()
                }
            } catch {
                failedConnects.increment()
                let (waiters, failures) = state.withLockedValue { state in
                    (state.connectFailed(now: .now, delay: reconnectPolicy.delay(afterFailures:)), state.failures)
                }
                logger.warning(
                    "cannot connect to Redis; calls fail fast until the next attempt",
                    metadata: ["redis": "\(address)", "failedAttempts": "\(failures)", "error": "\(error)"])
                for waiter in waiters { waiter.resume(throwing: error) }
            }
        }
        attempt.withLockedValue { $0 = task }
    }

    /// Sends one command (see ``RedisConnection/send(_:)``).
    @discardableResult
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        guard configuration.sentinel != nil else { return try await connection().send(command) }
        let connection = try await connection()
        do {
            return try await connection.send(command)
        } catch let error as RedisError where error.code == "READONLY" {
            demoted(connection)
            throw error
        }
    }

    /// Sends commands with one flush (see ``RedisConnection/pipeline(_:)``).
    public func pipeline(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        guard configuration.sentinel != nil else { return try await connection().pipeline(commands) }
        let connection = try await connection()
        let replies = try await connection.pipeline(commands)
        if replies.contains(where: { if case .error(let message) = $0 { RedisError(message).code == "READONLY" } else { false } }) {
            demoted(connection)
        }
        return replies
    }

    /// The Sentinel master this client talks to became a replica (a failover demoted it while it
    /// stayed up): the connection is closed so the next call resolves the master again.
    private func demoted(_ connection: RedisConnection) {
        logger.warning(
            "the Sentinel master answered READONLY (a failover demoted it): reconnecting through the sentinels",
            metadata: ["master": "\(configuration.sentinel?.masterName ?? "")"])
        Task { await connection.close() }
    }

    /// Closes the connection and fails callers waiting for one; later calls fail. A connection
    /// attempt still running is closed when it completes, before this returns.
    public func shutdown() async {
        logger.debug("shutting down the Redis client", metadata: ["redis": "\(address)"])
        if let watch = sentinelWatch.withLockedValue({ $0 }) {
            watch.cancel()
            await watch.value
        }
        switch state.withLockedValue({ $0.shutdown() }) {
        case .none: break
        case .close(let connection): await connection.close()
        case .failWaiters(let waiters):
            for waiter in waiters { waiter.resume(throwing: RedisConnectionError(.closed, "the client was shut down")) }
        }
        await attempt.withLockedValue { $0 }?.value
    }
}
