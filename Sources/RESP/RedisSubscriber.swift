import NIOCore

/// Pub/sub on a dedicated connection: `SUBSCRIBE` to channels and `PSUBSCRIBE` to patterns, with
/// messages delivered as RESP3 pushes (or RESP2 arrays). When the connection drops it reconnects
/// with backoff and subscribes again, so a restart of Redis loses only the messages published
/// while it was down.
public final class RedisSubscriber: Sendable {
    /// A published message.
    public struct Message: Sendable, Hashable {
        public let channel: String
        /// The pattern that matched, for `PSUBSCRIBE` subscriptions.
        public let pattern: String?
        public let payload: ByteBuffer
    }

    /// What happened on the subscription.
    public enum Event: Sendable, Hashable {
        /// A (re)subscription was confirmed; `count` is the connection's number of subscriptions.
        case subscribed(count: Int)
        case message(Message)
        case disconnected(String)
    }

    public let configuration: RedisConfiguration
    public let channels: [String]
    public let patterns: [String]
    public let reconnectPolicy: ReconnectPolicy
    /// Messages held for a slow handler; past this, the subscription is dropped and made again
    /// (reported as ``Event/disconnected(_:)``), since messages were lost.
    public let bufferLimit: Int

    public init(
        _ configuration: RedisConfiguration, channels: [String] = [], patterns: [String] = [], reconnectPolicy: ReconnectPolicy = ReconnectPolicy(),
        bufferLimit: Int = 10_000
    ) {
        self.configuration = configuration
        self.channels = channels
        self.patterns = patterns
        self.reconnectPolicy = reconnectPolicy
        self.bufferLimit = bufferLimit
    }

    /// Delivers events to `handler` until the task is cancelled.
    public func run(_ handler: @Sendable (Event) async -> Void) async {
        await reconnectPolicy.keepRunning { established in
            try await listen(handler, established: established)
        } onEnd: { error in
            await handler(.disconnected("\(error)"))
        }
    }

    /// One connection's life: subscribe, deliver until it closes.
    private func listen(_ handler: @Sendable (Event) async -> Void, established: @Sendable () -> Void) async throws {
        let stream = try await RedisConnection.connectForPushes(configuration, subscriber: true, bufferLimit: bufferLimit)
        let connection = stream.connection
        do {
            if !channels.isEmpty {
                var subscribe = RESPCommand("SUBSCRIBE")
                subscribe.append(contentsOf: channels)
                try await connection.sendWithoutReply(subscribe)
            }
            if !patterns.isEmpty {
                var subscribe = RESPCommand("PSUBSCRIBE")
                subscribe.append(contentsOf: patterns)
                try await connection.sendWithoutReply(subscribe)
            }
        } catch {
            await connection.close()
            throw error
        }
        for await push in stream.pushes {
            guard let event = Self.event(push) else { continue }
            if case .subscribed = event { established() }
            await handler(event)
        }
        await connection.close()
        if stream.overflowed {
            throw RedisConnectionError(.closed, "the handler fell more than \(bufferLimit) messages behind; messages were lost, resubscribing")
        }
        if !Task.isCancelled { throw RedisConnectionError(.closed, "the subscriber connection closed") }
    }

    /// `message`, `pmessage` and `(p)subscribe` pushes; anything else is not ours.
    static func event(_ push: RESPValue) -> Event? {
        guard let items = push.elements, let kind = items.first?.string else { return nil }
        switch kind {
        case "subscribe", "psubscribe":
            return items.last?.int.map { .subscribed(count: Int($0)) }
        case "message":
            guard items.count == 3, let channel = items[1].string, case .bulkString(let payload) = items[2] else { return nil }
            return .message(Message(channel: channel, pattern: nil, payload: payload))
        case "pmessage":
            guard items.count == 4, let pattern = items[1].string, let channel = items[2].string,
                  case .bulkString(let payload) = items[3]
            else { return nil }
            return .message(Message(channel: channel, pattern: pattern, payload: payload))
        default:
            return nil
        }
    }
}
