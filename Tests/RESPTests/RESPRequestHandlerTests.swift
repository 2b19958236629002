import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing
@testable import RESP

/// The connection's channel handler on NIO's testing channel: bytes in, bytes out, virtual time;
/// no server.
@Suite("Request handler (NIOAsyncTestingChannel)")
struct RESPRequestHandlerTests {
    /// A handler on a testing channel, and callers that enqueue on its loop as the connection does.
    final class Harness: Sendable {
        let channel: NIOAsyncTestingChannel
        let handler: NIOLoopBound<RESPRequestHandler>
        let pushes = NIOLockedValueBox<[RESPValue]>([])

        init(commandTimeout: TimeAmount = .seconds(5), subscriber: Bool = false) async throws {
            let pushes = pushes
            channel = NIOAsyncTestingChannel()
            let loop = channel.testingEventLoop
            self.handler = try await loop.executeInContext { [channel] in
                let handler = RESPRequestHandler(
                    limits: .default, commandTimeout: commandTimeout, unsolicitedArraysArePushes: subscriber,
                    onPush: { push in pushes.withLockedValue { $0.append(push) } })
                try channel.pipeline.syncOperations.addHandler(handler)
                return NIOLoopBound(handler, eventLoop: loop)
            }
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).get()
        }

        func submit(_ request: @escaping @Sendable () -> RESPRequest) {
            let handler = handler
            channel.testingEventLoop.execute { handler.value.enqueue(request()) }
        }

        func send(_ command: RESPCommand, id: UInt64) async throws -> RESPValue {
            try await withUnsafeThrowingContinuation { continuation in submit { .single(command, continuation, id: id) } }
        }

        func pipeline(_ commands: [RESPCommand], id: UInt64) async throws -> [RESPValue] {
            try await withUnsafeThrowingContinuation { continuation in submit { .batch(commands, continuation, id: id) } }
        }

        func cancel(_ id: UInt64) { submit { .cancel(id: id) } }

        /// Everything written so far, as text.
        func written() async throws -> String {
            var text = ""
            while let buffer = try await channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }

        /// Waits until the handler has `count` requests waiting (they are enqueued on the loop).
        func waitForWritten(_ expected: String) async throws -> String {
            var text = ""
            for _ in 0..<1000 where text.count < expected.count {
                text += try await written()
                if text.count < expected.count { try await Task.sleep(for: .milliseconds(1)) }
            }
            return text
        }
    }

    @Test func repliesReachTheirCallersInOrder() async throws {
        let harness = try await Harness()
        async let first = harness.send(RESPCommand("GET", "a"), id: 1)
        async let batch = harness.pipeline([RESPCommand("INCR", "n"), RESPCommand("PING")], id: 2)
        let written = try await harness.waitForWritten("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nPING\r\n")
        #expect(written.contains("GET") && written.contains("INCR") && written.contains("PING"))
        // Replies arrive in pieces, split inside a value.
        try await harness.channel.writeInbound(ByteBuffer(string: "$5\r\nhel"))
        try await harness.channel.writeInbound(ByteBuffer(string: "lo\r\n:7\r\n+PO"))
        try await harness.channel.writeInbound(ByteBuffer(string: "NG\r\n"))
        #expect(try await first == .bulkString(ByteBuffer(string: "hello")))
        #expect(try await batch == [.integer(7), .simpleString("PONG")])
    }

    @Test func aCancelledRequestsReplyIsDroppedInPlace() async throws {
        let harness = try await Harness()
        let cancelled = Task { try await harness.pipeline([RESPCommand("GET", "x"), RESPCommand("GET", "y")], id: 1) }
        async let next = harness.send(RESPCommand("GET", "z"), id: 2)
        let written = try await harness.waitForWritten("*2\r\n$3\r\nGET\r\n$1\r\nx\r\n*2\r\n$3\r\nGET\r\n$1\r\ny\r\n*2\r\n$3\r\nGET\r\n$1\r\nz\r\n")
        #expect(written.hasSuffix("z\r\n"), "\(written.debugDescription)")
        try await harness.channel.writeInbound(ByteBuffer(string: "$1\r\nx\r\n"))  // half the batch's replies
        harness.cancel(1)
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        try await harness.channel.writeInbound(ByteBuffer(string: "$1\r\ny\r\n$1\r\nz\r\n"))
        #expect(try await next == .bulkString(ByteBuffer(string: "z")), "the reply after the dropped ones")
    }

    @Test func theCommandTimeoutFailsEveryWaiterAndCloses() async throws {
        let harness = try await Harness(commandTimeout: .seconds(1))
        async let waiting = harness.send(RESPCommand("GET", "a"), id: 1)
        _ = try await harness.waitForWritten("*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
        await harness.channel.testingEventLoop.advanceTime(by: .milliseconds(900))
        #expect(harness.channel.isActive)
        await harness.channel.testingEventLoop.advanceTime(by: .milliseconds(200))
        do {
            _ = try await waiting
            Issue.record("a request with no reply must time out")
        } catch let error as RedisConnectionError {
            #expect(error.kind == .timeout)
        }
        try await harness.channel.closeFuture.get()
    }

    @Test func anUnsolicitedReplyClosesTheConnection() async throws {
        let harness = try await Harness()
        _ = try? await harness.channel.writeInbound(ByteBuffer(string: "+surprise\r\n"))
        try await harness.channel.closeFuture.get()
        await #expect(throws: RedisConnectionError.self) { try await harness.send(RESPCommand("PING"), id: 1) }
    }

    @Test func pushesGoToThePushHandlerNotToCallers() async throws {
        let harness = try await Harness()
        async let reply = harness.send(RESPCommand("GET", "a"), id: 1)
        _ = try await harness.waitForWritten("*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
        try await harness.channel.writeInbound(ByteBuffer(string: ">2\r\n+invalidate\r\n*1\r\n+k\r\n_\r\n"))
        #expect(try await reply == .null)
        #expect(harness.pushes.withLockedValue { $0 } == [.push([.simpleString("invalidate"), .array([.simpleString("k")])])])
    }

    /// After `HELLO` settled on RESP2, a RESP3 type is a protocol violation.
    @Test func resp3TypesAfterARESP2HandshakeCloseTheConnection() async throws {
        let harness = try await Harness()
        let handler = harness.handler
        try await harness.channel.testingEventLoop.executeInContext { handler.value.setProtocolVersion(2) }
        async let reply = harness.send(RESPCommand("GET", "a"), id: 1)
        _ = try await harness.waitForWritten("*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
        _ = try? await harness.channel.writeInbound(ByteBuffer(string: "_\r\n"))
        do {
            _ = try await reply
            Issue.record("a RESP3 null on a RESP2 connection must fail")
        } catch let error as RedisConnectionError {
            #expect(error.kind == .protocolViolation)
        }
    }
}
