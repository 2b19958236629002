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

    private enum Pending {
        case single(UnsafeContinuation<RESPValue, any Error>, NIODeadline, id: UInt64)
        case batch(UnsafeContinuation<[RESPValue], any Error>, expected: Int, NIODeadline, id: UInt64)
        /// A cancelled request whose caller has been resumed: its `expected` replies are read and
        /// dropped, so the replies after it still reach their callers.
        case abandoned(expected: Int, NIODeadline)

        var sentAt: NIODeadline {
            switch self {
            case .single(_, let sent, _), .batch(_, _, let sent, _), .abandoned(_, let sent): sent
            }
        }

        var id: UInt64? {
            switch self {
            case .single(_, _, let id), .batch(_, _, _, let id): id
            case .abandoned: nil
            }
        }

        func fail(_ error: any Error) {
            switch self {
            case .single(let continuation, _, _): continuation.resume(throwing: error)
            case .batch(let continuation, _, _, _): continuation.resume(throwing: error)
            case .abandoned: break
            }
        }
    }

    @exclusivity(unchecked) private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    /// Replies collected for the batch at the head of `pending` (only the head receives replies).
    @exclusivity(unchecked) private var batchReplies: [RESPValue] = []
    /// Replies dropped so far for the abandoned request at the head of `pending`.
    @exclusivity(unchecked) private var headDropped = 0
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
        let now = NIODeadline.now()
        let idle = pending.isEmpty && !flushScheduled
        switch request {
        case .single(let command, let continuation, let id):
            pending.append(.single(continuation, now, id: id))
            command.write(into: &outbound)
        case .batch(let commands, let continuation, let id):
            guard !commands.isEmpty else {
                continuation.resume(returning: [])
                return
            }
            pending.append(.batch(continuation, expected: commands.count, now, id: id))
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
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
        let entry = pending[index]
        let expected: Int
        switch entry {
        case .single: expected = 1
        case .batch(_, let count, _, _):
            expected = count
            if index == pending.startIndex {
                // Part of its replies may have arrived already.
                headDropped = batchReplies.count
                batchReplies = []
            }
        case .abandoned: return
        }
        pending[index] = .abandoned(expected: expected, entry.sentAt)
        entry.fail(CancellationError())
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
        guard let first = pending.first else {
            if unsolicitedArraysArePushes, case .array(let items) = value {
                onPush?(.push(items))
            } else {
                fail(context: context, RedisConnectionError(.protocolViolation, "the server sent a reply nobody asked for"))
            }
            return
        }
        switch first {
        case .single(let continuation, _, _):
            pending.removeFirst()
            continuation.resume(returning: value)
        case .abandoned(let expected, _):
            headDropped += 1
            guard headDropped == expected else { return }
            headDropped = 0
            pending.removeFirst()
        case .batch(let continuation, let expected, _, _):
            if batchReplies.isEmpty { batchReplies.reserveCapacity(expected) }
            batchReplies.append(value)
            guard batchReplies.count == expected else { return }
            pending.removeFirst()
            let replies = batchReplies
            batchReplies = []
            continuation.resume(returning: replies)
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
        batchReplies = []
        headDropped = 0
        while let request = pending.popFirst() { request.fail(error) }
    }

    /// One timer per connection: it fires when the oldest waiting command could time out, and
    /// re-arms for the next oldest.
    private func scheduleTimeoutCheck(context: ChannelHandlerContext) {
        guard timeoutCheck == nil, let oldest = pending.first else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutCheck = context.eventLoop.scheduleTask(deadline: oldest.sentAt + commandTimeout) {
            let (handler, context) = loopBound.value
            handler.timeoutCheck = nil
            guard let oldest = handler.pending.first else { return }
            if oldest.sentAt + handler.commandTimeout <= .now() {
                let seconds = Double(handler.commandTimeout.nanoseconds) / 1e9
                handler.fail(context: context, RedisConnectionError(.timeout, "Redis did not reply within \(seconds)s"))
            } else {
                handler.scheduleTimeoutCheck(context: context)
            }
        }
    }
}
