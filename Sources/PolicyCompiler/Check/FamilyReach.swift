/// Which of a service's key families an invalidation can drop entries of: a key by name, a tag
/// by the families carrying a tag that can render the same set, a pattern by the families it can
/// match. The families' patterns and tags are resolved once per service, not once per action.
/// The blast-radius rule and the program builder both ask here. A class: every rule is handed
/// it, and a copy of an immutable object is one retain instead of one per field.
final class FamilyReach: Sendable {
    let families: [KeyFamily]
    /// Each family's key pattern resolved (`nil`: it uses an undeclared param), by index in `families`.
    let patterns: [[SegmentAlgebra.Segment]?]
    /// Every family's tags resolved (`nil`: a tag uses an undeclared param), family after family
    /// in one array (see ``tags(of:)``): no array per family.
    private let allTags: [[SegmentAlgebra.Segment]?]
    /// Where each family's tags start in `allTags`, and after the last family, where they end:
    /// family `i`'s tags are `allTags[tagBounds[i]..<tagBounds[i + 1]]`.
    private let tagBounds: [Int]
    /// The service's params by name (the first declaration of a repeated name).
    let types: ParamTypes
    /// `families` by name, past a handful (a few are searched in place: no array to build).
    private let byName: NameIndex?
    /// In a service of many families: `patterns`, and every family's tags (their families in
    /// `tagOwners`), indexed so that a tag or pattern invalidation tests only its candidates.
    private let patternIndex: SegmentIndex?
    private let tagIndex: SegmentIndex?
    private let tagOwners: [Int]

    convenience init(_ service: Service) {
        self.init(service, types: ParamTypes(service.params))
    }

    /// With the service's params already gathered by name.
    init(_ service: Service, types: ParamTypes) {
        self.types = types
        families = service.keys
        byName = service.keys.count > NameIndex.linearLimit ? NameIndex(service.keys.map(\.name.value)) : nil
        patterns = service.keys.map { SegmentAlgebra.resolve($0.pattern, params: types) }
        // Families of a service usually carry the same few tags: each distinct one (by its bytes)
        // is resolved once and its segments shared; the previous family's tag is tried first.
        var resolvedTags: [SegmentAlgebra.Bytes: [SegmentAlgebra.Segment]?] = [:]
        var previous: (text: SegmentAlgebra.Bytes, segments: [SegmentAlgebra.Segment]?)?
        var allTags: [[SegmentAlgebra.Segment]?] = []
        var tagBounds = [0]
        allTags.reserveCapacity(service.keys.reduce(0) { $0 + $1.tags.count })
        tagBounds.reserveCapacity(service.keys.count + 1)
        for family in service.keys {
            for tag in family.tags {
                let text = SegmentAlgebra.Bytes(tag.text)
                if let previous, previous.text == text {
                    allTags.append(previous.segments)
                    continue
                }
                let resolved = resolvedTags[text] ?? {
                    let resolved = SegmentAlgebra.resolve(tag, params: types)
                    resolvedTags[text] = resolved
                    return resolved
                }()
                previous = (text, resolved)
                allTags.append(resolved)
            }
            tagBounds.append(allTags.count)
        }
        self.allTags = allTags
        self.tagBounds = tagBounds
        patternIndex = SegmentIndex(patterns)
        if patternIndex != nil {
            tagOwners = service.keys.indices.flatMap { family in repeatElement(family, count: tagBounds[family + 1] - tagBounds[family]) }
            tagIndex = SegmentIndex(allTags)
        } else {
            tagOwners = []
            tagIndex = nil
        }
    }

    /// The tags of the family at `index` in `families`, resolved, in its order.
    func tags(of index: Int) -> ArraySlice<[SegmentAlgebra.Segment]?> {
        allTags[tagBounds[index]..<tagBounds[index + 1]]
    }

    /// Whether some family carries a tag that can render the same set as `wanted` (a tag that
    /// uses an undeclared param counts: it might).
    func carriesTag(_ wanted: [SegmentAlgebra.Segment]) -> Bool {
        guard let tagIndex else {
            return allTags.contains { $0.map { SegmentAlgebra.overlaps(wanted, $0) } ?? true }
        }
        return tagIndex.candidates(for: wanted).contains { allTags[$0].map { SegmentAlgebra.overlaps(wanted, $0) } ?? true }
    }

    /// A pattern of this service with its holes' types; `nil` when a param is undeclared.
    func resolve(_ pattern: KeyPattern) -> [SegmentAlgebra.Segment]? {
        SegmentAlgebra.resolve(pattern, params: types)
    }

    /// The service's family named `name`, if it declares one.
    func family(named name: String) -> KeyFamily? {
        if let byName { return byName.firstIndex(of: name).map { families[$0] } }
        return families.first { $0.name.value == name }
    }

    /// The families `target` reaches, in declaration order; none when a param is unknown.
    func families(_ target: InvalidationAction.Target) -> [KeyFamily] {
        switch target {
        case .key(_, let name):
            return family(named: name.value).map { [$0] } ?? []
        case .tag(let tag):
            guard let wanted = resolve(tag) else { return [] }
            guard let tagIndex else {
                return families.indices.compactMap { index in
                    tags(of: index).contains { $0.map { SegmentAlgebra.overlaps(wanted, $0) } ?? false } ? families[index] : nil
                }
            }
            var reached: [Int] = []
            for entry in tagIndex.candidates(for: wanted) where allTags[entry].map({ SegmentAlgebra.overlaps(wanted, $0) }) ?? false {
                // Candidates ascend, and so do their owners: a family's tags are next to each other.
                if reached.last != tagOwners[entry] { reached.append(tagOwners[entry]) }
            }
            return reached.map { families[$0] }
        case .pattern(let glob):
            guard let wanted = resolve(glob) else { return [] }
            func reached(_ index: Int) -> KeyFamily? {
                patterns[index].map { SegmentAlgebra.globMatches(wanted, $0) } == true ? families[index] : nil
            }
            guard let patternIndex else { return families.indices.compactMap(reached) }
            return patternIndex.candidates(for: wanted).compactMap(reached)
        }
    }
}
