/// What one event drops from one service's cache: concrete keys (`UNLINK`), tag sets and index
/// sets (members and the set), and `SCAN MATCH` patterns (only those declared `scan: true`), all
/// rendered from the event's payload by generated code.
public struct InvalidationPlan: Sendable, Hashable, CustomStringConvertible {
    public let service: String
    public let event: String
    public var keys: [String]
    /// For each of ``keys``, the index sets it is a member of: it leaves them as it is removed.
    public var keyIndexes: [[String]]
    /// Redis keys of tag sets (see ``KeyFamilySpec/tagKey(_:)``).
    public var tags: [String]
    /// Redis keys of the index sets of pattern invalidations (see ``KeyFamilySpec/indexKey(service:_:)``).
    public var indexes: [String]
    /// Glob patterns for `SCAN MATCH` (`scan: true` in the policy); param values in them are
    /// encoded, so they match no more than the policy says.
    public var patterns: [String]

    public init(
        service: String, event: String, keys: [String] = [], keyIndexes: [[String]] = [], tags: [String] = [], indexes: [String] = [],
        patterns: [String] = []
    ) {
        self.service = service
        self.event = event
        self.keys = keys
        self.keyIndexes = keyIndexes
        self.tags = tags
        self.indexes = indexes
        self.patterns = patterns
    }

    public var isEmpty: Bool { keys.isEmpty && tags.isEmpty && indexes.isEmpty && patterns.isEmpty }

    public var description: String {
        "\(service) on \(event): keys \(keys), tags \(tags), indexes \(indexes), patterns \(patterns)"
    }
}
