import NIOCore

/// What callers hand to the handler, on the event loop.
enum RESPRequest: Sendable {
    /// One command, one reply. The id lets the caller cancel it.
    case single(RESPCommand, UnsafeContinuation<RESPValue, any Error>, id: UInt64)
    /// Several commands written and flushed together; one continuation for all replies, in order.
    case batch([RESPCommand], UnsafeContinuation<[RESPValue], any Error>, id: UInt64)
    /// A command whose replies arrive as pushes (`SUBSCRIBE`); resumed once it is queued for writing.
    case withoutReply(RESPCommand, UnsafeContinuation<Void, any Error>)
    /// The caller of request `id` was cancelled: resume it with `CancellationError` now and
    /// discard its replies when they arrive (they keep their place in the reply order). Ignored if
    /// the request has already been answered.
    case cancel(id: UInt64)

    /// Resumes the caller with `error` instead of sending.
    func fail(_ error: any Error) {
        switch self {
        case .single(_, let continuation, _): continuation.resume(throwing: error)
        case .batch(_, let continuation, _): continuation.resume(throwing: error)
        case .withoutReply(_, let continuation): continuation.resume(throwing: error)
        case .cancel: break
        }
    }
}

/// The one handler of a Redis connection: writes requests, decodes replies straight from the
/// bytes read (no decoder stage, no boxed value per reply), matches them to requests in order
/// (pipelining), routes pushes, and enforces the command timeout with one timer per connection.
///
/// Callers enqueue requests directly on the event loop (``enqueue(_:)``), each with the
/// continuation its reply resumes: no promise, future or boxed outbound message per command. Every
/// continuation is resumed exactly once: by its reply, or by the failure that empties the queue
/// (unchecked continuations save an allocation).
///
/// The mutable state is touched only on the event loop, and no access to it spans a call that could
/// come back into the handler (resuming a continuation only enqueues the caller), so the dynamic
/// exclusivity checks are switched off for it (`@exclusivity(unchecked)`): they cost more than the
/// rest of the per-reply work.
final class RESPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Which caller each reply goes to (the request state machine).
    @exclusivity(unchecked) private var queue = RequestQueue<UnsafeContinuation<RESPValue, any Error>, UnsafeContinuation<[RESPValue], any Error>>()
    /// Bytes of a reply that has not arrived whole yet.
    @exclusivity(unchecked) private var unread: ByteBuffer?
    /// Commands enqueued since the last flush. Reused: once the socket has taken its bytes, the
    /// next commands are encoded into the same memory.
    @exclusivity(unchecked) private var outbound = ByteBuffer()
    /// Writes `outbound`. A command sent on an idle connection is written at once; while commands
    /// are in flight, the write is scheduled once per event-loop turn, so commands from concurrent
    /// callers leave together. Made once, in `handlerAdded`.
    @exclusivity(unchecked) private var flushTask: (@Sendable () -> Void)?
    @exclusivity(unchecked) private var flushScheduled = false
    @exclusivity(unchecked) private var decoder: RESPDecoder
    private let commandTimeout: TimeAmount
    private let onPush: (@Sendable (RESPValue) -> Void)?
    /// In RESP2 subscribe mode, messages are arrays; with no command waiting, they are pushes.
    private let unsolicitedArraysArePushes: Bool
    @exclusivity(unchecked) private var timeoutCheck: Scheduled<Void>?
    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    @exclusivity(unchecked) private var closedError: (any Error)?

    init(
        limits: RESPLimits, commandTimeout: TimeAmount, acceptsRESP3: Bool = true, unsolicitedArraysArePushes: Bool,
        onPush: (@Sendable (RESPValue) -> Void)?
    ) {
        decoder = RESPDecoder(limits: limits, acceptsRESP3: acceptsRESP3)
        self.commandTimeout = commandTimeout
        self.unsolicitedArraysArePushes = unsolicitedArraysArePushes
        self.onPush = onPush
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        flushTask = { handler.value.flushOutbound() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisConnectionError(.closed, "the connection to Redis was closed"))
        self.context = nil
        flushTask = nil  // it refers to the handler
    }

    /// The handshake settled the protocol: RESP3 types are accepted only after `HELLO 3`.
    func setProtocolVersion(_ version: Int) {
        decoder.acceptsRESP3 = version == 3
    }

    /// Writes a request and queues its continuation. Must run on the channel's event loop.
    func enqueue(_ request: RESPRequest) {
        guard let context, closedError == nil else {
            request.fail(closedError ?? RedisConnectionError(.closed, "the connection to Redis was closed"))
            return
        }
        let now = context.eventLoop.now
        let idle = queue.isEmpty && !flushScheduled
        switch request {
        case .single(let command, let continuation, let id):
            queue.enqueue(continuation, id: id, at: now)
            command.write(into: &outbound)
        case .batch(let commands, let continuation, let id):
            guard !commands.isEmpty else {
                continuation.resume(returning: [])
                return
            }
            queue.enqueue(continuation, expected: commands.count, id: id, at: now)
            RESPCommand.write(commands, into: &outbound)
        case .withoutReply(let command, let continuation):
            command.write(into: &outbound)
            continuation.resume()
        case .cancel(let id):
            cancel(id)
            return
        }
        if idle {
            // Nothing in flight: waiting could only add latency.
            flushOutbound()
        } else if !flushScheduled, let flushTask {
            // Commands are in flight, so more are likely coming this turn: send them together.
            flushScheduled = true
            context.eventLoop.execute(flushTask)
        }
        scheduleTimeoutCheck(context: context)
    }

    /// Resumes the request's caller with `CancellationError`; its replies will be dropped on
    /// arrival. Its commands may already be on the wire, so they stay in the reply order.
    private func cancel(_ id: UInt64) {
        switch queue.cancel(id: id) {
        case .failSingle(let continuation): continuation.resume(throwing: CancellationError())
        case .failBatch(let continuation): continuation.resume(throwing: CancellationError())
        case .none: break
        }
    }

    private func flushOutbound() {
        flushScheduled = false
        guard let context, outbound.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        // Unique again once the socket took the bytes (the usual case): no new allocation.
        outbound.clear()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = unread.take() {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        do {
            while closedError == nil, let value = try decoder.decode(&bytes) {
                deliver(value, context: context)
            }
        } catch {
            fail(context: context, RedisConnectionError(.protocolViolation, "\(error)"))
            return
        }
        if bytes.readableBytes > 0, closedError == nil {
            bytes.discardReadBytes()
            unread = bytes
        }
    }

    private func deliver(_ value: RESPValue, context: ChannelHandlerContext) {
        if case .push = value {
            onPush?(value)
            return
        }
        switch queue.received(value) {
        case .resumeSingle(let continuation, let value):
            continuation.resume(returning: value)
        case .resumeBatch(let continuation, let replies):
            continuation.resume(returning: replies)
        case .none:
            break
        case .unsolicited:
            if unsolicitedArraysArePushes, case .array(let items) = value {
                onPush?(.push(items))
            } else {
                fail(context: context, RedisConnectionError(.protocolViolation, "the server sent a reply nobody asked for"))
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, RedisConnectionError(.closed, "connection error: \(error)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisConnectionError(.closed, "the connection to Redis was closed"))
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        if closedError == nil { closedError = error }
        timeoutCheck?.cancel()
        timeoutCheck = nil
        unread = nil
        for entry in queue.removeAll() {
            switch entry {
            case .single(let continuation, _, _): continuation.resume(throwing: error)
            case .batch(let continuation, _, _, _): continuation.resume(throwing: error)
            case .abandoned: break
            }
        }
    }

    /// One timer per connection: it fires when the oldest waiting command could time out, and
    /// re-arms for the next oldest.
    private func scheduleTimeoutCheck(context: ChannelHandlerContext) {
        guard timeoutCheck == nil, let oldest = queue.oldestSentAt else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutCheck = context.eventLoop.scheduleTask(deadline: oldest + commandTimeout) {
            let (handler, context) = loopBound.value
            handler.timeoutCheck = nil
            guard let oldest = handler.queue.oldestSentAt else { return }
            if oldest + handler.commandTimeout <= context.eventLoop.now {
                let seconds = Double(handler.commandTimeout.nanoseconds) / 1e9
                handler.fail(context: context, RedisConnectionError(.timeout, "Redis did not reply within \(seconds)s"))
            } else {
                handler.scheduleTimeoutCheck(context: context)
            }
        }
    }
}
