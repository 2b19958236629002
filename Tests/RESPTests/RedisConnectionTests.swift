import NIOConcurrencyHelpers
import NIOCore
import RESP
import RedisTestSupport
import TestSupport
import Testing

@Suite("Redis connection (real redis-server)", .hangLimit)
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

    /// A cancelled caller returns at once with `CancellationError`, while its command (a blocking
    /// BLPOP) still holds the connection; the reply to it is dropped and the caller behind it
    /// gets its own reply, not the BLPOP's.
    @Test func cancelledCallersReturnAtOnceAndKeepTheReplyOrder() async throws {
        try await withRedisServer { server in
            // BLPOPs that wait until the test pushes to their list, after both callers were
            // cancelled: the server cannot answer first, however loaded the machine.
            var configuration = server.configuration
            configuration.commandTimeout = .seconds(120)
            let connection = try await RedisConnection.connect(configuration)
            let events = NIOLockedValueBox<[String]>([])
            let blocked = Task {
                do {
                    _ = try await connection.send(RESPCommand("BLPOP", "release", "0"))
                    events.withLockedValue { $0.append("blpop replied") }
                } catch is CancellationError {
                    events.withLockedValue { $0.append("blpop cancelled") }
                } catch {
                    events.withLockedValue { $0.append("blpop failed: \(error)") }
                }
            }
            let batch = Task {
                do {
                    _ = try await connection.pipeline([RESPCommand("BLPOP", "release", "0"), RESPCommand("PING")])
                    events.withLockedValue { $0.append("batch replied") }
                } catch is CancellationError {
                    events.withLockedValue { $0.append("batch cancelled") }
                } catch {
                    events.withLockedValue { $0.append("batch failed: \(error)") }
                }
            }
            // Wait until both are on the server (the client is blocked), then queue a PING behind them.
            while try await clientsBlocked(server) < 1 { try await Task.sleep(for: .milliseconds(10)) }
            async let behind = connection.send(RESPCommand("ECHO", "mine"))
            blocked.cancel()
            await blocked.value
            batch.cancel()
            await batch.value
            #expect(events.withLockedValue { $0 } == ["blpop cancelled", "batch cancelled"], "both returned before the server answered")
            // Now the server answers both BLPOPs (one element each), then the PING and the ECHO.
            let admin = try await RedisConnection.connect(server.configuration)
            try await admin.send(RESPCommand("RPUSH", "release", "a", "b"))
            await admin.close()
            #expect(try await behind == .bulkString(ByteBuffer(string: "mine")))
            #expect(try await connection.send(RESPCommand("ECHO", "after")).string == "after")
            await connection.close()
        }
    }

    /// Many callers, a third of them cancelled at random moments: every caller that is not
    /// cancelled gets exactly its own reply, and the connection stays usable.
    @Test func randomCancellationsNeverMixUpReplies() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(server.configuration)
            var rng = SeededGenerator(state: 31)
            let delays = (0..<600).map { _ in Int.random(in: 0..<200, using: &rng) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<600 {
                    let task = Task {
                        if index % 2 == 0 {
                            let reply = try await connection.send(RESPCommand("ECHO", "reply-\(index)"))
                            #expect(reply.string == "reply-\(index)")
                        } else {
                            let replies = try await connection.pipeline([RESPCommand("ECHO", "a-\(index)"), RESPCommand("ECHO", "b-\(index)")])
                            #expect(replies.map(\.string) == ["a-\(index)", "b-\(index)"])
                        }
                    }
                    group.addTask {
                        if index % 3 == 0 {
                            try await Task.sleep(for: .microseconds(delays[index]))
                            task.cancel()
                        }
                        do { try await task.value } catch is CancellationError {}
                    }
                }
                try await group.waitForAll()
            }
            // A task cancelled before it sends never reaches the server.
            let early = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await connection.send(RESPCommand("SET", "early", "1"))
            }
            await #expect(throws: CancellationError.self) { try await early.value }
            #expect(try await connection.send(RESPCommand("GET", "early")) == .null)
            #expect(try await connection.send(RESPCommand("ECHO", "still in step")).string == "still in step")
            await connection.close()
        }
    }

    /// Shutdown racing connection attempts: after `shutdown()` returns, the server has no
    /// connection of this client left (the first version leaked the one being opened).
    @Test func shutdownRacingAConnectLeaksNothing() async throws {
        try await withRedisServer { server in
            for round in 0..<30 {
                var configuration = server.configuration
                configuration.clientName = "race"
                let client = RedisClient(configuration)
                let callers = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for _ in 0..<4 { group.addTask { _ = try? await client.send(RESPCommand("PING")) } }
                    }
                }
                if round % 2 == 1 { await Task.yield() }
                await client.shutdown()
                await callers.value
                await #expect(throws: RedisConnectionError.self) { try await client.send(RESPCommand("PING")) }
            }
            // Closed sockets leave the server's client list within its event loop's next turns.
            var named = -1
            for _ in 0..<1_000 {
                let list = try await withRedisConnection(server) { try await $0.send(RESPCommand("CLIENT", "LIST")).string ?? "" }
                named = list.split(whereSeparator: \.isNewline).filter { $0.contains("name=race ") }.count
                if named == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(named == 0, "connections of shut-down clients are still open")
        }
    }

    /// A caller waiting for a connection attempt is cancelled: it returns at once, the others
    /// still get the connection.
    @Test func cancellingAWaiterForAConnection() async throws {
        try await withRedisServer { server in
            let client = RedisClient(server.configuration)
            let cancelled = Task { try await client.send(RESPCommand("PING")) }
            cancelled.cancel()
            async let other = client.send(RESPCommand("PING"))
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            let pong = try await other
            #expect(pong == .simpleString("PONG"))
            await client.shutdown()
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
            // Long enough for the handshake on a loaded machine, far shorter than the BLPOP.
            configuration.commandTimeout = .seconds(1)
            let connection = try await RedisConnection.connect(configuration)
            let start = ContinuousClock.now
            do {
                try await connection.send(RESPCommand("BLPOP", "nothing", "30"))
                Issue.record("BLPOP must time out")
            } catch let error as RedisConnectionError {
                #expect(error.kind == .timeout)
            }
            // Before the BLPOP's own end (a loaded CI machine once took 12.8 s to get here).
            #expect(ContinuousClock.now - start < .seconds(30))
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
            // A command timeout of a minute: a call that waited for it instead of failing fast
            // could not pass for fast, however loaded the machine.
            var configuration = server.configuration
            configuration.commandTimeout = .seconds(60)
            let client = RedisClient(configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
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
            #expect(ContinuousClock.now - start < .seconds(30), "fast, not a command timeout (60 s) per call")
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

/// `blocked_clients` from `INFO clients`.
func clientsBlocked(_ server: RedisServer) async throws -> Int {
    let probe = try await RedisConnection.connect(server.configuration)
    defer { Task { await probe.close() } }
    let info = try await probe.send(RESPCommand("INFO", "clients")).string ?? ""
    let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("blocked_clients:") }
    return line.flatMap { Int($0.dropFirst("blocked_clients:".count)) } ?? 0
}

func withRedisConnection<T>(_ server: RedisServer, _ body: (RedisConnection) async throws -> T) async throws -> T {
    let connection = try await RedisConnection.connect(server.configuration)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}
