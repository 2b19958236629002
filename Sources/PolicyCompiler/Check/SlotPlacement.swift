/// Where a service's keys carry a Redis Cluster hash tag (`{…}`): a family with `slot: userId`
/// renders that segment as `{<userId>}`, so every key with the same user hashes to one slot. The
/// sets its scripts touch with the entry must follow, or a cluster refuses the script
/// (`CROSSSLOT`): a tag set is braced at its `{userId}` when every family carrying that tag is
/// slotted by `userId`; an index set (and a `scan: true` pattern) at the position where every
/// family it reaches has its slot. The renderer and the checker read the same decisions, made
/// here once per service. Positions count `:`-separated segments from 0.
struct SlotPlacement {
    /// Family name → the segment its key braces.
    let families: [String: Int]
    /// Tag text → the segment its set key braces, when all its carriers agree.
    let tags: [String: Int]
    /// Invalidation pattern text → the segment its index-set key or scan glob braces, when every
    /// family it reaches agrees.
    let patterns: [String: Int]
    /// `scan: true` patterns that reach families with different hash-tag positions where the
    /// pattern has no `*`: no one glob can match all their keys.
    let conflicts: [(pattern: KeyPattern, families: [String])]

    init(_ service: Service, reach: FamilyReach) {
        // Without a slotted family nothing is braced (the common case, decided without the work).
        guard service.keys.contains(where: { $0.slot != nil }) else {
            (families, tags, patterns, conflicts) = ([:], [:], [:], [])
            return
        }
        var families: [String: Int] = [:]
        for family in service.keys {
            guard let slot = family.slot?.value, let position = family.pattern.segments.firstIndex(of: .hole(slot)) else { continue }
            families[family.name.value] = position
        }
        self.families = families

        // Tags: each text braced at its slot param when every carrier of that text has that slot.
        var tags: [String: Int] = [:]
        var texts: [String: KeyPattern] = [:]
        for family in service.keys {
            for tag in family.tags { texts[tag.text] = tag }
        }
        for (text, tag) in texts {
            let carriers = service.keys.filter { $0.tags.contains { $0.text == text } }
            let slots = Set(carriers.map { $0.slot?.value })
            guard slots.count == 1, let slot = slots.first ?? nil, let position = tag.segments.firstIndex(of: .hole(slot)) else { continue }
            tags[text] = position
        }
        // Two texts that can name the same set must render it the same way.
        let resolved = texts.compactMapValues { SegmentAlgebra.resolve($0, params: reach.types) }
        var changed = true
        while changed {
            changed = false
            for (a, x) in resolved {
                for (b, y) in resolved where a < b && tags[a] != tags[b] && SegmentAlgebra.overlap(x, y) != nil {
                    if tags[a] != nil || tags[b] != nil { changed = true }
                    tags[a] = nil
                    tags[b] = nil
                }
            }
        }
        self.tags = tags

        // Patterns: braced where every family reached has its hash tag, unless a `*` covers it.
        var patterns: [String: Int] = [:]
        var conflicts: [(KeyPattern, [String])] = []
        for invalidation in service.invalidations {
            for action in invalidation.actions {
                guard case .pattern(let glob) = action.target, patterns[glob.text] == nil else { continue }
                let reached = reach.families(action.target)
                guard !reached.isEmpty else { continue }
                let positions = Set(reached.map { families[$0.name.value] })
                if positions.count == 1, let position = positions.first ?? nil, position < glob.segments.count,
                   glob.segments[position] != .wildcard, !glob.segments[..<position].contains(.wildcard) {
                    patterns[glob.text] = position
                } else if action.scan, positions != [nil] {
                    // Keys of some families carry braces the glob cannot render for all of them,
                    // unless a `*` stands where (or before where) each slotted family has them.
                    let uncovered = reached.filter { family in
                        guard let position = families[family.name.value] else { return false }
                        return position < glob.segments.count && glob.segments[position] != .wildcard
                            && !glob.segments[..<position].contains(.wildcard)
                    }
                    if !uncovered.isEmpty { conflicts.append((glob, reached.map(\.name.value))) }
                }
            }
        }
        self.patterns = patterns
        self.conflicts = conflicts
    }
}
