import NIOCore
import NIOPosix
import RESP

/// The floor for a SwiftNIO client on this machine: a callback-only loop with no Swift
/// concurrency, no request queue and no values handed to callers. It writes a pre-encoded batch of
/// `depth` commands, counts the replies as they are decoded and writes the next batch from the read
/// callback. `CLIENT=bare-nio` runs it in place of the runtime, for the sequential (`depth` 1) and
/// 16-in-flight shapes.
final class BareNIOLoop: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let batch: ByteBuffer
    private let depth: Int
    private var remaining: Int
    private var awaiting = 0
    private var unread: ByteBuffer?
    private var decoder = RESPDecoder()
    private let done: EventLoopPromise<Void>

    init(command: RESPCommand, depth: Int, operations: Int, done: EventLoopPromise<Void>) {
        var batch = ByteBuffer()
        for _ in 0..<depth { command.write(into: &batch) }
        self.batch = batch
        self.depth = depth
        remaining = operations
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        sendBatch(context: context)
    }

    private func sendBatch(context: ChannelHandlerContext) {
        guard remaining > 0 else {
            done.succeed()
            return
        }
        remaining -= depth
        awaiting = depth
        context.writeAndFlush(wrapOutboundOut(batch), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = unread.take() {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        do {
            while let _ = try decoder.decode(&bytes) {
                awaiting -= 1
                if awaiting == 0 { sendBatch(context: context) }
            }
        } catch {
            done.fail(error)
        }
        if bytes.readableBytes > 0 { unread = bytes }
    }

    /// Runs `operations` commands `depth` at a time on a fresh connection; returns operations per second.
    static func run(port: Int, command: RESPCommand, depth: Int, operations: Int) async throws -> Double {
        let group = MultiThreadedEventLoopGroup.singleton
        let eventLoop = group.next()
        let done = eventLoop.makePromise(of: Void.self)
        let start = ContinuousClock.now
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BareNIOLoop(command: command, depth: depth, operations: operations, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await done.futureResult.get()
        let elapsed = ContinuousClock.now - start
        try await channel.close()
        return Double(operations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
