import RESP
import RedisTestSupport
import Testing

@Suite("Connection pool (real redis-server)", .timeLimit(.minutes(2)))
struct RedisConnectionPoolTests {
    actor Peak {
        var current = 0
        var peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    @Test func boundedWithWaitersServedInTurn() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(server.configuration, maxConnections: 2, leaseTimeout: .seconds(5))
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
            #expect(await pool.size == 2)
            await pool.close()
        }
    }

    @Test func waitersTimeOut() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(server.configuration, maxConnections: 1, leaseTimeout: .milliseconds(100))
            let holder = Task {
                try await pool.withConnection { connection in _ = try await connection.send(RESPCommand("BLPOP", "nothing", "1")) }
            }
            try await Task.sleep(for: .milliseconds(50))
            let start = ContinuousClock.now
            do {
                _ = try await pool.lease()
                Issue.record("the second lease must time out")
            } catch let error as RedisConnectionError {
                #expect(error.kind == .timeout)
            }
            #expect(ContinuousClock.now - start < .milliseconds(900))
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
            await #expect(throws: RedisConnectionError.self) { try await pool.withConnection { try await $0.send(RESPCommand("PING")) } }
            // The next lease fails fast while backing off instead of dialling again.
            do {
                _ = try await pool.lease()
                Issue.record("leasing from a dead server must fail")
            } catch let error as RedisConnectionError {
                #expect(error.kind == .unavailable || error.kind == .connectFailed)
            }
            try await server.restart()
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await pool.withConnection { try await $0.send(RESPCommand("PING")) } == .simpleString("PONG"))
            await pool.close()
        }
    }
}
