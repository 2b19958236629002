/// What one event drops from one service's cache: concrete keys (`UNLINK`), tag sets (members and
/// the set) and `SCAN MATCH` patterns, all rendered from the event's payload by generated code.
public struct InvalidationPlan: Sendable, Hashable, CustomStringConvertible {
    public let service: String
    public let event: String
    public var keys: [String]
    /// Redis keys of tag sets (see ``KeyFamilySpec/tagKey(_:)``).
    public var tags: [String]
    /// Glob patterns for `SCAN MATCH`; param values in them are encoded, so they match no more
    /// than the policy says.
    public var patterns: [String]

    public init(service: String, event: String, keys: [String] = [], tags: [String] = [], patterns: [String] = []) {
        self.service = service
        self.event = event
        self.keys = keys
        self.tags = tags
        self.patterns = patterns
    }

    public var isEmpty: Bool { keys.isEmpty && tags.isEmpty && patterns.isEmpty }

    public var description: String {
        "\(service) on \(event): keys \(keys), tags \(tags), patterns \(patterns)"
    }
}
