import CacheRuntime
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RESP

/// Applies one service's generated plans for the events it reacts to. Run one in every instance
/// of the service (``CompiledServicePolicy/listener(cache:configuration:instance:settings:)``):
///
/// - **Redis side, once per service** (at least once): the instance is a consumer of the
///   service's consumer group on each event's stream (`XREADGROUP`), applies the plan of each
///   entry it reads and acknowledges it afterwards (`XACK`). Entries left pending by an instance
///   that died are claimed by another after ``Settings/claimAfter`` (`XAUTOCLAIM`); a service whose
///   instances were all down catches up from its group's position when one starts. An entry whose
///   plan fails stays pending and is retried after ``Settings/claimAfter``; one that is not a
///   valid event is acknowledged and reported (it would fail forever).
/// - **Near cache, every instance** (at most once): pub/sub on each event's channel; each message
///   drops this instance's near-cache entries the plan covers. After a reconnect the service's
///   near cache is dropped whole, since messages may have been missed.
public final class InvalidationListener: Sendable {
    public struct Settings: Sendable, Hashable {
        /// Entries read per `XREADGROUP`.
        public var batch: Int
        /// How long one `XREADGROUP` waits for entries.
        public var block: Duration
        /// Entries pending this long on another consumer are taken over (its instance is presumed dead).
        public var claimAfter: Duration
        public var reconnectPolicy: ReconnectPolicy

        public init(batch: Int = 100, block: Duration = .seconds(2), claimAfter: Duration = .seconds(30), reconnectPolicy: ReconnectPolicy = ReconnectPolicy()) {
            self.batch = batch
            self.block = block
            self.claimAfter = claimAfter
            self.reconnectPolicy = reconnectPolicy
        }
    }

    /// What the listener did, for logs, metrics and tests.
    public enum Activity: Sendable {
        /// Pub/sub for near-cache drops is up (after every (re)connect).
        case subscribed(channels: Int)
        /// The consumer group exists on every stream and this instance reads from it.
        case consuming(streams: Int)
        /// This instance applied the event's plan for the service (no other instance did).
        case applied(event: String, entry: String, InvalidationResult)
        /// Entries taken over from a consumer that held them too long.
        case claimed(entries: Int)
        /// Near-cache entries dropped for an event heard on pub/sub.
        case droppedNearCache(event: String)
        case ignored(String)
        case disconnected(String)
    }

    public let service: String
    /// This instance's consumer name in the service's groups.
    public let instance: String
    public let events: [String]
    public let settings: Settings
    private let configuration: RedisConfiguration
    private let cache: CacheClient
    private let planner: @Sendable (String, Data) throws -> InvalidationPlan?
    /// What it did, newest 1,000 items kept for a slow reader (see ``droppedActivity``).
    public var activity: AsyncStream<Activity> { log.stream }
    /// Activity items dropped because ``activity`` was not read in time.
    public var droppedActivity: Int { log.dropped }
    private let log = ActivityLog<Activity>()
    private let appliedHandlers = NIOLockedValueBox([@Sendable (String) -> Void]())

    /// Calls `handler` with the event's name each time this instance applied an event's plan
    /// (once per service, after the entry is acknowledged): the warmup runner's `after:` trigger.
    public func onApplied(_ handler: @escaping @Sendable (String) -> Void) {
        appliedHandlers.withLockedValue { $0.append(handler) }
    }

    /// - Parameters:
    ///   - service: the consuming service; its name is the consumer group's.
    ///   - planner: the service's generated `plan(forEvent:payload:)`.
    ///   - instance: this instance's consumer name; unique among the service's running instances.
    public init(
        configuration: RedisConfiguration, cache: CacheClient, service: String, events: [String],
        planner: @escaping @Sendable (String, Data) throws -> InvalidationPlan?,
        instance: String = InvalidationListener.defaultInstanceName(), settings: Settings = Settings()
    ) {
        self.configuration = configuration
        self.cache = cache
        self.service = service
        self.events = events
        self.planner = planner
        self.instance = instance
        self.settings = settings
    }

    /// `<host>-<pid>-<random>`: unique per process, so a restarted process never inherits a
    /// dead one's pending entries by name (they are claimed by age instead).
    public static func defaultInstanceName() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(40)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// Listens until the task is cancelled.
    public func run() async {
        guard !events.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeStreams() }
            group.addTask { await self.dropNearCacheEntries() }
        }
        log.finish()
    }

    // MARK: Streams (Redis side, once per service)

    private var streams: [String] { events.map(EventBus.stream) }

    /// One blocking reader for all the streams; on a cluster one per stream, on the primary that
    /// serves its slot (a command's keys must share a slot), found again on every reconnect.
    private func consumeStreams() async {
        guard let cluster = cache.redis as? RedisClusterClient else {
            let configuration = configuration
            await consume(streams) { configuration }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for stream in streams {
                group.addTask { await self.consume([stream]) { try await cluster.nodeConfiguration(forKey: stream) } }
            }
        }
    }

    private func consume(_ streams: [String], at target: @escaping @Sendable () async throws -> RedisConfiguration) async {
        await settings.reconnectPolicy.keepRunning { established in
            var configuration = try await target()
            // A blocking read must not trip the command timeout.
            configuration.commandTimeout = settings.block + configuration.commandTimeout
            let connection = try await RedisConnection.connect(configuration)
            do {
                try await createGroups(streams, on: connection)
                established()
                log.record(.consuming(streams: streams.count))
                var lastClaim: ContinuousClock.Instant?
                while !Task.isCancelled {
                    if lastClaim.map({ ContinuousClock.now - $0 >= settings.claimAfter / 2 }) ?? true {
                        try await claimAbandoned(streams, on: connection)
                        lastClaim = .now
                    }
                    do {
                        for entry in try await readGroup(streams, on: connection) { await handle(entry, on: connection) }
                    } catch let error as RedisError where error.code == "NOGROUP" {
                        // The streams were deleted (a restarted server without persistence): start over.
                        try await createGroups(streams, on: connection)
                    }
                }
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        } onEnd: { error in
            cache.logger.warning("the invalidation listener lost its event streams; reconnecting", metadata: ["service": "\(service)", "error": "\(error)"])
            log.record(.disconnected("event streams: \(error)"))
        }
    }

    /// `XGROUP CREATE … 0 MKSTREAM` for each stream; an existing group keeps its position. A new
    /// group starts at the oldest retained entry, so nothing published before it existed (a new
    /// service, or a server that lost its data and came back) is missed; the replay is bounded by
    /// the stream's length and harmless, since plans are idempotent.
    private func createGroups(_ streams: [String], on connection: RedisConnection) async throws {
        let replies = try await connection.pipeline(streams.map { RESPCommand("XGROUP", "CREATE", $0, service, "0", "MKSTREAM") })
        for reply in replies {
            if case .error(let message) = reply, RedisError(message).code != "BUSYGROUP" { throw RedisError(message) }
        }
    }

    struct Entry {
        let stream: String
        let id: String
        /// `nil` for an entry trimmed from the stream while it was pending.
        let message: String?
    }

    private func readGroup(_ streams: [String], on connection: RedisConnection) async throws -> [Entry] {
        var command = RESPCommand("XREADGROUP", "GROUP", service)
        command.append(instance)
        command.append("COUNT")
        command.append(settings.batch)
        command.append("BLOCK")
        command.append(Int(settings.block / .milliseconds(1)))
        command.append("STREAMS")
        command.append(contentsOf: streams)
        command.append(contentsOf: streams.map { _ in ">" })
        return try Self.entries(ofRead: try await connection.send(command))
    }

    /// `XAUTOCLAIM` on every stream: entries idle longer than ``Settings/claimAfter`` become ours
    /// and are applied now.
    private func claimAbandoned(_ streams: [String], on connection: RedisConnection) async throws {
        let idle = Int(settings.claimAfter / .milliseconds(1))
        for stream in streams {
            var cursor = "0-0"
            for _ in 0..<100 {
                var command = RESPCommand("XAUTOCLAIM", stream, service)
                command.append(instance)
                command.append(idle)
                command.append(cursor)
                command.append("COUNT")
                command.append(settings.batch)
                guard let parts = try await connection.send(command).elements, parts.count >= 2, let next = parts[0].string else {
                    throw RedisError("XAUTOCLAIM returned an unexpected reply")
                }
                let claimed = Self.entries(stream, parts[1])
                if !claimed.isEmpty { log.record(.claimed(entries: claimed.count)) }
                for entry in claimed { await handle(entry, on: connection) }
                cursor = next
                if cursor == "0-0" { break }
            }
        }
    }

    /// Applies an entry's plan and acknowledges it; leaves it pending when the plan fails.
    private func handle(_ entry: Entry, on connection: RedisConnection) async {
        guard let message = entry.message, let (event, payload) = EventBus.parse(message) else {
            log.record(.ignored("entry \(entry.id) of \(entry.stream) is not a version \(EventBus.messageVersion) event; acknowledged"))
            _ = try? await connection.send(RESPCommand("XACK", entry.stream, service, entry.id))
            return
        }
        let plan: InvalidationPlan?
        do {
            plan = try planner(event, payload)
        } catch {
            log.record(.ignored("entry \(entry.id): cannot read \(event): \(error); acknowledged"))
            _ = try? await connection.send(RESPCommand("XACK", entry.stream, service, entry.id))
            return
        }
        do {
            var result = InvalidationResult()
            if let plan { result = try await cache.invalidate(plan) }
            try await connection.send(RESPCommand("XACK", entry.stream, service, entry.id))
            log.record(.applied(event: event, entry: entry.id, result))
            cache.instruments.service(service).eventApplied(event)
            for handler in appliedHandlers.withLockedValue({ $0 }) { handler(event) }
        } catch {
            log.record(.ignored("entry \(entry.id): the plan for \(event) failed (\(error)); it stays pending and is retried"))
        }
    }

    /// `XREADGROUP`'s reply: a map (RESP3) or an array of `[stream, entries]` pairs (RESP2);
    /// null when nothing arrived.
    static func entries(ofRead reply: RESPValue) throws -> [Entry] {
        switch reply {
        case .null: return []
        case .map(let pairs):
            return pairs.flatMap { pair in pair.key.string.map { entries($0, pair.value) } ?? [] }
        case .array(let streams):
            return streams.flatMap { item -> [Entry] in
                guard let pair = item.elements, pair.count == 2, let name = pair[0].string else { return [] }
                return entries(name, pair[1])
            }
        default:
            throw RedisError("XREADGROUP returned \(reply.kindDescription)")
        }
    }

    /// `[[id, [field, value, …]], …]`; a trimmed entry has no fields.
    static func entries(_ stream: String, _ list: RESPValue) -> [Entry] {
        (list.elements ?? []).compactMap { item in
            guard let parts = item.elements, let id = parts.first?.string else { return nil }
            var message: String?
            if parts.count > 1, let fields = parts[1].elements {
                var index = 0
                while index + 1 < fields.count {
                    if fields[index].string == EventBus.streamField { message = fields[index + 1].string }
                    index += 2
                }
            }
            return Entry(stream: stream, id: id, message: message)
        }
    }

    // MARK: Pub/sub (near cache, every instance)

    private func dropNearCacheEntries() async {
        let subscriber = RedisSubscriber(configuration, channels: events.map(EventBus.channel), reconnectPolicy: settings.reconnectPolicy)
        await subscriber.run { event in
            switch event {
            case .subscribed(let count):
                // Messages published while this instance was not subscribed are lost to it.
                cache.nearCache.removeAll(service: service)
                log.record(.subscribed(channels: count))
            case .disconnected(let reason):
                cache.logger.warning("the invalidation listener lost its near-cache channel; resubscribing", metadata: ["service": "\(service)", "error": "\(reason)"])
                log.record(.disconnected("near-cache channel: \(reason)"))
            case .message(let message):
                guard let (name, payload) = EventBus.parse(String(buffer: message.payload)), let plan = try? planner(name, payload) else {
                    log.record(.ignored("a near-cache message that is not a version \(EventBus.messageVersion) event of this service"))
                    return
                }
                cache.dropNearCacheEntries(plan)
                log.record(.droppedNearCache(event: name))
            }
        }
    }
}

extension CacheClient {
    /// Drops this process's near-cache entries that a plan covers, without touching Redis.
    func dropNearCacheEntries(_ plan: InvalidationPlan) {
        for key in plan.keys { nearCache.remove(key) }
        if !plan.tags.isEmpty || !plan.indexes.isEmpty || !plan.patterns.isEmpty { nearCache.removeAll(service: plan.service) }
    }
}
