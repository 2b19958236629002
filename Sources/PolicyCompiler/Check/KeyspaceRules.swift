/// Keyspace: no two families share a concrete key; patterns start with a literal;
/// invalidation patterns and tags reach only (and at least some of) their own service's keys.
extension Checker {
    /// A family by position (index in `services`, then in its `keys`), not by reference: placing,
    /// grouping and sorting 20,000 of them touches neither the family objects nor their names.
    private struct PlacedFamily {
        let service: Int
        let family: Int
        /// Where the family's pattern is, for ordering overlaps by declaration.
        let location: SourceLocation
        let segments: [SegmentAlgebra.Segment]
    }

    private func family(_ placed: PlacedFamily) -> KeyFamily { services[placed.service].keys[placed.family] }
    private func serviceName(_ placed: PlacedFamily) -> String { services[placed.service].name.value }

    mutating func checkKeyspace() {
        // Families bucketed by leading literal (compared as bytes): only families in one bucket can
        // share a key, and only invalidation patterns with that leading literal can reach them.
        var byPrefix: [SegmentAlgebra.Bytes: [PlacedFamily]] = [:]
        // A service's families usually share their first literal (the service's name): each run of
        // them joins its bucket at once, with one lookup instead of one per family.
        var run: [PlacedFamily] = []
        var runPrefix = SegmentAlgebra.Bytes("")
        func endRun() {
            guard !run.isEmpty else { return }
            byPrefix[runPrefix, default: []].append(contentsOf: run)
            run.removeAll(keepingCapacity: true)
        }
        for serviceIndex in services.indices {
            let keys = services[serviceIndex].keys
            for (familyIndex, segments) in reach[serviceIndex].patterns.enumerated() {
                guard let segments else { continue }
                let pattern = keys[familyIndex].pattern
                guard case .literal(let prefix) = segments[0] else {
                    reportLeadingHole(pattern, "the pattern of '\(keys[familyIndex].name.value)'")
                    continue
                }
                if prefix != runPrefix {
                    endRun()
                    runPrefix = prefix
                }
                run.append(PlacedFamily(service: serviceIndex, family: familyIndex, location: pattern.location, segments: segments))
            }
        }
        endRun()
        // In a bucket, only families with as many segments can share a key: sorted by that count,
        // then by declaration, each group is a run.
        for bucket in byPrefix.values where bucket.count > 1 {
            let ordered = bucket.sorted { ($0.segments.count, $0.location) < ($1.segments.count, $1.location) }
            var start = 0
            while start < ordered.count {
                var end = start + 1
                while end < ordered.count, ordered[end].segments.count == ordered[start].segments.count { end += 1 }
                if end - start > 1 { reportOverlaps(in: Array(ordered[start..<end])) }
                start = end
            }
        }
        // Large buckets (a service of many families, or many services sharing a first literal)
        // are indexed, so a pattern invalidation tests only the families it can line up with.
        var indexes: [SegmentAlgebra.Bytes: SegmentIndex] = [:]
        for (prefix, bucket) in byPrefix where bucket.count >= SegmentIndex.minimumEntries {
            indexes[prefix] = SegmentIndex(bucket.map(\.segments))
        }
        for serviceIndex in services.indices where !services[serviceIndex].invalidations.isEmpty {
            let service = services[serviceIndex]
            let reach = reach[serviceIndex]
            suggestionBudget = Self.suggestionComparisons
            for invalidation in service.invalidations {
                for action in invalidation.actions {
                    switch action.target {
                    case .pattern(let glob):
                        checkPatternInvalidation(glob, in: service, at: serviceIndex, reach: reach, byPrefix: byPrefix, indexes: indexes)
                    case .tag(let tag):
                        checkTagInvalidation(tag, in: service, reach: reach)
                    case .key:
                        break
                    }
                }
            }
        }
    }

    /// Reports every pair in `group` (same leading literal, same length, in declaration order) that
    /// can share a key. Instead of comparing all pairs, the group is split segment by segment: at
    /// each position, families with a literal there only meet families with the same literal or a
    /// hole that can render it. Distinct literal structure, the normal case, costs O(n) per
    /// position; only pairs that agree position by position are compared, each once.
    private mutating func reportOverlaps(in group: [PlacedFamily]) {
        // A small group is cheaper to compare pair by pair than to partition. Families of a group
        // share their first literal and usually differ in the second (`user:profile:…`,
        // `user:settings:…`): two different literals there settle a pair without comparing it.
        if group.count <= Self.pairwiseGroupSize {
            let second = group.map { member -> Int? in
                guard member.segments.count > 1, case .literal(let text) = member.segments[1] else { return nil }
                return text.hashValue
            }
            for later in group.indices {
                for earlier in group[..<later].indices {
                    if let a = second[earlier], let b = second[later], a != b { continue }
                    if SegmentAlgebra.overlaps(group[earlier].segments, group[later].segments) {
                        reportOverlap(group[earlier], group[later])
                    }
                }
            }
            return
        }
        var candidates = Set<Int>()
        func split(_ members: [Int], at position: Int) {
            guard members.count > 1 else { return }
            guard position < group[members[0]].segments.count else {
                for (index, later) in members.enumerated() {
                    for earlier in members[..<index] { candidates.insert(min(earlier, later) << 32 | max(earlier, later)) }
                }
                return
            }
            var literals: [SegmentAlgebra.Bytes: [Int]] = [:]
            var literalOrder: [SegmentAlgebra.Bytes] = []
            var holes: [Int] = []
            for member in members {
                if case .literal(let text) = group[member].segments[position] {
                    if literals[text] == nil { literalOrder.append(text) }
                    literals[text, default: []].append(member)
                } else {
                    holes.append(member)
                }
            }
            for text in literalOrder {
                let meeting = holes.filter { SegmentAlgebra.common(.literal(text), group[$0].segments[position]) != nil }
                split((literals[text]! + meeting).sorted(), at: position + 1)
            }
            split(holes, at: position + 1)
        }
        split(Array(group.indices), at: 1)
        for pair in candidates.sorted() {
            reportOverlap(group[pair >> 32], group[pair & 0xFFFF_FFFF])
        }
    }

    /// Groups up to this size are compared pair by pair (at most 496 cheap comparisons).
    static let pairwiseGroupSize = 32

    private mutating func reportLeadingHole(_ pattern: KeyPattern, _ what: String) {
        diagnostics.report(
            .patternStartsWithHole, at: pattern.location, "\(what) starts with a param instead of a literal segment",
            hint: "start it with a literal such as the service name: 'service:\(pattern.text)'")
    }

    private mutating func reportOverlap(_ earlierPlaced: PlacedFamily, _ laterPlaced: PlacedFamily) {
        let (earlier, later) = (family(earlierPlaced), family(laterPlaced))
        let where_ = earlierPlaced.service == laterPlaced.service
            ? "" : " of the service '\(serviceName(earlierPlaced))'"
        let related = [RelatedLocation(earlier.pattern.location, "'\(earlier.name.value)' is declared here")]
        if SegmentAlgebra.sameKeys(earlierPlaced.segments, laterPlaced.segments) {
            diagnostics.report(
                .duplicateKeyFamily, at: later.pattern.location,
                "the key family '\(later.name.value)' has the same keys as '\(earlier.name.value)'\(where_) ('\(earlier.pattern.text)')",
                hint: "merge the two families, or give each a distinct literal segment", related: related)
        } else if let witness = SegmentAlgebra.overlap(earlierPlaced.segments, laterPlaced.segments) {
            diagnostics.report(
                .keyOverlap, at: later.pattern.location,
                "the key family '\(later.name.value)' can produce the same key as '\(earlier.name.value)'\(where_), e.g. '\(witness)'",
                hint: "give each family a distinct literal segment, or use param types that cannot collide (uuid, int)",
                related: related)
        }
    }

    private mutating func checkPatternInvalidation(
        _ glob: KeyPattern, in service: Service, at serviceIndex: Int, reach: FamilyReach,
        byPrefix: [SegmentAlgebra.Bytes: [PlacedFamily]], indexes: [SegmentAlgebra.Bytes: SegmentIndex]
    ) {
        guard let segments = reach.resolve(glob) else { return }
        guard case .literal(let prefix) = segments[0] else {
            reportLeadingHole(glob, "the invalidation pattern '\(glob.text)'")
            return
        }
        var matchesOwn = false
        var reportedServices = Set<Int>()
        func test(_ placed: PlacedFamily) {
            guard SegmentAlgebra.globMatches(segments, placed.segments) else { return }
            if placed.service == serviceIndex {
                matchesOwn = true
            } else if reportedServices.insert(placed.service).inserted, let witness = SegmentAlgebra.globMatch(segments, placed.segments) {
                let family = family(placed)
                diagnostics.report(
                    .patternCrossesService, at: glob.location,
                    "the invalidation pattern '\(glob.text)' can match keys of '\(family.name.value)' in the service '\(serviceName(placed))', e.g. '\(witness)'",
                    hint: "narrow the pattern with a literal segment only this service's keys use",
                    related: [RelatedLocation(family.pattern.location, "'\(family.name.value)' is declared here")])
            }
        }
        let bucket = byPrefix[prefix] ?? []
        if let index = indexes[prefix] {
            for candidate in index.candidates(for: segments) { test(bucket[candidate]) }
        } else {
            for placed in bucket { test(placed) }
        }
        if !matchesOwn {
            diagnostics.report(
                .patternMatchesNothing, at: glob.location,
                "the invalidation pattern '\(glob.text)' matches no key family of the service '\(service.name.value)', so it deletes nothing",
                // A glob is compared with every pattern, which may be long: charged by its length.
                hint: spendSuggestionBudget(service.keys.count * max(1, glob.text.utf8.count / 4))
                    ? Self.patternHint(glob, in: service) : "compare it with the key patterns of the service '\(service.name.value)'")
        }
    }

    /// The closest of the service's key patterns, written as the glob the user probably meant: the
    /// family's pattern with the glob's own holes kept where the names agree and `*` for the rest.
    static func patternHint(_ glob: KeyPattern, in service: Service) -> String {
        let globHoles = Set(glob.params)
        let candidates = service.keys.map { family in
            family.pattern.segments.map { segment -> String in
                switch segment {
                case .literal(let text): text
                case .hole(let name): globHoles.contains(name) ? "{\(name)}" : "*"
                case .wildcard: "*"
                }
            }.joined(separator: ":")
        }
        guard let closest = Suggestions.closest(to: glob.text, in: candidates) ?? Suggestions.nearest(to: glob.text, in: candidates) else {
            return "the service declares no key families"
        }
        return "did you mean '\(closest)'? The service's key patterns: " + service.keys.map { "'\($0.pattern.text)'" }.joined(separator: ", ")
    }

    private mutating func checkTagInvalidation(_ tag: KeyPattern, in service: Service, reach: FamilyReach) {
        guard let segments = reach.resolve(tag) else { return }
        if !reach.carriesTag(segments) {
            let allTags = service.keys.flatMap { $0.tags.map(\.text) }
            diagnostics.report(
                .patternMatchesNothing, at: tag.location,
                "the tag '\(tag.text)' is carried by no key family of the service '\(service.name.value)'",
                hint: suggestion(for: tag.text, in: allTags) ?? "add it to the 'tags:' of the families it should drop")
        }
    }
}
