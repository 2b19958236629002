/// Staleness: an event that mutates an entity must invalidate every key that depends on it.
extension Checker {
    mutating func checkStaleness() {
        for service in services {
            for family in service.keys {
                var reported = Set<String>()
                for entity in family.dependsOn {
                    for eventName in mutators[entity.value] ?? [] where !reported.contains(eventName) {
                        if covers(service, eventName, family) { continue }
                        reported.insert(eventName)
                        let ttl = family.ttl?.value ?? service.defaults.ttl?.value
                        diagnostics.report(
                            .staleOnEvent, at: entity.location,
                            "'\(eventName)' mutates '\(entity.value)', but the service '\(service.name.value)' does not invalidate the key family '\(family.name.value)' on it; entries may be stale for up to \(ttl.map(\.description) ?? "their TTL")",
                            hint: "add '- \(family.name.value)' (or a tag or pattern that covers it) under 'invalidate: \(eventName):'")
                    }
                }
            }
        }
    }

    /// Whether the service's reaction to the event drops the family's keys: by name, by a tag the
    /// family carries, or by a pattern that covers its pattern.
    private func covers(_ service: Service, _ eventName: String, _ family: KeyFamily) -> Bool {
        let actions = service.invalidations.filter { $0.event.value == eventName }.flatMap(\.actions)
        return actions.contains { action in
            switch action.target {
            case .key(let qualifier, let name):
                return name.value == family.name.value && (qualifier == nil || qualifier!.value == service.name.value)
            case .tag(let tag):
                guard let tagSegments = segments(tag, in: service) else { return true }
                return family.tags.contains { carried in
                    segments(carried, in: service).map { SegmentAlgebra.globCovers(tagSegments, $0) } ?? true
                }
            case .pattern(let glob):
                guard let globSegments = segments(glob, in: service),
                      let familySegments = segments(family.pattern, in: service)
                else { return true }
                return SegmentAlgebra.globCovers(globSegments, familySegments)
            }
        }
    }
}
