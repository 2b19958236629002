import TestSupport
import NIOCore
import RESP
import RedisTestSupport
import Testing

@Suite("Redis connection (real redis-server)", .timeLimit(.minutes(2)))
struct RedisConnectionTests {
    @Test func roundTripsAndRESP3() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(server.configuration)
            #expect(connection.protocolVersion == 3)
            #expect(try await connection.send(RESPCommand("PING")) == .simpleString("PONG"))
            try await connection.send(RESPCommand("SET", "k", "v"))
            #expect(try await connection.send(RESPCommand("GET", "k")).string == "v")
            #expect(try await connection.send(RESPCommand("GET", "missing")) == .null)
            // RESP3 maps from HGETALL.
            try await connection.send(RESPCommand("HSET", "h", "a", "1"))
            if case .map(let pairs) = try await connection.send(RESPCommand("HGETALL", "h")) {
                #expect(pairs.map { $0.key.string } == ["a"])
            } else {
                Issue.record("HGETALL should reply with a map in RESP3")
            }
            await connection.close()
        }
    }

    /// A reply of 200,000 elements arrives in many socket reads, mixed with small replies for
    /// concurrent callers: each gets exactly its own reply (the decoder resumes across reads).
    @Test func largeRepliesArriveWholeAcrossManyReads() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(server.configuration)
            let count = 200_000
            var batch: [RESPCommand] = []
            for start in stride(from: 0, to: count, by: 1000) {
                var push = RESPCommand("RPUSH", "list")
                for index in start..<(start + 1000) { push.append("element-\(index)") }
                batch.append(push)
            }
            _ = try await connection.pipeline(batch)
            async let small = connection.send(RESPCommand("PING"))
            let reply = try await connection.send(RESPCommand("LRANGE", "list", "0", "-1"))
            #expect(try await small == .simpleString("PONG"))
            let elements = try #require(reply.elements)
            #expect(elements.count == count)
            #expect(elements.first?.string == "element-0")
            #expect(elements[count / 2].string == "element-\(count / 2)")
            #expect(elements.last?.string == "element-\(count - 1)")
            #expect(try await connection.send(RESPCommand("GET", "after")) == .null, "the connection is in step after the big reply")
            await connection.close()
        }
    }

    /// Callers that prefer the connection's executor run on its event loop (no hop per command);
    /// many of them share one connection, their commands leave together and every caller gets its
    /// own reply, mixed with single commands, batches and callers from the global executor.
    @Test func callersOnTheConnectionsEventLoop() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(server.configuration)
            try await withTaskExecutorPreference(connection.executor) {
                #expect(connection.eventLoop.inEventLoop)
                try await connection.send(RESPCommand("SET", "loop", "1"))
                #expect(connection.eventLoop.inEventLoop, "resumed on the event loop after a reply")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<300 {
                        group.addTask {
                            #expect(connection.eventLoop.inEventLoop, "child tasks inherit the preference")
                            let key = "key:\(index)"
                            if index % 3 == 0 {
                                let replies = try await connection.pipeline([
                                    RESPCommand("SET", key, "value:\(index)"), RESPCommand("GET", key), RESPCommand("STRLEN", key),
                                ])
                                #expect(replies.map(\.string) == ["OK", "value:\(index)", nil])
                                #expect(replies[2].int == Int64("value:\(index)".utf8.count))
                            } else {
                                try await connection.send(RESPCommand("SET", key, "value:\(index)"))
                                #expect(try await connection.send(RESPCommand("GET", key)).string == "value:\(index)")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Callers elsewhere keep working on the same connection, interleaved with loop callers.
            async let fromPool = connection.send(RESPCommand("GET", "key:7"))
            let fromLoop = try await withTaskExecutorPreference(connection.executor) {
                try await connection.send(RESPCommand("GET", "key:8"))
            }
            #expect(try await fromPool.string == "value:7")
            #expect(fromLoop.string == "value:8")
            await connection.close()
        }
    }

    @Test func errorsAreThrownAndTheConnectionStaysUsable() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(server.configuration)
            await #expect(throws: RedisError.self) { try await connection.send(RESPCommand("NOSUCHCOMMAND")) }
            try await connection.send(RESPCommand("SET", "s", "text"))
            do {
                try await connection.send(RESPCommand("INCR", "s"))
                Issue.record("INCR on text must fail")
            } catch let error as RedisError {
                #expect(error.code == "ERR")
            }
            #expect(try await connection.send(RESPCommand("PING")) == .simpleString("PONG"))
        }
    }

    @Test func pipeliningManyConcurrentCallers() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(server.configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        try await connection.send(RESPCommand("SET", "key:\(index)", "value:\(index)"))
                        let value = try await connection.send(RESPCommand("GET", "key:\(index)"))
                        #expect(value.string == "value:\(index)")
                    }
                }
                try await group.waitForAll()
            }
            let replies = try await connection.pipeline((0..<100).map { RESPCommand("INCR", "counter\($0 % 3)") } + [RESPCommand("NOSUCH")])
            #expect(replies.count == 101)
            #expect(replies[99].int == 34, "counter0 is incremented at 0, 3, …, 99")
            if case .error = replies[100] {} else { Issue.record("the error reply is returned in place") }
        }
    }

    @Test func resp2FallbackWhenHelloIsUnavailable() async throws {
        try await withRedisServer(["--rename-command", "HELLO", ""]) { server in
            var configuration = server.configuration
            configuration.clientName = "fallback-client"
            let connection = try await RedisConnection.connect(configuration)
            #expect(connection.protocolVersion == 2)
            #expect(try await connection.send(RESPCommand("CLIENT", "GETNAME")).string == "fallback-client")
        }
    }

    @Test func authSetNameAndSelect() async throws {
        let acl = ["--requirepass", "s3cret", "--user", "alice", "on", ">wonderland", "~*", "&*", "+@all"]
        try await withRedisServer(acl) { server in
            var configuration = server.configuration
            configuration.username = "alice"
            configuration.password = "wonderland"
            configuration.clientName = "cachepolicy-test"
            configuration.database = 3
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send(RESPCommand("ACL", "WHOAMI")).string == "alice")
            #expect(try await connection.send(RESPCommand("CLIENT", "GETNAME")).string == "cachepolicy-test")
            try await connection.send(RESPCommand("SET", "in-db-3", "yes"))
            var other = server.configuration
            other.password = "s3cret"
            other.preferRESP3 = false
            let defaultDB = try await RedisConnection.connect(other)
            #expect(defaultDB.protocolVersion == 2)
            #expect(try await defaultDB.send(RESPCommand("EXISTS", "in-db-3")).int == 0)
            try await defaultDB.send(RESPCommand("SELECT", "3"))
            #expect(try await defaultDB.send(RESPCommand("EXISTS", "in-db-3")).int == 1)

            var wrong = configuration
            wrong.password = "nope"
            do {
                _ = try await RedisConnection.connect(wrong)
                Issue.record("a wrong password must fail")
            } catch let error as RedisError {
                #expect(error.code == "WRONGPASS")
            }
        }
    }

    @Test func commandTimeoutFailsTheConnectionNotTheCaller() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.commandTimeout = .milliseconds(200)
            let connection = try await RedisConnection.connect(configuration)
            let start = ContinuousClock.now
            do {
                try await connection.send(RESPCommand("BLPOP", "nothing", "5"))
                Issue.record("BLPOP must time out")
            } catch let error as RedisConnectionError {
                #expect(error.kind == .timeout)
            }
            #expect(ContinuousClock.now - start < .seconds(2))
            await #expect(throws: RedisConnectionError.self) { try await connection.send(RESPCommand("PING")) }
        }
    }

    @Test func connectFailsFastOnAClosedPort() async throws {
        let server = try await RedisServer.start()
        let configuration = server.configuration
        server.stop()
        do {
            _ = try await RedisConnection.connect(configuration)
            Issue.record("connecting to a stopped server must fail")
        } catch let error as RedisConnectionError {
            #expect(error.kind == .connectFailed)
        }
    }

    @Test func killedServerFailsWaitingCommandsAndTheClientRecovers() async throws {
        try await withRedisServer { server in
            let client = RedisClient(server.configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
            try await client.send(RESPCommand("SET", "before", "1"))
            // Commands in flight when the server dies fail with a connection error, not a hang.
            let blocked = Task { try await client.send(RESPCommand("BLPOP", "never", "10")) }
            try await Task.sleep(for: .milliseconds(100))
            server.stop()
            await #expect(throws: RedisConnectionError.self) { try await blocked.value }
            // While it is down, calls fail fast.
            let start = ContinuousClock.now
            for _ in 0..<5 {
                await #expect(throws: RedisConnectionError.self) { try await client.send(RESPCommand("PING")) }
            }
            #expect(ContinuousClock.now - start < .seconds(3))
            try await server.restart()
            var recovered = false
            for _ in 0..<50 where !recovered {
                recovered = (try? await client.send(RESPCommand("PING"))) == .simpleString("PONG")
                if !recovered { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(recovered, "the same client reconnects after the restart")
            // Every connection of the client lives on the client's event loop, so its executor
            // stays valid across reconnects.
            let reconnected = try await client.connection()
            #expect(reconnected.eventLoop === client.eventLoop)
            let onLoop = try await withTaskExecutorPreference(client.executor) {
                try await client.send(RESPCommand("SET", "after", "1"))
                let reply = try await client.send(RESPCommand("GET", "after"))
                return (reply, client.eventLoop.inEventLoop)
            }
            #expect(onLoop.0.string == "1")
            #expect(onLoop.1)
            await client.shutdown()
        }
    }

    @Test func backoffGrowsWithJitterUpToMax() {
        var rng = SeededGenerator(state: 1)
        let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0.2)
        let first = policy.delay(afterFailures: 1, using: &rng)
        #expect(first >= .milliseconds(80) && first <= .milliseconds(120))
        let third = policy.delay(afterFailures: 3, using: &rng)
        #expect(third >= .milliseconds(320) && third <= .milliseconds(480))
        let late = policy.delay(afterFailures: 30, using: &rng)
        #expect(late >= .milliseconds(800) && late <= .milliseconds(1200))
    }
}
