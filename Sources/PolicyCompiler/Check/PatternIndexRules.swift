/// Pattern invalidations must be indexable (see ``PatternIndex``) for every family they reach,
/// unless they say `scan: true`.
extension Checker {
    mutating func checkPatternIndexes(_ service: Service, reach: FamilyReach) {
        for invalidation in service.invalidations {
            for action in invalidation.actions where !action.scan {
                guard case .pattern(let glob) = action.target else { continue }
                for family in reach.families(action.target) where !PatternIndex.isIndexable(glob, for: family.pattern) {
                    diagnostics.report(
                        .patternNotIndexable, at: glob.location,
                        "the pattern '\(glob.text)' cannot be kept as an index set for '\(family.name.value)' ('\(family.pattern.text)'): \(PatternIndex.reason(glob, for: family.pattern)); it would scan the whole keyspace on every '\(invalidation.event.value)'",
                        hint: "write it as a prefix of the key followed by '*' (e.g. '\(Self.indexableExample(for: family.pattern))'), use a tag, or add 'scan: true' to accept a keyspace scan",
                        related: [RelatedLocation(family.pattern.location, "the key of '\(family.name.value)'")])
                }
            }
        }
    }

    /// The family's key with its last segment replaced by `*`.
    static func indexableExample(for pattern: KeyPattern) -> String {
        let parts = pattern.text.split(separator: KeyPattern.separator, omittingEmptySubsequences: false)
        return (parts.dropLast() + ["*"]).joined(separator: String(KeyPattern.separator))
    }
}
