import NIOCore

/// Decodes RESP values from the byte stream (NIO's accumulation, ``RESPDecoder``'s parsing).
final class RESPMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue
    let decoder: RESPDecoder

    init(limits: RESPLimits) {
        decoder = RESPDecoder(limits: limits)
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try decoder.decode(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// What callers hand to the handler, on the event loop.
enum RESPRequest {
    /// One command, one reply.
    case single(RESPCommand, UnsafeContinuation<RESPValue, any Error>)
    /// Several commands written and flushed together; one continuation for all replies, in order.
    case batch([RESPCommand], UnsafeContinuation<[RESPValue], any Error>)
}

/// The connection has failed or was closed; every command still waiting gets this.
public struct RedisConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case closed, timeout, connectFailed, unavailable, protocolViolation
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Matches replies to requests in order (pipelining), routes pushes, and enforces the command
/// timeout with one timer per connection (not one per command). Callers enqueue requests directly
/// on the event loop (``enqueue(_:)``), each with the continuation its reply resumes: no promise,
/// future or boxed outbound message per command. Every continuation is resumed exactly once: by its
/// reply, or by the failure that empties the queue (unchecked continuations save an allocation).
final class RESPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = RESPValue
    typealias OutboundOut = ByteBuffer

    private enum Pending {
        case single(UnsafeContinuation<RESPValue, any Error>, NIODeadline)
        case batch(UnsafeContinuation<[RESPValue], any Error>, expected: Int, replies: [RESPValue], NIODeadline)

        var sentAt: NIODeadline {
            switch self {
            case .single(_, let sent), .batch(_, _, _, let sent): sent
            }
        }

        func fail(_ error: any Error) {
            switch self {
            case .single(let continuation, _): continuation.resume(throwing: error)
            case .batch(let continuation, _, _, _): continuation.resume(throwing: error)
            }
        }
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    private let commandTimeout: TimeAmount
    private let onPush: (@Sendable (RESPValue) -> Void)?
    /// In RESP2 subscribe mode, messages are arrays; with no command waiting, they are pushes.
    private let unsolicitedArraysArePushes: Bool
    private var timeoutCheck: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var closedError: (any Error)?

    init(commandTimeout: TimeAmount, unsolicitedArraysArePushes: Bool, onPush: (@Sendable (RESPValue) -> Void)?) {
        self.commandTimeout = commandTimeout
        self.unsolicitedArraysArePushes = unsolicitedArraysArePushes
        self.onPush = onPush
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisConnectionError(.closed, "the connection to Redis was closed"))
        self.context = nil
    }

    /// Writes a request and queues its continuation. Must run on the channel's event loop.
    func enqueue(_ request: RESPRequest) {
        guard let context, closedError == nil else {
            let error = closedError ?? RedisConnectionError(.closed, "the connection to Redis was closed")
            switch request {
            case .single(_, let continuation): continuation.resume(throwing: error)
            case .batch(_, let continuation): continuation.resume(throwing: error)
            }
            return
        }
        let now = NIODeadline.now()
        switch request {
        case .single(let command, let continuation):
            pending.append(.single(continuation, now))
            context.writeAndFlush(wrapOutboundOut(command.encoded), promise: nil)
        case .batch(let commands, let continuation):
            guard !commands.isEmpty else {
                continuation.resume(returning: [])
                return
            }
            pending.append(.batch(continuation, expected: commands.count, replies: [], now))
            var combined = ByteBuffer()
            combined.reserveCapacity(commands.reduce(0) { $0 + $1.encoded.readableBytes })
            for command in commands { combined.writeImmutableBuffer(command.encoded) }
            context.writeAndFlush(wrapOutboundOut(combined), promise: nil)
        }
        scheduleTimeoutCheck(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
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
        case .single(let continuation, _):
            pending.removeFirst()
            continuation.resume(returning: value)
        case .batch(let continuation, let expected, var replies, let sent):
            replies.append(value)
            if replies.count == expected {
                pending.removeFirst()
                continuation.resume(returning: replies)
            } else {
                pending[pending.startIndex] = .batch(continuation, expected: expected, replies: replies, sent)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let wrapped: any Error = error is RESPProtocolError
            ? RedisConnectionError(.protocolViolation, "\(error)") : RedisConnectionError(.closed, "connection error: \(error)")
        fail(context: context, wrapped)
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
