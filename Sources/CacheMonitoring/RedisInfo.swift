import Foundation
import CoreMetrics
import NIOConcurrencyHelpers

/// The fields of `INFO` the monitor reads: memory, evictions, expiries, keyspace hits and misses,
/// clients.
public struct RedisInfo: Sendable, Hashable, Codable {
    public var usedMemory: Int
    /// `0`: no limit.
    public var maxMemory: Int
    public var evictedKeys: Int
    public var expiredKeys: Int
    public var keyspaceHits: Int
    public var keyspaceMisses: Int
    public var connectedClients: Int

    public init(
        usedMemory: Int, maxMemory: Int, evictedKeys: Int, expiredKeys: Int, keyspaceHits: Int, keyspaceMisses: Int, connectedClients: Int
    ) {
        self.usedMemory = usedMemory
        self.maxMemory = maxMemory
        self.evictedKeys = evictedKeys
        self.expiredKeys = expiredKeys
        self.keyspaceHits = keyspaceHits
        self.keyspaceMisses = keyspaceMisses
        self.connectedClients = connectedClients
    }

    /// A cluster's primaries as one server: every count summed; the memory limit summed, or
    /// `0` (none) when any primary has none.
    public static func combined(_ infos: [RedisInfo]) -> RedisInfo? {
        guard let first = infos.first else { return nil }
        return infos.dropFirst().reduce(first) { total, info in
            RedisInfo(
                usedMemory: total.usedMemory + info.usedMemory,
                maxMemory: total.maxMemory == 0 || info.maxMemory == 0 ? 0 : total.maxMemory + info.maxMemory,
                evictedKeys: total.evictedKeys + info.evictedKeys, expiredKeys: total.expiredKeys + info.expiredKeys,
                keyspaceHits: total.keyspaceHits + info.keyspaceHits, keyspaceMisses: total.keyspaceMisses + info.keyspaceMisses,
                connectedClients: total.connectedClients + info.connectedClients)
        }
    }

    /// Reads the `field:value` lines of an `INFO` reply; `nil` when `used_memory` is missing.
    public init?(parsing text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...]
        }
        func number(_ name: Substring) -> Int { fields[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0 }
        guard fields["used_memory"] != nil else { return nil }
        usedMemory = number("used_memory")
        maxMemory = number("maxmemory")
        evictedKeys = number("evicted_keys")
        expiredKeys = number("expired_keys")
        keyspaceHits = number("keyspace_hits")
        keyspaceMisses = number("keyspace_misses")
        connectedClients = number("connected_clients")
    }
}

/// Redis-side metrics from `INFO` samples (docs/metrics.md): gauges for memory and clients, and
/// the server's cumulative counters carried over as swift-metrics counters by their increase
/// between samples (a restarted server's counters start again from zero).
final class RedisInfoMetrics: Sendable {
    private let usedMemory: Gauge
    private let maxMemory: Gauge
    private let connectedClients: Gauge
    private let evicted: Counter
    private let expired: Counter
    private let hits: Counter
    private let misses: Counter
    private let last = NIOLockedValueBox<RedisInfo?>(nil)

    init(factory: any MetricsFactory) {
        usedMemory = Gauge(label: "cachepolicy_redis_used_memory_bytes", dimensions: [], factory: factory)
        maxMemory = Gauge(label: "cachepolicy_redis_maxmemory_bytes", dimensions: [], factory: factory)
        connectedClients = Gauge(label: "cachepolicy_redis_connected_clients", dimensions: [], factory: factory)
        evicted = Counter(label: "cachepolicy_redis_evicted_keys_total", dimensions: [], factory: factory)
        expired = Counter(label: "cachepolicy_redis_expired_keys_total", dimensions: [], factory: factory)
        hits = Counter(label: "cachepolicy_redis_keyspace_hits_total", dimensions: [], factory: factory)
        misses = Counter(label: "cachepolicy_redis_keyspace_misses_total", dimensions: [], factory: factory)
    }

    func record(_ info: RedisInfo) {
        usedMemory.record(info.usedMemory)
        maxMemory.record(info.maxMemory)
        connectedClients.record(info.connectedClients)
        let previous = last.withLockedValue { last in
            defer { last = info }
            return last
        }
        func increase(_ counter: Counter, _ now: Int, _ before: Int?) {
            let delta = before.map { now >= $0 ? now - $0 : now } ?? now
            if delta > 0 { counter.increment(by: Int64(delta)) }
        }
        increase(evicted, info.evictedKeys, previous?.evictedKeys)
        increase(expired, info.expiredKeys, previous?.expiredKeys)
        increase(hits, info.keyspaceHits, previous?.keyspaceHits)
        increase(misses, info.keyspaceMisses, previous?.keyspaceMisses)
    }
}
