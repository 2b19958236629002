import NIOConcurrencyHelpers
import NIOCore
import RESP
import RedisTestSupport
import TestSupport
import Testing

/// Collects a subscriber's events for a test to await.
final class EventInbox: Sendable {
    let stream: AsyncStream<RedisSubscriber.Event>
    let continuation: AsyncStream<RedisSubscriber.Event>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }
}

@Suite("Pub/sub (real redis-server)", .hangLimit)
struct RedisSubscriberTests {
    func publishUntilReceived(_ client: RedisClient, _ channel: String, _ message: String) async throws -> Int64 {
        for _ in 0..<100 {
            let receivers = try await client.send(RESPCommand("PUBLISH", channel, message)).int ?? 0
            if receivers > 0 { return receivers }
            try await Task.sleep(for: .milliseconds(20))
        }
        return 0
    }

    @Test(arguments: [true, false])
    func channelsAndPatternsResubscribeAfterRestart(resp3: Bool) async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.preferRESP3 = resp3
            let subscriber = RedisSubscriber(
                configuration, channels: ["news"], patterns: ["orders:*"],
                reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
            let inbox = EventInbox()
            let running = Task { await subscriber.run { inbox.continuation.yield($0) } }
            defer { running.cancel() }
            var events = inbox.stream.makeAsyncIterator()
            func nextMessage() async -> RedisSubscriber.Message? {
                while let event = await events.next() { if case .message(let message) = event { return message } }
                return nil
            }
            let client = RedisClient(server.configuration)
            #expect(try await publishUntilReceived(client, "news", "hello") == 1)
            let news = await nextMessage()
            #expect(news?.channel == "news" && news?.pattern == nil && news.map { String(buffer: $0.payload) } == "hello")
            #expect(try await publishUntilReceived(client, "orders:42", "created") == 1)
            let order = await nextMessage()
            #expect(order?.channel == "orders:42" && order?.pattern == "orders:*")

            try await server.restart()
            #expect(try await publishUntilReceived(client, "news", "after restart") == 1)
            #expect(await nextMessage().map { String(buffer: $0.payload) } == "after restart")
            // Cancelling the task ends the subscription promptly.
            let cancelled = ContinuousClock.now
            running.cancel()
            await running.value
            #expect(ContinuousClock.now - cancelled < .seconds(60), "promptly, not hanging")
            await client.shutdown()
        }
    }
}

@Suite("Faults under load (real redis-server)", .hangLimit)
struct FaultTests {
    actor Tally {
        var ok = 0
        var failed = 0
        var unexpected: [String] = []
        var lastSuccess: ContinuousClock.Instant?
        var restarted: ContinuousClock.Instant?
        /// A call succeeded after the server came back.
        var recovered: Bool { restarted.map { start in lastSuccess.map { $0 > start } ?? false } ?? false }
        func restart(at instant: ContinuousClock.Instant) { restarted = instant }
        func record(_ error: (any Error)?) {
            guard let error else {
                ok += 1
                lastSuccess = .now
                return
            }
            failed += 1
            if !(error is RedisConnectionError) { unexpected.append("\(error)") }
        }
    }

    /// Callers from the global pool, and callers on the client's event loop (whose commands take
    /// the synchronous path and are resumed on the loop).
    @Test(arguments: [false, true])
    func killingRedisMidLoadFailsFastAndRecovers(onEventLoop: Bool) async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.commandTimeout = .seconds(1)
            let client = RedisClient(configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(300)))
            let tally = Tally()
            // The load runs until a call succeeded after the restart (however slow the machine),
            // with a deadline that only a client that never recovers reaches.
            let deadline = ContinuousClock.now + .seconds(30)
            let executor: (any TaskExecutor)? = onEventLoop ? client.executor : nil
            let load = Task(executorPreference: executor) {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            #expect(client.eventLoop.inEventLoop == onEventLoop)
                            var index = 0
                            while ContinuousClock.now < deadline, !(await tally.recovered) {
                                index += 1
                                do {
                                    try await client.send(RESPCommand("SET", "w\(worker):\(index)", "v"))
                                    await tally.record(nil)
                                } catch {
                                    await tally.record(error)
                                    try? await Task.sleep(for: .milliseconds(5))
                                }
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(400))
            server.stop()
            try await Task.sleep(for: .milliseconds(500))
            try await server.restart()
            let restarted = ContinuousClock.now
            await tally.restart(at: restarted)
            await load.value
            #expect(ContinuousClock.now - restarted < .seconds(25), "no call hung until the load's 30 s deadline")
            #expect(await tally.failed > 0, "calls failed while Redis was down")
            let unexpected = await tally.unexpected
            #expect(unexpected.isEmpty, "\(unexpected.prefix(3))")
            #expect(await tally.ok > 0)
            #expect(await tally.lastSuccess.map { $0 > restarted } == true, "calls succeeded again after the restart, with the load still running")
            #expect(try await client.send(RESPCommand("PING")) == .simpleString("PONG"), "the same client works again")
            await client.shutdown()
        }
    }

    /// A handler that falls more than the buffer behind loses messages: the subscriber says so
    /// (a disconnect naming the overflow) and subscribes again, instead of dropping some silently
    /// or buffering without bound.
    @Test func aSlowHandlerOverflowsLoudlyAndResubscribes() async throws {
        try await withRedisServer { server in
            let subscriber = RedisSubscriber(
                server.configuration, channels: ["busy"],
                reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50)), bufferLimit: 10)
            let inbox = EventInbox()
            let (gate, open) = AsyncStream<Void>.makeStream()
            let running = Task {
                let first = NIOLockedValueBox(true)
                await subscriber.run { event in
                    if case .message = event, first.withLockedValue({ $0 }) {
                        first.withLockedValue { $0 = false }
                        for await _ in gate {}  // the handler stalls on the first message
                    }
                    inbox.continuation.yield(event)
                }
            }
            defer { running.cancel() }
            var events = inbox.stream.makeAsyncIterator()
            let client = RedisClient(server.configuration)
            #expect(try await RedisSubscriberTests().publishUntilReceived(client, "busy", "m0") == 1)
            for index in 1...100 { try await client.send(RESPCommand("PUBLISH", "busy", "m\(index)")) }
            // The server sees the subscriber go once the buffer overflowed.
            while try await client.send(RESPCommand("PUBSUB", "NUMSUB", "busy")).elements?.last?.int == 1 {
                try await Task.sleep(for: .milliseconds(5))
            }
            open.finish()
            var messages = 0
            var overflow: String?
            while overflow == nil, let event = await events.next() {
                switch event {
                case .message: messages += 1
                case .disconnected(let reason): overflow = reason
                case .subscribed: break
                }
            }
            #expect(overflow?.contains("fell more than 10 messages behind") == true, "\(overflow ?? "no disconnect")")
            #expect(messages <= 12, "at most the buffer (and the stalled message) was delivered, not all 101")
            var resubscribed = false
            while !resubscribed, let event = await events.next() { if case .subscribed = event { resubscribed = true } }
            #expect(resubscribed)
            await client.shutdown()
        }
    }
}
