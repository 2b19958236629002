/// Staleness: an event that mutates an entity must invalidate every key that depends on it.
/// Findings are grouped: one warning per event and service, naming every family it leaves stale
/// and the worst staleness bound, so a platform that shares entity names across many services gets
/// a readable list instead of one warning per family.
extension Checker {
    mutating func checkStaleness() {
        for service in services {
            for gap in gaps(in: service) {
                reportStale(gap.event, gap.findings, in: service)
            }
        }
    }

    /// Every event that leaves some of the service's families stale, with those families and the
    /// dependency linking each, in declaration order.
    func gaps(in service: Service) -> [(event: String, findings: [(family: KeyFamily, entity: Located<String>)])] {
        var stale: [String: [(family: KeyFamily, entity: Located<String>)]] = [:]
        var order: [String] = []
        // The service's reactions by event, looked up once instead of once per family.
        var actionsByEvent: [String: [InvalidationAction]] = [:]
        for invalidation in service.invalidations {
            actionsByEvent[invalidation.event.value, default: []].append(contentsOf: invalidation.actions)
        }
        for family in service.keys where !family.dependsOn.isEmpty {
            var seen = Set<String>()
            for entity in family.dependsOn {
                for eventName in mutators[entity.value] ?? [] where seen.insert(eventName).inserted {
                    if covers(actionsByEvent[eventName] ?? [], family, in: service) { continue }
                    if stale[eventName] == nil { order.append(eventName) }
                    stale[eventName, default: []].append((family, entity))
                }
            }
        }
        return order.map { ($0, stale[$0]!) }
    }

    /// The staleness gaps of every service, for the program (the graph draws them).
    static func stalenessGaps(_ services: [Service], references: [Service] = []) -> [String: [StaleGap]] {
        let checker = Checker(services, references: references)
        var result: [String: [StaleGap]] = [:]
        for service in checker.services {
            result[service.name.value] = checker.gaps(in: service).map { gap in
                StaleGap(
                    event: gap.event, families: gap.findings.map(\.family.name.value),
                    bound: gap.findings.compactMap { $0.family.ttl(under: service.defaults)?.value }.max { $0.milliseconds < $1.milliseconds })
            }
        }
        return result
    }

    private mutating func reportStale(_ eventName: String, _ findings: [(family: KeyFamily, entity: Located<String>)], in service: Service) {
        let first = findings[0]
        let entities = Array(Set(findings.map(\.entity.value))).sorted().map { "'\($0)'" }.joined(separator: ", ")
        let ttls = findings.map { $0.family.ttl(under: service.defaults)?.value }
        let worst = ttls.compactMap { $0 }.max { $0.milliseconds < $1.milliseconds }
        let bound = worst.map { "up to \($0)" } ?? "until their TTL"
        let names = findings.map(\.family.name.value)
        let what = names.count == 1
            ? "the key family '\(names[0])'"
            : "\(names.count) key families (\(names.map { "'\($0)'" }.joined(separator: ", ")))"
        diagnostics.report(
            .staleOnEvent, at: first.entity.location,
            "'\(eventName)' mutates \(entities), but the service '\(service.name.value)' does not invalidate \(what) on it; entries may be stale for \(bound)",
            hint: "add \(names.map { "'- \($0)'" }.joined(separator: ", ")) (or a tag or pattern that covers \(names.count == 1 ? "it" : "them")) under 'invalidate: \(eventName):'",
            related: findings.dropFirst().map { RelatedLocation($0.entity.location, "'\($0.family.name.value)' depends on '\($0.entity.value)' here") })
    }

    /// Whether the service's reaction to an event (its `actions`) drops the family's keys: by name,
    /// by a tag the family carries, or by a pattern that covers its pattern.
    private func covers(_ actions: [InvalidationAction], _ family: KeyFamily, in service: Service) -> Bool {
        actions.contains { action in
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
