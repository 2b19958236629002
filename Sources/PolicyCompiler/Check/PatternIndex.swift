/// Pattern invalidations kept as index sets. A pattern such as `payment:history:{userId}:*` is a
/// prefix of a family's key (`payment:history:{userId}:{page}`) followed by `*`. Every write of the
/// family joins the set named by the prefix rendered with the entry's values
/// (`#idx:payment:payment:history:<userId>:*`), atomically with the write, the way tags work; the
/// invalidation renders the same name from the event's values and drops the set's members: one
/// round trip, cost proportional to the matches, not to the keyspace (no `SCAN`).
///
/// The set is exact when each segment of the prefix lines up with a segment of the family's key:
/// a literal with the same literal, a `{param}` hole with a hole of the family (whatever its
/// name: both sides render the value the same way, and the glob would compare those bytes). Other
/// shapes (`*` in the middle, a hole where the family has a literal, a literal where it has a hole)
/// cannot be kept as an index and need `scan: true`.
enum PatternIndex {
    /// The index template of `glob` for a family with key `pattern`: the glob's prefix written
    /// with the family's holes, then `*`; `nil` when the glob cannot be kept as an index for it.
    static func template(_ glob: KeyPattern, for pattern: KeyPattern) -> KeyPattern? {
        guard isIndexable(glob, for: pattern) else { return nil }
        var segments = Array(pattern.segments.prefix(glob.segments.count - 1))
        segments.append(.wildcard)
        let text = segments.map { segment -> String in
            switch segment {
            case .literal(let text): text
            case .hole(let name): "{\(name)}"
            case .wildcard: "*"
            }
        }.joined(separator: String(KeyPattern.separator))
        let locations = Array(pattern.segmentLocations.prefix(segments.count - 1)) + [glob.segmentLocations.last ?? glob.location]
        return KeyPattern(text: text, segments: segments, segmentLocations: locations)
    }

    /// Whether `glob` can be kept as an index for a family with key `pattern` (``template(_:for:)``
    /// is not `nil`), without building the template. Literals line up when their bytes are equal.
    static func isIndexable(_ glob: KeyPattern, for pattern: KeyPattern) -> Bool {
        guard let last = glob.segments.last, last == .wildcard else { return false }
        let prefix = glob.segments.dropLast()
        guard !prefix.contains(.wildcard), prefix.count < pattern.segments.count else { return false }
        for (wanted, segment) in zip(prefix, pattern.segments) {
            switch (wanted, segment) {
            case (.literal(let a), .literal(let b)) where SegmentAlgebra.Bytes(a) == SegmentAlgebra.Bytes(b): continue
            case (.hole, .hole): continue
            default: return false
            }
        }
        return true
    }

    /// Why `glob` cannot be an index for a family with key `pattern`, for the diagnostic.
    static func reason(_ glob: KeyPattern, for pattern: KeyPattern) -> String {
        guard glob.segments.last == .wildcard, !glob.segments.dropLast().contains(.wildcard) else {
            return "only a trailing '*' can be indexed"
        }
        let prefix = glob.segments.dropLast()
        guard prefix.count < pattern.segments.count else { return "the pattern is as long as the key" }
        for (index, (wanted, segment)) in zip(prefix, pattern.segments).enumerated() {
            switch (wanted, segment) {
            case (.literal(let a), .literal(let b)) where SegmentAlgebra.Bytes(a) == SegmentAlgebra.Bytes(b): continue
            case (.hole, .hole): continue
            case (.hole, .literal(let text)): return "segment \(index + 1) is a param where the key has the literal '\(text)'"
            case (.literal(let text), .hole(let name)): return "segment \(index + 1) is the literal '\(text)' where the key has '{\(name)}'"
            default: return "segment \(index + 1) differs from the key's"
            }
        }
        return "its prefix does not line up with the key"
    }
}
