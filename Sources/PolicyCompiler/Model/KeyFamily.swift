/// A key family: one typed key pattern with its TTL, value codec, tags and dependencies.
/// A class, not a struct: the checker and the program builder pass families around a lot, and a
/// struct of a dozen located fields costs a dozen retains per copy; an immutable object costs one.
public final class KeyFamily: Sendable {
    public let name: Located<String>
    public let description: String?
    public let pattern: KeyPattern
    public let ttl: Located<PolicyDuration>?
    public let codec: Located<Codec>?
    public let value: Located<String>?
    public let tags: [KeyPattern]
    public let dependsOn: [Located<String>]
    /// The fields most families leave out, in one box that is only allocated when one is given:
    /// a family costs about half the memory this way (the checker holds every family at once).
    private let rare: Rare?

    private final class Rare: Sendable {
        let jitter: Located<Percent>?
        let compress: Located<Compression>?
        let nearCache: Located<Int>?
        let keyVersion: Located<Int>?
        let sliding: Located<Bool>?
        let maxAge: Located<PolicyDuration>?
        let refreshAhead: Located<Percent>?
        let readFrom: Located<ReadFrom>?
        let slot: Located<String>?

        init(
            jitter: Located<Percent>?, compress: Located<Compression>?, nearCache: Located<Int>?, keyVersion: Located<Int>?,
            sliding: Located<Bool>?, maxAge: Located<PolicyDuration>?, refreshAhead: Located<Percent>?, readFrom: Located<ReadFrom>?,
            slot: Located<String>?
        ) {
            self.jitter = jitter
            self.compress = compress
            self.nearCache = nearCache
            self.keyVersion = keyVersion
            self.sliding = sliding
            self.maxAge = maxAge
            self.refreshAhead = refreshAhead
            self.readFrom = readFrom
            self.slot = slot
        }
    }

    public var jitter: Located<Percent>? { rare?.jitter }
    public var compress: Located<Compression>? { rare?.compress }
    public var nearCache: Located<Int>? { rare?.nearCache }
    public var keyVersion: Located<Int>? { rare?.keyVersion }
    public var sliding: Located<Bool>? { rare?.sliding }
    public var maxAge: Located<PolicyDuration>? { rare?.maxAge }
    public var refreshAhead: Located<Percent>? { rare?.refreshAhead }
    public var readFrom: Located<ReadFrom>? { rare?.readFrom }
    public var slot: Located<String>? { rare?.slot }

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
        self.name = name
        self.description = description
        self.pattern = pattern
        self.ttl = ttl
        self.codec = codec
        self.value = value
        self.tags = tags
        self.dependsOn = dependsOn
        let anyRare = jitter != nil || compress != nil || nearCache != nil || keyVersion != nil || sliding != nil
            || maxAge != nil || refreshAhead != nil || readFrom != nil || slot != nil
        rare = anyRare ? Rare(
            jitter: jitter, compress: compress, nearCache: nearCache, keyVersion: keyVersion, sliding: sliding, maxAge: maxAge,
            refreshAhead: refreshAhead, readFrom: readFrom, slot: slot) : nil
    }
}

public enum ReadFrom: String, Sendable, Hashable, CaseIterable {
    case primary, replica
}
