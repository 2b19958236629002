import CacheRuntime
import Logging
import NIOCore
import RESP

/// Keeps the near cache coherent with every write to Redis, whoever makes it (other services,
/// scripts, `redis-cli`), using Redis's client-side caching: a dedicated RESP3 connection with
/// `CLIENT TRACKING ON BCAST PREFIX …` for the key prefixes of the near-cached families, whose
/// `invalidate` pushes drop the entries they name (all of them after `FLUSHALL`).
///
/// While the tracking connection is down, the watched families are not served from the near cache
/// (invalidations could be missed); when it comes back, their entries start empty. Run it in a
/// task of its own, like ``InvalidationListener``:
///
/// ```swift
/// let tracker = cache.nearCacheTracker(families: UserCache.policy.families)
/// Task { await tracker.run() }
/// ```
public final class NearCacheTracker: Sendable {
    /// What the tracker did, for logs, metrics and tests.
    public enum Activity: Sendable, Hashable {
        /// Tracking is on for these prefixes (after every (re)connect).
        case tracking(prefixes: [String])
        /// Entries dropped because Redis announced their keys changed.
        case invalidated(keys: [String])
        /// Redis asked to drop everything (`FLUSHALL`, `FLUSHDB`).
        case flushed
        case disconnected(String)
    }

    /// The families watched: those of the given ones that declare a near cache.
    public let families: [KeyFamilySpec]
    /// The literal key prefixes registered with Redis (none: every key).
    public let prefixes: [String]
    /// What it did, newest 1,000 items kept for a slow reader (see ``droppedActivity``).
    public var activity: AsyncStream<Activity> { log.stream }
    /// Activity items dropped because ``activity`` was not read in time.
    public var droppedActivity: Int { log.dropped }
    private let log = ActivityLog<Activity>()
    private let configuration: RedisConfiguration
    private let nearCache: NearCache
    private let logger: Logger
    private let reconnectPolicy: ReconnectPolicy
    /// On a cluster: the client whose primaries are tracked.
    private let cluster: RedisClusterClient?

    init(
        nearCache: NearCache, families: [KeyFamilySpec], configuration: RedisConfiguration, reconnectPolicy: ReconnectPolicy, logger: Logger,
        cluster: RedisClusterClient? = nil
    ) {
        self.cluster = cluster
        self.nearCache = nearCache
        self.logger = logger
        self.families = families.filter { $0.nearCacheEntries != nil }
        self.prefixes = Self.prefixes(of: self.families)
        self.configuration = configuration
        self.reconnectPolicy = reconnectPolicy
        nearCache.track(self.families)
    }

    /// The literal text before each family's first hole, without prefixes that another one covers
    /// (Redis rejects overlapping prefixes). A family whose pattern starts with a hole needs every
    /// key: the result is empty.
    static func prefixes(of families: [KeyFamilySpec]) -> [String] {
        let literal = Set(families.map { String($0.pattern.prefix { $0 != "{" }) })
        if literal.contains("") { return [] }
        return literal.filter { prefix in !literal.contains { $0 != prefix && prefix.hasPrefix($0) } }.sorted()
    }

    /// Tracks until the task is cancelled, reconnecting with backoff.
    public func run() async {
        guard !families.isEmpty else { return }
        await reconnectPolicy.keepRunning { established in
            defer { nearCache.setTrackingActive(false) }
            try await track(established: established)
        } onEnd: { error in
            logger.warning("near-cache tracking lost its connection; tracked families are not served locally until it is back", metadata: ["error": "\(error)"])
            log.record(.disconnected("\(error)"))
        }
        log.finish()
    }

    /// One session: a tracking connection to every primary (one on a single server; on a cluster
    /// each primary announces only its own keys), invalidations applied until any of them closes;
    /// then all are closed and the next session finds the primaries again.
    private func track(established: () -> Void) async throws {
        let targets = try await self.targets()
        var streams: [PushStream] = []
        do {
            for target in targets {
                var configuration = target
                configuration.preferRESP3 = true
                let stream = try await RedisConnection.connectForPushes(configuration)
                streams.append(stream)
                guard stream.connection.protocolVersion == 3 else {
                    throw RedisError("near-cache tracking needs RESP3 (Redis 6 or later)")
                }
                var command = RESPCommand("CLIENT", "TRACKING", "ON")
                command.append("BCAST")
                for prefix in prefixes {
                    command.append("PREFIX")
                    command.append(prefix)
                }
                try await stream.connection.send(command)
            }
        } catch {
            for stream in streams { await stream.connection.close() }
            throw error
        }
        nearCache.setTrackingActive(true)
        established()
        log.record(.tracking(prefixes: prefixes))
        // The first connection to end (or overflow) ends the session: with one primary untracked,
        // the near cache could miss its invalidations.
        let overflowed = await withTaskGroup(of: Bool.self) { group in
            for stream in streams {
                group.addTask {
                    for await push in stream.pushes { self.apply(push) }
                    return stream.overflowed
                }
            }
            let first = await group.next() ?? false
            for stream in streams { await stream.connection.close() }
            var any = first
            for await other in group { any = any || other }
            return any
        }
        if overflowed {
            throw RedisConnectionError(.closed, "the tracker fell behind Redis's invalidations; some were lost, so the near cache starts over")
        }
        if !Task.isCancelled { throw RedisConnectionError(.closed, "a tracking connection closed") }
    }

    /// Where to track: the one server, or every primary of a cluster.
    private func targets() async throws -> [RedisConfiguration] {
        guard let cluster else { return [configuration] }
        return try await cluster.primaries().map(\.configuration)
    }

    /// `["invalidate", [keys…]]`, or `["invalidate", null]` to drop everything.
    private func apply(_ push: RESPValue) {
        guard let items = push.elements, items.count == 2, items[0].string == "invalidate" else { return }
        if let keys = items[1].elements {
            let names = keys.compactMap(\.string)
            for key in names { nearCache.remove(key) }
            log.record(.invalidated(keys: names))
        } else {
            nearCache.removeAll()
            log.record(.flushed)
        }
    }
}

extension CacheClient {
    /// A tracker that keeps the near cache of `families` (those that declare one) coherent with
    /// writes made anywhere; run it with ``NearCacheTracker/run()``.
    public func nearCacheTracker(
        families: [KeyFamilySpec], configuration: RedisConfiguration? = nil, reconnectPolicy: ReconnectPolicy = ReconnectPolicy()
    ) -> NearCacheTracker {
        NearCacheTracker(
            nearCache: nearCache, families: families, configuration: configuration ?? redis.configuration, reconnectPolicy: reconnectPolicy,
            logger: logger, cluster: configuration == nil ? redis as? RedisClusterClient : nil)
    }
}
