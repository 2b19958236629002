import NIOCore

/// A key family as the compiler resolved it: pattern, TTL, jitter, codec and compression.
public struct KeyFamilySpec: Sendable, Hashable, CustomStringConvertible {
    public let service: String
    public let name: String
    /// The pattern as declared, e.g. `payment:history:{userId}:{page}`.
    public let pattern: String
    public let ttl: Duration
    /// TTL spread, as a ratio (0.1 is ±10%).
    public let jitter: Double
    public let codec: CodecKind
    public let compression: CompressionPolicy
    /// Entries kept in an in-process near cache; `nil` for none.
    public let nearCacheEntries: Int?
    /// An idle timeout: every read renews the TTL (`GETEX … PX`, with jitter).
    public let sliding: Bool
    /// With ``sliding``: the entry expires this long after its last write, however often it is read.
    public let maxAge: Duration?
    /// Early refresh: `fetch` may reload an entry in this last share of its TTL (0.2 for 20%).
    public let refreshAhead: Double?
    /// `readFrom: replica`: reads may go to a replica (``CacheClient``'s `replica` client).
    public let readFromReplica: Bool

    public init(
        service: String, name: String, pattern: String, ttl: Duration, jitter: Double, codec: CodecKind,
        compression: CompressionPolicy, nearCacheEntries: Int? = nil, sliding: Bool = false, maxAge: Duration? = nil,
        refreshAhead: Double? = nil, readFromReplica: Bool = false
    ) {
        self.readFromReplica = readFromReplica
        self.service = service
        self.name = name
        self.pattern = pattern
        self.ttl = ttl
        self.jitter = jitter
        self.codec = codec
        self.compression = compression
        self.nearCacheEntries = nearCacheEntries
        self.sliding = sliding
        self.maxAge = maxAge
        self.refreshAhead = refreshAhead
    }

    /// The key that marks a sliding entry's lifetime (`maxAge`): it expires `maxAge` after the
    /// entry's last write, and a read that finds it gone drops the entry.
    public static func lifetimeKey(_ key: String) -> String { "#life:" + key }

    public var description: String { "\(service).\(name)" }

    /// The TTL in milliseconds.
    public var ttlMilliseconds: Int64 {
        TimeAmount(ttl).nanoseconds / 1_000_000
    }

    /// The TTL in milliseconds multiplied by `scale` (an environment's `ttlScale`), at least 1.
    public func scaledTTLMilliseconds(_ scale: Double) -> Int64 {
        scale == 1 ? ttlMilliseconds : max(1, Int64((Double(ttlMilliseconds) * scale).rounded()))
    }

    /// The range a written entry's TTL is drawn from: the TTL ± jitter, never below 1 ms.
    public var ttlRange: ClosedRange<Int64> { ttlRange(scale: 1) }

    /// ``ttlRange`` with the TTL multiplied by an environment's `ttlScale`.
    public func ttlRange(scale: Double) -> ClosedRange<Int64> {
        let base = scaledTTLMilliseconds(scale)
        let spread = Int64((Double(base) * jitter).rounded(.down))
        return max(1, base - spread)...max(1, base + spread)
    }

    /// A TTL for one write, drawn uniformly from ``ttlRange`` so entries written together do not
    /// expire together.
    public func writeTTL<G: RandomNumberGenerator>(using generator: inout G) -> Int64 {
        Int64.random(in: ttlRange, using: &generator)
    }

    public func writeTTL(scale: Double = 1) -> Int64 {
        let range = ttlRange(scale: scale)
        guard range.lowerBound < range.upperBound else { return range.lowerBound }
        var generator = JitterGenerator()
        return Int64.random(in: range, using: &generator)
    }

    /// The Redis key of the set holding the members of a rendered tag (`user:3f2b…`). Tags are
    /// scoped to their service; `#` never appears in a key family's keys, so tag sets cannot collide
    /// with them.
    public func tagKey(_ renderedTag: String) -> String {
        Self.tagKey(service: service, renderedTag)
    }

    public static func tagKey(service: String, _ renderedTag: String) -> String {
        "#tag:\(service):\(renderedTag)"
    }

    /// The Redis key of the index set of a rendered pattern (`payment:history:3f2b…:*`): the keys
    /// of the service that the pattern matches, kept by every write like a tag set, so a pattern
    /// invalidation needs no `SCAN` (docs/runtime.md).
    public static func indexKey(service: String, _ renderedPattern: String) -> String {
        "#idx:\(service):\(renderedPattern)"
    }
}
