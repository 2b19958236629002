import CacheRuntime
import Foundation
import RESP

/// Distributed invalidation over Redis pub/sub. Producers publish typed events; every instance of
/// every consuming service runs an ``InvalidationListener`` that applies its generated plan.
///
/// Channel: `cachepolicy:v1:event:<event name>`. Message (JSON, version 1):
/// `{"v":1,"event":"payment.succeeded","producer":"payment","payload":{…the event's fields…}}`.
public enum EventBus {
    public static let messageVersion = 1

    public static func channel(for event: String) -> String { "cachepolicy:v1:event:\(event)" }

    /// The message for an event.
    public static func message<E: CacheEvent>(_ event: E) throws -> String {
        let payload = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        let envelope: [String: Any] = ["v": messageVersion, "event": E.name, "producer": E.producer]
        var head = String(decoding: try JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]), as: UTF8.self)
        head.removeLast()  // the closing brace: the payload goes in as raw JSON
        return head + ",\"payload\":" + payload + "}"
    }

    /// The event name and payload JSON of a message; `nil` for a message of another version or shape.
    public static func parse(_ message: String) -> (event: String, payload: Data)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any],
              object["v"] as? Int == messageVersion, let event = object["event"] as? String,
              let payload = object["payload"], JSONSerialization.isValidJSONObject(payload),
              let data = try? JSONSerialization.data(withJSONObject: payload)
        else { return nil }
        return (event, data)
    }
}

extension CacheClient {
    /// Publishes an event for every service that reacts to it; returns how many listeners got it.
    @discardableResult
    public func publish<E: CacheEvent>(_ event: E) async throws -> Int {
        let reply = try await redis.send(RESPCommand("PUBLISH", EventBus.channel(for: E.name), try EventBus.message(event)))
        return Int(reply.int ?? 0)
    }
}

/// Subscribes to the events a service reacts to and applies the service's generated plan for each
/// message, on a dedicated connection; after the connection drops it reconnects (with backoff) and
/// subscribes again.
public final class InvalidationListener: Sendable {
    /// What the listener did, for logs, metrics and tests.
    public enum Activity: Sendable {
        case subscribed(channels: Int)
        case applied(event: String, InvalidationResult)
        case ignored(String)
        case disconnected(String)
    }

    public let events: [String]
    private let configuration: RedisConfiguration
    private let cache: CacheClient
    private let planner: @Sendable (String, Data) throws -> InvalidationPlan?
    private let reconnectPolicy: ReconnectPolicy
    public let activity: AsyncStream<Activity>
    private let report: AsyncStream<Activity>.Continuation

    /// - Parameters:
    ///   - planner: the service's generated `plan(forEvent:payload:)`.
    public init(
        configuration: RedisConfiguration, cache: CacheClient, events: [String],
        planner: @escaping @Sendable (String, Data) throws -> InvalidationPlan?,
        reconnectPolicy: ReconnectPolicy = ReconnectPolicy()
    ) {
        self.configuration = configuration
        self.cache = cache
        self.events = events
        self.planner = planner
        self.reconnectPolicy = reconnectPolicy
        (activity, report) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    /// Listens until the task is cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await listenOnce()
                failures = 0
            } catch {
                failures += 1
                report.yield(.disconnected("\(error)"))
            }
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: reconnectPolicy.delay(afterFailures: max(1, failures)))
        }
        report.finish()
    }

    /// One connection's life: subscribe, apply messages until it closes.
    private func listenOnce() async throws {
        let (messages, sink) = AsyncStream<RESPValue>.makeStream()
        let connection = try await RedisConnection.connect(configuration, subscriber: true) { sink.yield($0) }
        let watcher = Task {
            await connection.waitUntilClosed()
            sink.finish()
        }
        defer { watcher.cancel() }
        var subscribe = RESPCommand("SUBSCRIBE")
        subscribe.append(contentsOf: events.map(EventBus.channel))
        try await connection.sendWithoutReply(subscribe)
        await withTaskCancellationHandler {
            for await message in messages { await handle(message) }
        } onCancel: {
            sink.finish()
        }
        await connection.close()
        if !Task.isCancelled { throw RedisConnectionError(.closed, "the subscriber connection closed") }
    }

    private func handle(_ push: RESPValue) async {
        guard let items = push.elements, let kind = items.first?.string else { return }
        switch kind {
        case "subscribe":
            if let count = items.last?.int { report.yield(.subscribed(channels: Int(count))) }
        case "message":
            guard items.count == 3, let text = items[2].string, let (event, payload) = EventBus.parse(text) else {
                report.yield(.ignored("a message that is not a version \(EventBus.messageVersion) event"))
                return
            }
            do {
                guard let plan = try planner(event, payload) else {
                    report.yield(.ignored("no plan for \(event)"))
                    return
                }
                report.yield(.applied(event: event, try await cache.invalidate(plan)))
            } catch {
                report.yield(.ignored("cannot apply \(event): \(error)"))
            }
        default:
            break
        }
    }
}
