import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import TestSupport
import Testing

@Suite("Connection pool (real redis-server)", .hangLimit)
struct RedisConnectionPoolTests {
    actor Peak {
        var current = 0
        var peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    @Test func boundedWithWaitersServedInTurn() async throws {
        try await withRedisServer { server in
            // Waiters are served in turn, never time out: a loaded machine may take long to serve six.
            let pool = RedisConnectionPool(server.configuration, maxConnections: 2, leaseTimeout: .seconds(120))
            let peak = Peak()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            await peak.enter()
                            // A blocking command: the reason to lease a connection at all.
                            _ = try await connection.send(RESPCommand("BLPOP", "queue:\(index)", "0.1"))
                            await peak.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await peak.peak == 2)
            #expect(pool.size == 2)
            await pool.close()
        }
    }

    /// An idle connection being health-checked is still open: while its PING waits (the server is
    /// paused), a concurrent lease must wait instead of opening a second connection past the limit.
    @Test func healthChecksCountAgainstTheLimit() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.clientName = "pooled"
            // Waiters wait for the one connection, never time out: the limit is the subject, not speed.
            let pool = RedisConnectionPool(configuration, maxConnections: 1, leaseTimeout: .seconds(120), healthCheckAfter: .zero)
            try await pool.withConnection { _ = try await $0.send(RESPCommand("PING")) }
            let admin = try await RedisConnection.connect(server.configuration)
            try await admin.send(RESPCommand("CLIENT", "PAUSE", "300", "ALL"))
            let peak = Peak()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            await peak.enter()
                            _ = try await connection.send(RESPCommand("PING"))
                            await peak.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await peak.peak == 1)
            #expect(pool.size == 1)
            let list = try await admin.send(RESPCommand("CLIENT", "LIST")).string ?? ""
            #expect(list.split(whereSeparator: \.isNewline).filter { $0.contains("name=pooled ") }.count == 1)
            await admin.close()
            await pool.close()
        }
    }

    /// A cancelled waiter stops waiting at once and leaves the queue; the next one is served.
    @Test func cancelledWaitersLeaveTheQueue() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(server.configuration, maxConnections: 1, leaseTimeout: .seconds(30))
            let held = try await pool.lease()
            let cancelled = Task { try await pool.lease() }
            while pool.waiting < 1 { await Task.yield() }
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(pool.waiting == 0)
            async let next = pool.lease()
            while pool.waiting < 1 { await Task.yield() }
            pool.release(held)
            let handed = try await next
            #expect(handed === held, "the released connection went to the next waiter")
            pool.release(handed)
            await pool.close()
        }
    }

    @Test func waitersTimeOut() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.commandTimeout = .seconds(180)
            let pool = RedisConnectionPool(configuration, maxConnections: 1, leaseTimeout: .milliseconds(100))
            // The holder keeps the only connection until the test pushes to the list it waits on.
            let released = NIOLockedValueBox(false)
            let holder = Task {
                try await pool.withConnection { connection in _ = try await connection.send(RESPCommand("BLPOP", "release", "120")) }
                released.withLockedValue { $0 = true }
            }
            while pool.size < 1 { await Task.yield() }
            do {
                _ = try await pool.lease()
                Issue.record("the second lease must time out")
            } catch let error as RedisConnectionError {
                #expect(error.kind == .timeout)
            }
            #expect(!released.withLockedValue { $0 }, "the waiter gave up while the holder still held the connection")
            let admin = try await RedisConnection.connect(server.configuration)
            try await admin.send(RESPCommand("LPUSH", "release", "now"))
            await admin.close()
            try await holder.value
            await pool.close()
        }
    }

    @Test func deadConnectionsAreReplacedAndFailuresBackOff() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(
                server.configuration, maxConnections: 1,
                reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(300), maxDelay: .seconds(1), jitter: 0))
            #expect(try await pool.withConnection { try await $0.send(RESPCommand("PING")) } == .simpleString("PONG"))
            server.stop()
            // The leased connection fails (`.closed`) unless its close was already noticed; then a
            // lease dials and fails (`.connectFailed`); a lease while backing off fails fast without
            // dialling (`.unavailable`). On a loaded machine a lease can come after the backoff has
            // run out and dial (and fail) again; each failure doubles the backoff, so one soon lands
            // inside it.
            var kinds: [RedisConnectionError.Kind] = []
            while kinds.last != .unavailable, kinds.count < 8 {
                do {
                    _ = try await pool.withConnection { try await $0.send(RESPCommand("PING")) }
                    Issue.record("a dead server must fail")
                    break
                } catch let error as RedisConnectionError {
                    kinds.append(error.kind)
                }
            }
            let dials = kinds.drop { $0 == .closed }.prefix { $0 == .connectFailed }
            #expect(kinds.first.map { [.closed, .connectFailed].contains($0) } == true && kinds.filter { $0 == .closed }.count <= 1, "\(kinds)")
            #expect(!dials.isEmpty && kinds.last == .unavailable && kinds.count == (kinds.first == .closed ? 1 : 0) + dials.count + 1, "\(kinds)")
            try await server.restart()
            // Until the backoff (300 ms) ends, leases keep failing fast (never dialling, never
            // hanging); then one dials and succeeds.
            while true {
                do {
                    #expect(try await pool.withConnection { try await $0.send(RESPCommand("PING")) } == .simpleString("PONG"))
                    break
                } catch let error as RedisConnectionError {
                    #expect(error.kind == .unavailable, "only fail-fast refusals before the retry")
                    await Task.yield()
                }
            }
            await pool.close()
        }
    }
}
