import CacheRuntime
import Foundation
import RESP

/// Distributed invalidation. Producers publish typed events; each consuming service applies its
/// generated plan for them.
///
/// - Redis-side plans go through Redis Streams: one stream per event,
///   `cachepolicy:v1:stream:<event name>` (trimmed with `MAXLEN ~`), one consumer group per
///   consuming service (named after the service), one consumer per instance. Each entry is applied
///   by one instance of each service and acknowledged after its plan ran: at least once per
///   service (a plan is idempotent, so a redelivery is harmless).
/// - Near caches live in every instance, so every instance must hear every event: that goes over
///   pub/sub on `cachepolicy:v1:event:<event name>`, at most once per instance; an instance that
///   reconnects drops its near cache, since it may have missed some.
///
/// Message (JSON, version 1), the same on both paths:
/// `{"v":1,"event":"payment.succeeded","producer":"payment","payload":{…the event's fields…}}`.
public enum EventBus {
    public static let messageVersion = 1

    public static func channel(for event: String) -> String { "cachepolicy:v1:event:\(event)" }

    public static func stream(for event: String) -> String { "cachepolicy:v1:stream:\(event)" }

    /// The field of a stream entry that holds the message.
    public static let streamField = "message"

    /// The message for an event.
    public static func message<E: CacheEvent>(_ event: E) throws -> String {
        try message(event: E.name, producer: E.producer, payload: try JSONEncoder().encode(event))
    }

    /// The message for an event given by name, with its payload as JSON (already validated
    /// against the event's type by the caller).
    public static func message(event: String, producer: String, payload json: Data) throws -> String {
        let payload = String(decoding: json, as: UTF8.self)
        let envelope: [String: Any] = ["v": messageVersion, "event": event, "producer": producer]
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

/// What ``CacheClient/publish(_:)`` did.
public struct Published: Sendable, Hashable {
    /// The stream entry that every consuming service applies once (`1764500000000-0`).
    public var streamEntry: String
    /// Instances subscribed for near-cache drops that received it.
    public var nearCacheListeners: Int
}

extension CacheClient {
    /// Publishes an event for every service that reacts to it: appended to the event's stream
    /// (each consuming service applies it once, even if none of its instances runs right now) and
    /// announced on pub/sub (every running instance drops its near-cache entries), in one round trip.
    ///
    /// `publish` returns once Redis holds the event, before any consumer has acted: a read right
    /// after may still see what the event invalidates. To read your own writes, use
    /// ``publish(_:applyingPlanOf:)``.
    @discardableResult
    public func publish<E: CacheEvent>(_ event: E) async throws -> Published {
        try await publish(event: E.name, message: try EventBus.message(event))
    }

    /// Publishes a message built by ``EventBus/message(event:producer:payload:)`` (events known
    /// only by name, e.g. from an admin route).
    public func publish(event name: String, message: String) async throws -> Published {
        var append = RESPCommand("XADD", EventBus.stream(for: name))
        append.append("MAXLEN")
        append.append("~")
        append.append(streamMaxLength)
        append.append("*")
        append.append(EventBus.streamField)
        append.append(message)
        let replies = try await redis.pipeline([append, RESPCommand("PUBLISH", EventBus.channel(for: name), message)])
        for reply in replies {
            if case .error(let text) = reply { throw RedisError(text) }
        }
        guard let entry = replies[0].string else { throw RedisError("XADD returned \(replies[0].kindDescription)") }
        instruments.published(name)
        return Published(streamEntry: entry, nearCacheListeners: Int(replies[1].int ?? 0))
    }

    /// Applies `service`'s own plan for the event, then publishes it for every other service:
    /// when this returns, this service's cache no longer holds what the event invalidates (the
    /// other services apply their plans when their listeners receive it; this service's listeners
    /// apply the plan again, which is harmless: plans are idempotent).
    @discardableResult
    public func publish<E: CacheEvent, Service: CompiledServicePolicy>(
        _ event: E, applyingPlanOf service: Service.Type
    ) async throws -> (applied: InvalidationResult?, published: Published) {
        var applied: InvalidationResult?
        if let plan = try Service.plan(forEvent: E.name, payload: JSONEncoder().encode(event)) {
            applied = try await invalidate(plan)
        }
        return (applied, try await publish(event))
    }
}

extension CompiledServicePolicy {
    /// The listener that applies this service's plans for the events it reacts to and hears the
    /// events its warmup jobs run `after` (see ``InvalidationListener``); run it in a task of its
    /// own, in every instance:
    /// `Task { await PaymentCache.listener(cache: cache).run() }`.
    public static func listener(
        cache: CacheClient, configuration: RedisConfiguration? = nil, instance: String = InvalidationListener.defaultInstanceName(),
        settings: InvalidationListener.Settings = .init()
    ) -> InvalidationListener {
        InvalidationListener(
            configuration: configuration ?? (cache.redis as? RedisClusterClient)?.seedConfiguration ?? cache.redis.configuration,
            cache: cache, service: policy.name,
            events: Array(Set(policy.reactsTo + policy.warmupJobs.flatMap(\.after))).sorted(),
            planner: { try plan(forEvent: $0, payload: $1) }, instance: instance, settings: settings)
    }
}
