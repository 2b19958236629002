/// Staleness: an event that mutates an entity must invalidate every key that depends on it.
///
/// Findings are grouped by service and entity: one warning names the entity, the events that
/// mutate it without the service dropping what depends on it, those families, and the worst
/// staleness bound. A platform that shares entity names across many services (a `user` every
/// service depends on, mutated by every service's events) gets one warning per service and entity
/// instead of one per event and family, and the work is the same shape.
extension Checker {
    /// One staleness gap: in a service, the events that mutate `entity` without invalidating the
    /// `families` that depend on it (each with the `dependsOn` entry that links it).
    struct Gap {
        let entity: String
        /// The entity's mutators, in declaration order.
        let mutators: [String]
        var families: [(family: KeyFamily, link: Located<String>)] = []
        /// Positions in `mutators` of the events the gap is stale on, in the order found.
        private var positions: [Int32] = []
        /// By position in `mutators`: whether `positions` holds it.
        private var named: [Bool]

        init(entity: String, mutators: [String]) {
            self.entity = entity
            self.mutators = mutators
            named = [Bool](repeating: false, count: mutators.count)
        }

        /// The events, in the order found.
        var events: LazyMapCollection<[Int32], String> { positions.lazy.map { mutators[Int($0)] } }

        /// Whether a family whose reactions cover the mutators at `covered` (distinct positions)
        /// adds an event: some mutator is neither covered nor named yet.
        func gainsEvents(besides covered: [Int]) -> Bool {
            covered.reduce(0) { $0 + (named[$1] ? 0 : 1) } < mutators.count - positions.count
        }

        /// Adds, in order, every mutator not named yet whose position is not in `covered`
        /// (distinct, ascending).
        mutating func add(besides covered: [Int]) {
            var next = covered.startIndex
            for position in named.indices {
                if next < covered.endIndex, covered[next] == position {
                    next += 1
                } else if !named[position] {
                    named[position] = true
                    positions.append(Int32(position))
                }
            }
        }
    }

    mutating func checkStaleness(_ service: Service, reach: FamilyReach) {
        for gap in gaps(in: service, reach: reach) {
            reportStale(gap, in: service)
        }
    }

    /// The service's gaps, by entity in the order families first depend on them.
    ///
    /// Events are compared by position among each entity's mutators, never hashed per family: a
    /// platform where every service's events mutate the same shared entities has a thousand
    /// mutators per entity, and every family that depends on one meets all of them.
    func gaps(in service: Service, reach: FamilyReach) -> [Gap] {
        var byEntity: [String: Int] = [:]
        var gaps: [Gap] = []
        // The service's reactions by event, resolved once instead of once per family and event.
        var actionsByEvent: [String: [ResolvedTarget]] = [:]
        for invalidation in service.invalidations {
            actionsByEvent[invalidation.event.value, default: []].append(contentsOf: invalidation.actions.map { resolve($0.target, in: service, reach: reach) })
        }
        // The positions, among the current entity's mutators, of the events whose reaction drops
        // the family: one buffer for the whole service.
        var covered: [Int] = []
        for (index, family) in service.keys.enumerated() where !family.dependsOn.isEmpty {
            let resolved = ResolvedFamily(pattern: reach.patterns[index], tags: reach.tags(of: index))
            for entity in family.dependsOn {
                guard let events = mutators[entity.value] else { continue }
                let count = events.names.count
                // Only events the service reacts to can cover the family: whichever side is smaller
                // is walked, so neither many mutators nor many reactions make this quadratic.
                covered.removeAll(keepingCapacity: true)
                if count <= actionsByEvent.count {
                    for (position, event) in events.names.enumerated() where covers(actionsByEvent[event] ?? [], family, resolved) {
                        covered.append(position)
                    }
                } else {
                    for (event, actions) in actionsByEvent {
                        if let position = events.firstIndex(of: event), covers(actions, family, resolved) { covered.append(position) }
                    }
                    covered.sort()
                }
                guard covered.count < count else { continue }
                let index = byEntity[entity.value] ?? {
                    gaps.append(Gap(entity: entity.value, mutators: events.names))
                    byEntity[entity.value] = gaps.count - 1
                    return gaps.count - 1
                }()
                // After a gap's first family, a family usually adds no event: then the mutators are not walked.
                if gaps[index].gainsEvents(besides: covered) { gaps[index].add(besides: covered) }
                // A family's entries are made together (one family at a time): a repeat is the last one.
                if gaps[index].families.last?.family !== family { gaps[index].families.append((family, entity)) }
            }
        }
        return gaps
    }

    /// An invalidation's target with its templates resolved (`nil` segments: a param is unknown,
    /// already reported, so the target is taken to cover everything rather than warn twice).
    private enum ResolvedTarget {
        case key(family: String, ownService: Bool)
        case tag([SegmentAlgebra.Segment]?)
        case pattern([SegmentAlgebra.Segment]?)
    }

    private struct ResolvedFamily {
        let pattern: [SegmentAlgebra.Segment]?
        let tags: ArraySlice<[SegmentAlgebra.Segment]?>
    }

    private func resolve(_ target: InvalidationAction.Target, in service: Service, reach: FamilyReach) -> ResolvedTarget {
        switch target {
        case .key(let qualifier, let name): .key(family: name.value, ownService: qualifier == nil || qualifier!.value == service.name.value)
        case .tag(let tag): .tag(reach.resolve(tag))
        case .pattern(let glob): .pattern(reach.resolve(glob))
        }
    }

    /// The staleness gaps of every service, for the program (the graph draws them).
    static func stalenessGaps(_ services: [Service], references: [Service] = []) -> [String: [StaleGap]] {
        let checker = Checker(services, references: references)
        var result: [String: [StaleGap]] = [:]
        for (service, reach) in zip(checker.services, checker.reach) {
            result[service.name.value] = checker.gaps(in: service, reach: reach).map { gap in
                StaleGap(
                    entity: gap.entity, events: Array(gap.events.prefix(StaleGap.maxEvents)), eventCount: gap.events.count,
                    families: gap.families.map(\.family.name.value), bound: worstBound(gap, in: service))
            }
        }
        return result
    }

    private static func worstBound(_ gap: Gap, in service: Service) -> PolicyDuration? {
        gap.families.compactMap { $0.family.ttl(under: service.defaults)?.value }.max { $0.milliseconds < $1.milliseconds }
    }

    /// At most this many events are named in a message; the rest are counted.
    static let eventsNamed = 5

    private mutating func reportStale(_ gap: Gap, in service: Service) {
        let bound = Self.worstBound(gap, in: service).map { "up to \($0)" } ?? "until their TTL"
        let names = gap.families.map(\.family.name.value)
        let what = names.count == 1
            ? "the key family '\(names[0])'"
            : "\(names.count) key families (\(names.map { "'\($0)'" }.joined(separator: ", ")))"
        let shown = gap.events.prefix(Self.eventsNamed).map { "'\($0)'" }.joined(separator: ", ")
        let events = gap.events.count <= Self.eventsNamed ? shown : "\(shown) and \(gap.events.count - Self.eventsNamed) more events"
        let mutate = gap.events.count == 1 ? "mutates" : "mutate"
        diagnostics.report(
            .staleOnEvent, at: gap.families[0].link.location,
            "\(events) \(mutate) '\(gap.entity)', but the service '\(service.name.value)' does not invalidate \(what) on \(gap.events.count == 1 ? "it" : "them"); entries may be stale for \(bound)",
            hint: "add \(names.map { "'- \($0)'" }.joined(separator: ", ")) (or a tag or pattern that covers \(names.count == 1 ? "it" : "them")) under 'invalidate: \(gap.events[0]):'\(gap.events.count > 1 ? " and the other events" : ""), or remove the dependency if it is not real",
            related: gap.families.dropFirst().map { RelatedLocation($0.link.location, "'\($0.family.name.value)' depends on '\(gap.entity)' here") })
    }

    /// Whether the service's reaction to an event (its `actions`) drops the family's keys: by name,
    /// by a tag the family carries, or by a pattern that covers its pattern.
    private func covers(_ actions: [ResolvedTarget], _ family: KeyFamily, _ resolved: ResolvedFamily) -> Bool {
        actions.contains { action in
            switch action {
            case .key(let name, let ownService):
                return ownService && name == family.name.value
            case .tag(let tag):
                guard let tag else { return true }
                return resolved.tags.contains { carried in carried.map { SegmentAlgebra.globCovers(tag, $0) } ?? true }
            case .pattern(let glob):
                guard let glob, let pattern = resolved.pattern else { return true }
                return SegmentAlgebra.globCovers(glob, pattern)
            }
        }
    }
}
