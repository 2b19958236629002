/// A key family: one typed key pattern with its TTL, value codec, tags and dependencies.
/// A class, not a struct: the checker and the program builder pass families around a lot, and a
/// struct of a dozen located fields costs a dozen retains per copy; an immutable object costs one.
public final class KeyFamily: Sendable {
    public let name: Located<String>
    public let description: String?
    public let pattern: KeyPattern
    public let ttl: Located<PolicyDuration>?
    public let jitter: Located<Percent>?
    public let codec: Located<Codec>?
    /// The Swift type of the value (json codec) or a builtin (`String`, `Int`, `Bytes`).
    public let value: Located<String>?
    public let compress: Located<Compression>?
    public let tags: [KeyPattern]
    public let dependsOn: [Located<String>]
    /// Entries kept in an in-process near cache, if any.
    public let nearCache: Located<Int>?
    /// `keyVersion: N` (N > 1) appends the literal segment `vN` to the pattern, so entries written
    /// in another format live under other keys; `cachepolicy diff` says when to bump it.
    public let keyVersion: Located<Int>?
    /// `sliding: true`: an idle timeout; every read renews the entry's TTL.
    public let sliding: Located<Bool>?
    /// `maxAge:` (with `sliding`): an absolute lifetime, however often the entry is read.
    public let maxAge: Located<PolicyDuration>?
    /// `refresh: { ahead: 20% }`: reads in the last share of the TTL may reload the entry early.
    public let refreshAhead: Located<Percent>?
    /// `readFrom: replica`: reads may be served by a replica (Sentinel deployments).
    public let readFrom: Located<ReadFrom>?
    /// `slot: userId`: the key renders that param as a Redis Cluster hash tag (`{<userId>}`), so
    /// the family's keys, and the tag and index sets that follow them, share a slot per value.
    public let slot: Located<String>?

    public init(
        name: Located<String>,
        description: String?,
        pattern: KeyPattern,
        ttl: Located<PolicyDuration>?,
        jitter: Located<Percent>?,
        codec: Located<Codec>?,
        value: Located<String>?,
        compress: Located<Compression>?,
        tags: [KeyPattern],
        dependsOn: [Located<String>],
        nearCache: Located<Int>?,
        keyVersion: Located<Int>? = nil,
        sliding: Located<Bool>? = nil,
        maxAge: Located<PolicyDuration>? = nil,
        refreshAhead: Located<Percent>? = nil,
        readFrom: Located<ReadFrom>? = nil,
        slot: Located<String>? = nil
    ) {
        self.slot = slot
        self.readFrom = readFrom
        self.name = name
        self.description = description
        self.pattern = pattern
        self.ttl = ttl
        self.jitter = jitter
        self.codec = codec
        self.value = value
        self.compress = compress
        self.tags = tags
        self.dependsOn = dependsOn
        self.nearCache = nearCache
        self.keyVersion = keyVersion
        self.sliding = sliding
        self.maxAge = maxAge
        self.refreshAhead = refreshAhead
    }
}

/// Where a family's reads go: the primary (the default), or a replica when the deployment has one
/// (reads then lag writes and invalidations by the replication delay).
public enum ReadFrom: String, Sendable, Hashable, CaseIterable {
    case primary, replica
}
