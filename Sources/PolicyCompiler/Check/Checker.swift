/// A declared event and the service that produces it: one shared box, since every rule that
/// reads an invalidation looks its event up.
final class DeclaredEvent: Sendable {
    let event: Event
    let producer: String

    init(event: Event, producer: String) {
        self.event = event
        self.producer = producer
    }
}

/// Runs the semantic rules over all decoded services at once (references cross files). Its only
/// output is diagnostics; the ``ProgramBuilder`` builds the program afterwards, when none is an
/// error. Each rule family lives in its own file.
public struct Checker: Sendable {
    var diagnostics = DiagnosticBag()
    /// Services with unique names, in input order; duplicates are reported and left out.
    let services: [Service]
    let serviceByName: [String: Service]
    /// Every declared event with its producer.
    let events: [String: DeclaredEvent]
    /// Events declared somewhere but not decodable; references to them are not reported.
    let undecodableEvents: Set<String>
    /// Entity → events that mutate it.
    let mutators: [String: [String]]
    /// Each of `services`' families and tags resolved against its params, by the same index:
    /// resolved once here, read by every rule.
    let reach: [FamilyReach]
    /// Services read only for their events (`--reference`, `references:`): nothing else of them
    /// is checked or generated.
    let referenceServices: Set<String>

    /// Every finding of every rule over `services`; `references` only contribute their events.
    /// With a `limit`, at most that many findings are kept (counts stay exact), so memory does not
    /// grow with the number of findings.
    public static func check(_ services: [Service], references: [Service] = [], limit: Int? = nil) -> DiagnosticBag {
        var checker = Checker(services, references: references)
        var bag = DiagnosticBag(limit: limit)
        bag.append(contentsOf: checker.diagnostics.diagnostics)
        checker.diagnostics = bag
        checker.run()
        return checker.diagnostics
    }

    /// Whether generated code contains the event: it is produced or consumed by a checked service.
    func isGenerated(_ event: String) -> Bool {
        guard let producer = events[event]?.producer else { return false }
        return !referenceServices.contains(producer) || services.contains { $0.invalidations.contains { $0.event.value == event } }
    }

    init(_ all: [Service], references: [Service] = []) {
        var diagnostics = DiagnosticBag()
        var unique: [Service] = []
        var byName: [String: Service] = [:]
        for service in all {
            if let first = byName[service.name.value] {
                diagnostics.report(
                    .duplicateService, at: service.name.location,
                    "the service '\(service.name.value)' is also declared in \(first.file)",
                    hint: "service names are unique across policy files",
                    related: [RelatedLocation(first.name.location, "first declared here")])
                continue
            }
            byName[service.name.value] = service
            unique.append(service)
        }
        var events: [String: DeclaredEvent] = [:]
        var mutators: [String: [String]] = [:]
        // A reference to a service that is also checked here adds nothing.
        let referenced = references.filter { byName[$0.name.value] == nil }
        var referenceNames = Set<String>()
        for service in referenced where referenceNames.insert(service.name.value).inserted {
            byName[service.name.value] = service
        }
        for service in [unique, referenced].joined() {
            for event in service.events {
                if let first = events[event.name.value] {
                    // The same event seen again in another copy of a referenced policy is not news.
                    if referenceNames.contains(service.name.value), first.producer == service.name.value { continue }
                    diagnostics.report(
                        .duplicateEvent, at: event.name.location,
                        "the event '\(event.name.value)' is already declared by the service '\(first.producer)'",
                        hint: "declare an event once, in its producer; consumers reference it under 'invalidate:'",
                        related: [RelatedLocation(first.event.name.location, "first declared here")])
                    continue
                }
                events[event.name.value] = DeclaredEvent(event: event, producer: service.name.value)
                for entity in event.mutates { mutators[entity.value, default: []].append(event.name.value) }
            }
        }
        self.diagnostics = diagnostics
        self.services = unique
        self.serviceByName = byName
        self.events = events
        self.referenceServices = referenceNames
        self.undecodableEvents = Set([unique, referenced].joined().flatMap { service in
            service.undecodable.filter { $0.hasPrefix("event:") }.map { String($0.dropFirst("event:".count)) }
        })
        self.mutators = mutators
        self.reach = ParallelMap.map(unique) { FamilyReach($0) }
    }

    /// The rules as independent jobs: the per-service rules in chunks of services, and each
    /// whole-platform rule (keyspace, generated names) on its own. Rules only read the decoded services and report findings,
    /// so the jobs run on all cores, each into its own bag; bags merge in job order and the
    /// final report is sorted, so the output is the same as one thread's.
    private enum Job: Sendable {
        case services(Range<Int>)
        case keyspace, generatedNames
    }

    private mutating func run() {
        let chunkSize = max(1, services.count / 16)
        let chunks = stride(from: 0, to: services.count, by: chunkSize).map { .services($0..<min($0 + chunkSize, services.count)) as Job }
        let jobs = [Job.keyspace, .generatedNames] + chunks
        var base = self
        base.diagnostics = DiagnosticBag(limit: diagnostics.limit)
        let shared = base
        let bags = ParallelMap.map(jobs) { job in
            var checker = shared
            checker.perform(job)
            return checker.diagnostics
        }
        for bag in bags { diagnostics.merge(bag) }
    }

    private mutating func perform(_ job: Job) {
        switch job {
        case .services(let range):
            for index in range {
                let service = services[index]
                checkParams(service)
                checkInvalidations(service, reach: reach[index])
                checkWarmups(service)
                checkDependencies(service)
                checkSanity(service)
                checkSlots(service, reach: reach[index])
                checkStaleness(service, reach: reach[index])
                checkPatternIndexes(service, reach: reach[index])
                checkBlastRadius(service, reach: reach[index])
            }
        case .keyspace: checkKeyspace()
        case .generatedNames: checkGeneratedNames()
        }
    }

    // MARK: Shared lookups

    /// The params an invalidation target uses.
    static func neededParams(_ target: InvalidationAction.Target, in service: Service) -> [String]? {
        switch target {
        case .key(_, let family): service.keys.first { $0.name.value == family.value }?.pattern.params
        case .tag(let tag): tag.params
        case .pattern(let glob): glob.params
        }
    }

    /// param → payload field: explicit `bind:` entries, otherwise the field of the same name.
    static func bindings(for action: InvalidationAction, needed: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for param in needed {
            result[param] = action.bind.first { $0.param.value == param }?.field.value ?? param
        }
        return result
    }

    /// The family a key reference names in `service`, reporting unknown and cross-service references.
    mutating func resolveFamily(
        service qualifier: Located<String>?, family: Located<String>, in service: Service, purpose: String
    ) -> KeyFamily? {
        if let qualifier, qualifier.value != service.name.value {
            if serviceByName[qualifier.value] == nil {
                diagnostics.report(
                    .unknownService, at: qualifier.location, "there is no service named '\(qualifier.value)'",
                    hint: Suggestions.hint(for: qualifier.value, in: serviceByName.keys))
            } else {
                diagnostics.report(
                    .crossServiceKey, at: qualifier.location,
                    "the service '\(service.name.value)' cannot \(purpose) '\(qualifier.value).\(family.value)', which the service '\(qualifier.value)' owns",
                    hint: "move this into \(serviceByName[qualifier.value]!.file), which owns the key family")
            }
            return nil
        }
        if let found = service.keys.first(where: { $0.name.value == family.value }) { return found }
        if !service.undecodable.contains("key:\(family.value)") {
            var hint = Suggestions.hint(for: family.value, in: service.keys.map(\.name.value))
            if hint == nil, let owner = services.first(where: { $0.keys.contains { $0.name.value == family.value } }) {
                hint = "'\(family.value)' is a key family of the service '\(owner.name.value)'; a service can only \(purpose) its own keys"
            }
            diagnostics.report(
                .unknownKeyFamily, at: family.location,
                "the service '\(service.name.value)' has no key family '\(family.value)'", hint: hint)
        }
        return nil
    }

    /// Reports an unknown event name; returns the event when it exists.
    mutating func resolveEvent(_ name: Located<String>) -> Event? {
        if let found = events[name.value] { return found.event }
        if !undecodableEvents.contains(name.value) {
            diagnostics.report(
                .unknownEvent, at: name.location, "no service declares the event '\(name.value)'",
                hint: Suggestions.hint(for: name.value, in: events.keys)
                    ?? "declare it under 'events:' in the policy of the service that produces it")
        }
        return nil
    }
}
