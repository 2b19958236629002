import Atomics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One connection to Redis. Many callers may use it at once: commands are pipelined and replies
/// matched in order. Errors that Redis returns are thrown as ``RedisError``; a broken connection
/// fails every waiting command with ``RedisConnectionError``.
public final class RedisConnection: Sendable {
    let channel: Channel
    /// The request handler, touched only on the channel's event loop.
    private let handler: NIOLoopBound<RESPRequestHandler>
    /// Requests from callers on other threads, on their way to the handler.
    private let inbox: EventLoopInbox<RESPRequest>
    /// 3 after a successful `HELLO 3`, otherwise 2.
    public let protocolVersion: Int
    public let configuration: RedisConfiguration
    /// A task executor on the connection's event loop. Tasks that prefer it
    /// (`withTaskExecutorPreference(connection.executor) { … }`) send and receive without a thread
    /// hop per command.
    public let executor: EventLoopTaskExecutor
    /// Ids of requests, so a cancelled caller can name its request.
    private let nextRequest = ManagedAtomic<UInt64>(0)

    private init(
        channel: Channel, handler: NIOLoopBound<RESPRequestHandler>, inbox: EventLoopInbox<RESPRequest>, protocolVersion: Int,
        configuration: RedisConfiguration
    ) {
        self.channel = channel
        self.handler = handler
        self.protocolVersion = protocolVersion
        self.configuration = configuration
        executor = EventLoopTaskExecutor(channel.eventLoop)
        self.inbox = inbox
    }

    /// Connects, negotiates the protocol, authenticates, names the client and selects the database.
    /// - Parameters:
    ///   - onPush: receives out-of-band messages (RESP3 pushes; for `subscriber` connections in
    ///     RESP2, the arrays that arrive with no command waiting).
    public static func connect(
        _ configuration: RedisConfiguration, subscriber: Bool = false,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onPush: (@Sendable (RESPValue) -> Void)? = nil
    ) async throws -> RedisConnection {
        if let sentinel = configuration.sentinel {
            let direct: (RedisConfiguration) async throws -> RedisConnection = { target in
                try await Self.connect(target, subscriber: subscriber, eventLoopGroup: eventLoopGroup, onPush: onPush)
            }
            switch sentinel.role {
            case .master: return try await SentinelResolver.connectToMaster(configuration, sentinel, connect: direct)
            case .replica: return try await SentinelResolver.connectToReplica(configuration, sentinel, connect: direct)
            }
        }
        let tls = try configuration.tls.map { settings in (settings, try settings.makeContext()) }
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let (settings, context) = tls {
                        try channel.pipeline.syncOperations.addHandler(try settings.makeHandler(context, host: configuration.host))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        RESPRequestHandler(
                            limits: configuration.limits, commandTimeout: TimeAmount(configuration.commandTimeout),
                            acceptsRESP3: configuration.preferRESP3, unsolicitedArraysArePushes: subscriber, onPush: onPush))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RedisConnectionError(.connectFailed, "cannot connect to Redis at \(configuration.host):\(configuration.port): \(error)")
        }
        do {
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RESPRequestHandler.self), eventLoop: channel.eventLoop)
            }.get()
            let inbox = EventLoopInbox<RESPRequest>(channel.eventLoop)
            inbox.start { request in handler.value.enqueue(request) }
            let version = try await handshake(inbox, configuration)
            if version != 3 {
                try await channel.eventLoop.submit { handler.value.setProtocolVersion(version) }.get()
            }
            return RedisConnection(channel: channel, handler: handler, inbox: inbox, protocolVersion: version, configuration: configuration)
        } catch let error as RedisError {
            try? await channel.close()
            throw error
        } catch {
            try? await channel.close()
            let reason = (error as? RedisConnectionError)?.message ?? "\(error)"
            // A TLS handshake that fails (an untrusted certificate, a wrong name) closes the
            // channel during setup, whichever step sees it first.
            if configuration.tls != nil {
                throw RedisConnectionError(.connectFailed, "the TLS handshake with \(configuration.host):\(configuration.port) failed: \(reason)")
            }
            // A server that dies right after accepting: whatever step noticed (the handshake, or
            // finding the handler on a channel already torn down), it is a failed connect.
            if let error = error as? RedisConnectionError { throw error }
            throw RedisConnectionError(.connectFailed, "the connection to \(configuration.host):\(configuration.port) closed during setup: \(reason)")
        }
    }

    /// Connects a connection of its own for out-of-band messages: its pushes arrive on the stream,
    /// which ends when the connection closes or the consuming task is cancelled.
    ///
    /// The stream holds at most `bufferLimit` pushes. A consumer that falls further behind has
    /// lost messages: rather than drop some silently, the stream keeps what it holds, ends after
    /// it, and the connection closes; ``PushStream/overflowed`` says so. Consumers treat it as a
    /// disconnect (resubscribe, flush what may have missed invalidations).
    public static func connectForPushes(
        _ configuration: RedisConfiguration, subscriber: Bool = false,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, bufferLimit: Int = 10_000
    ) async throws -> PushStream {
        let (pushes, sink) = AsyncStream<RESPValue>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        let overflow = PushStream.Overflow()
        let connection = try await connect(configuration, subscriber: subscriber, eventLoopGroup: eventLoopGroup) { push in
            guard case .dropped = sink.yield(push) else { return }
            if overflow.flag.exchange(true, ordering: .relaxed) == false {
                sink.finish()
                // Nothing more can be delivered: stop reading.
                overflow.connection.withLockedValue { $0 }?.channel.close(promise: nil)
            }
        }
        overflow.connection.withLockedValue { $0 = connection }
        connection.channel.closeFuture.whenComplete { _ in sink.finish() }
        return PushStream(connection: connection, pushes: pushes, overflow: overflow)
    }

    /// `HELLO 3 [AUTH] [SETNAME]`, or on servers without RESP3, `AUTH` and `CLIENT SETNAME`; then `SELECT`.
    private static func handshake(_ inbox: EventLoopInbox<RESPRequest>, _ configuration: RedisConfiguration) async throws -> Int {
        var version = 2
        let user = configuration.username ?? "default"
        if configuration.preferRESP3 {
            var hello = RESPCommand("HELLO")
            hello.append("3")
            if let password = configuration.password {
                hello.append("AUTH")
                hello.append(user)
                hello.append(password)
            }
            if let name = configuration.clientName {
                hello.append("SETNAME")
                hello.append(name)
            }
            let reply = try await send(hello, via: inbox)
            if case .error(let message) = reply {
                let code = RedisError(message).code
                guard code == "NOPROTO" || message.contains("unknown command") else {
                    throw RedisError(message)
                }
            } else {
                version = 3
            }
        }
        if version == 2 {
            if let password = configuration.password {
                var auth = RESPCommand("AUTH")
                if configuration.username != nil { auth.append(user) }
                auth.append(password)
                try check(await send(auth, via: inbox))
            }
            if let name = configuration.clientName {
                try check(await send(RESPCommand("CLIENT", "SETNAME", name), via: inbox))
            }
        }
        if configuration.database != 0 {
            try check(await send(RESPCommand("SELECT", String(configuration.database)), via: inbox))
        }
        return version
    }

    private static func check(_ reply: RESPValue) throws {
        if case .error(let message) = reply { throw RedisError(message) }
    }

    /// Hands the request to the handler: synchronously when the caller already runs on the
    /// connection's event loop (see ``executor``), otherwise through the inbox (one hop, no
    /// allocation).
    private func enqueue(_ request: RESPRequest) {
        if handler.eventLoop.inEventLoop {
            handler.value.enqueue(request)
        } else {
            inbox.submit(request)
        }
    }

    /// A command of the handshake, before the connection object exists.
    private static func send(_ command: RESPCommand, via inbox: EventLoopInbox<RESPRequest>) async throws -> RESPValue {
        try await withUnsafeThrowingContinuation { continuation in inbox.submit(.single(command, continuation, id: 0)) }
    }

    /// Sends a command and returns its reply; an error reply is thrown as ``RedisError``.
    ///
    /// A cancelled caller returns at once with `CancellationError`. The command may still run on
    /// the server (it may already be on the wire); its reply is dropped when it arrives, and other
    /// callers' replies are unaffected.
    @discardableResult
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        let id = nextRequest.wrappingIncrementThenLoad(ordering: .relaxed)
        let reply = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<RESPValue, any Error>) in
                guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
                enqueue(.single(command, continuation, id: id))
                cancelIfCancelledMeanwhile(id)
            }
        } onCancel: {
            inbox.submit(.cancel(id: id))
        }
        if case .error(let message) = reply { throw RedisError(message) }
        return reply
    }

    /// Writes all commands with one flush and returns their replies in order; error replies are
    /// returned as ``RESPValue/error(_:)``, not thrown, so one failing command does not hide the rest.
    /// Cancellation works as for ``send(_:)``: the caller returns at once, the commands may still run.
    public func pipeline(_ commands: [RESPCommand]) async throws -> [RESPValue] {
        let id = nextRequest.wrappingIncrementThenLoad(ordering: .relaxed)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[RESPValue], any Error>) in
                guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
                enqueue(.batch(commands, continuation, id: id))
                cancelIfCancelledMeanwhile(id)
            }
        } onCancel: {
            inbox.submit(.cancel(id: id))
        }
    }

    /// Closes the window between checking for cancellation and enqueueing: a cancellation handler
    /// that ran in it found no request to cancel. Cancels always travel through the inbox, behind
    /// any request submitted through it, so they find what they cancel (a second cancel of an
    /// answered or already cancelled request is ignored).
    private func cancelIfCancelledMeanwhile(_ id: UInt64) {
        if Task.isCancelled { inbox.submit(.cancel(id: id)) }
    }

    /// Writes a command whose replies arrive as pushes (`SUBSCRIBE`, `PSUBSCRIBE`, …).
    public func sendWithoutReply(_ command: RESPCommand) async throws {
        try await withUnsafeThrowingContinuation { continuation in
            enqueue(.withoutReply(command, continuation))
        }
    }

    public var isActive: Bool { channel.isActive }

    /// The event loop the connection's I/O runs on.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Closes the connection; commands still waiting fail with ``RedisConnectionError``.
    public func close() async {
        try? await channel.close()
    }

    /// Resolves when the connection closes, for whatever reason.
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }
}


/// A connection for out-of-band messages and the stream of its pushes.
public struct PushStream: Sendable {
    final class Overflow: Sendable {
        let flag = ManagedAtomic(false)
        let connection = NIOLockedValueBox<RedisConnection?>(nil)
    }

    public let connection: RedisConnection
    public let pushes: AsyncStream<RESPValue>
    let overflow: Overflow

    /// The consumer fell more than the buffer behind: pushes were lost, the stream ended early.
    public var overflowed: Bool { overflow.flag.load(ordering: .relaxed) }
}
