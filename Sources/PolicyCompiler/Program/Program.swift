/// The resolved, validated program that emitters consume: defaults applied, references bound,
/// everything sorted by name so output is deterministic.
public struct Program: Sendable {
    public var services: [ServiceProgram]
    public var events: [EventProgram]
    /// The environments (`platform.yaml`), when the policy set has one.
    public var platform: Platform? = nil

    public func service(_ name: String) -> ServiceProgram? { services.first { $0.name == name } }
    public func event(_ name: String) -> EventProgram? { events.first { $0.name == name } }
}

public struct ServiceProgram: Sendable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    public var port: Int?
    public var memory: ByteCount?
    public var params: [Param]
    public var keys: [KeyFamilyProgram]
    /// What the service drops per event, by event name.
    public var reactions: [Reaction]
    public var warmups: [WarmupProgram]
    public var alerts: Alerts
    /// Events that mutate what some of the service's families depend on without invalidating them
    /// (each is also a CP500 warning).
    public var staleness: [StaleGap] = []
    /// Tag text → the segment its set key braces; invalidation pattern text → the segment its
    /// index-set key or scan glob braces (``SlotPlacement``).
    public var tagSlots: [String: Int] = [:]
    public var patternSlots: [String: Int] = [:]

    public func key(_ name: String) -> KeyFamilyProgram? { keys.first { $0.name == name } }
}

public struct KeyFamilyProgram: Sendable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    public var pattern: KeyPattern
    /// The holes of the pattern with their types, in order.
    public var keyParams: [Param]
    /// Params used only by tags: required when writing, not when reading.
    public var tagOnlyParams: [Param]
    public var ttl: PolicyDuration
    public var jitter: Percent
    public var codec: Codec
    /// The Swift type of the value.
    public var valueType: String
    public var compression: Compression
    public var tags: [KeyPattern]
    /// The index sets every write joins, one per indexed pattern invalidation that reaches the
    /// family: the pattern's prefix in the family's params, then `*` (`payment:history:{userId}:*`).
    public var indexes: [KeyPattern] = []
    public var dependsOn: [String]
    public var nearCacheEntries: Int?
    /// 1 unless the family declares `keyVersion:`; the pattern already carries its `vN` segment.
    public var keyVersion: Int = 1
    /// An idle timeout: reads renew the TTL (`GETEX … PX`).
    public var sliding: Bool = false
    /// `readFrom: replica`.
    public var readFromReplica: Bool = false
    /// `slot:`: the param whose segment the key braces as a hash tag, and that segment's index.
    public var slot: String? = nil
    public var slotSegment: Int? = nil
    /// Index template text → the segment its set key braces (see ``SlotPlacement``).
    public var indexSlots: [String: Int] = [:]
    /// With `sliding`: the absolute lifetime, however often the entry is read.
    public var maxAge: PolicyDuration?
    /// Early refresh: reads in this last share of the TTL may reload the entry (XFetch).
    public var refreshAhead: Percent?
}

/// A service's reaction to one event.
public struct Reaction: Sendable {
    public var event: String
    public var location: SourceLocation
    public var actions: [ResolvedAction]
}

/// One invalidation with every param bound to a payload field.
public struct ResolvedAction: Sendable {
    public enum Target: Sendable, Hashable {
        case key(family: String)
        case tag(KeyPattern)
        case pattern(KeyPattern)
    }

    public var target: Target
    /// param name → payload field name, for every param the target uses.
    public var bindings: [String: String]
    public var location: SourceLocation
    /// The service's key families the action can drop entries of, in declaration order.
    public var reaches: [String] = []
    /// For a pattern: `true` when it runs as `SCAN MATCH` (`scan: true`), `false` when through
    /// its index set (see ``KeyFamilyProgram/indexes``).
    public var scan: Bool = false
}

/// Events after which some families can serve stale entries until their TTL runs out: they mutate
/// `entity`, which the families depend on, and the service does not drop the families on them.
public struct StaleGap: Sendable, Hashable {
    public var entity: String
    /// The first ``StaleGap/maxEvents`` such events, in the order they were declared.
    public var events: [String]
    /// How many events there are in all.
    public var eventCount: Int
    public var families: [String]
    /// The longest TTL among them: how long a reader may see stale data.
    public var bound: PolicyDuration?

    /// Events kept per gap: a platform where every service's events mutate a shared entity has
    /// thousands; the program (and the graph and JSON drawn from it) stays proportional to the input.
    public static let maxEvents = 100
}

public struct WarmupProgram: Sendable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    public var keys: [String]
    public var source: String
    public var priority: WarmupJob.Priority
    public var every: PolicyDuration?
    public var after: [String]
    public var batch: Int
    public var concurrency: Int
    public var retry: RetryPolicy
}

public struct RetryPolicy: Sendable, Hashable {
    public var attempts: Int
    public var backoff: PolicyDuration
    public var max: PolicyDuration

    /// Used when a warmup job has no `retry:`.
    public static let `default` = RetryPolicy(attempts: 3, backoff: .init(milliseconds: 500), max: .seconds(30))
}

public struct EventProgram: Sendable {
    public var name: String
    public var producer: String
    public var location: SourceLocation
    public var description: String?
    public var payload: [Param]
    public var mutates: [String]
    /// Services that react to the event, sorted.
    public var consumers: [String]
}
