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
    ///
    /// Delivery is at most once per listener, and `publish` returns before any of them has
    /// acted: a read right after may still see what the event invalidates. To read your own
    /// writes, use ``publish(_:applyingPlanOf:)``.
    @discardableResult
    public func publish<E: CacheEvent>(_ event: E) async throws -> Int {
        let reply = try await redis.send(RESPCommand("PUBLISH", EventBus.channel(for: E.name), try EventBus.message(event)))
        return Int(reply.int ?? 0)
    }

    /// Applies `service`'s own plan for the event, then publishes it for every other service:
    /// when this returns, this service's cache no longer holds what the event invalidates (the
    /// other services apply their plans when their listeners receive it; this service's listeners
    /// apply the plan again, which is harmless: plans are idempotent).
    @discardableResult
    public func publish<E: CacheEvent, Service: CompiledServicePolicy>(
        _ event: E, applyingPlanOf service: Service.Type
    ) async throws -> (applied: InvalidationResult?, listeners: Int) {
        var applied: InvalidationResult?
        if let plan = try Service.plan(forEvent: E.name, payload: JSONEncoder().encode(event)) {
            applied = try await invalidate(plan)
        }
        return (applied, try await publish(event))
    }
}

extension CompiledServicePolicy {
    /// The listener that applies this service's plans for the events it reacts to, on its own
    /// connection (see ``InvalidationListener``); run it in a task of its own:
    /// `Task { await PaymentCache.listener(cache: cache).run() }`.
    public static func listener(
        cache: CacheClient, configuration: RedisConfiguration? = nil, reconnectPolicy: ReconnectPolicy = ReconnectPolicy()
    ) -> InvalidationListener {
        InvalidationListener(
            configuration: configuration ?? cache.redis.configuration, cache: cache, events: policy.reactsTo,
            planner: { try plan(forEvent: $0, payload: $1) }, reconnectPolicy: reconnectPolicy)
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
    /// What it did, newest 1,000 items kept for a slow reader (see ``droppedActivity``).
    public var activity: AsyncStream<Activity> { log.stream }
    /// Activity items dropped because ``activity`` was not read in time.
    public var droppedActivity: Int { log.dropped }
    private let log = ActivityLog<Activity>()

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
    }

    /// Listens until the task is cancelled.
    public func run() async {
        let subscriber = RedisSubscriber(configuration, channels: events.map(EventBus.channel), reconnectPolicy: reconnectPolicy)
        await subscriber.run { event in
            switch event {
            case .subscribed(let count): log.record(.subscribed(channels: count))
            case .disconnected(let reason): log.record(.disconnected(reason))
            case .message(let message): await apply(String(buffer: message.payload))
            }
        }
        log.finish()
    }

    private func apply(_ text: String) async {
        guard let (event, payload) = EventBus.parse(text) else {
            log.record(.ignored("a message that is not a version \(EventBus.messageVersion) event"))
            return
        }
        do {
            guard let plan = try planner(event, payload) else {
                log.record(.ignored("no plan for \(event)"))
                return
            }
            log.record(.applied(event: event, try await cache.invalidate(plan)))
        } catch {
            log.record(.ignored("cannot apply \(event): \(error)"))
        }
    }
}
