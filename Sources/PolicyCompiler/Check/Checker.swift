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
    /// Entity → the events that mutate it, in declaration order, each once (found by position).
    let mutators: [String: NameIndex]
    /// Each of `services`' families and tags resolved against its params, by the same index:
    /// resolved once here, read by every rule.
    let reach: [FamilyReach]
    /// Services read only for their events (`--reference`, `references:`): nothing else of them
    /// is checked or generated.
    let referenceServices: Set<String>
    /// The top-level Swift names generated code declares (service namespaces, event types).
    let topLevelNames: [String: GeneratedName]
    /// How many key families `services` declare in all.
    let familyCount: Int
    /// What "did you mean …?" hints may still cost while checking the current service, in
    /// comparisons of a name with a candidate (reset per service; see ``suggestion(for:in:)``).
    var suggestionBudget = Checker.suggestionComparisons
    /// Each service's allowance for hints: plenty for any real policy, while a hostile one (tens
    /// of thousands of misspelt names among tens of thousands of candidates) cannot make checking
    /// quadratic. The order rules run in is fixed, so which hints are left out is deterministic.
    static let suggestionComparisons = 500_000

    /// Every finding of every rule over `services`; `references` only contribute their events.
    /// With a `limit`, at most that many findings are kept (counts stay exact), so memory does not
    /// grow with the number of findings.
    public static func check(_ services: [Service], references: [Service] = [], limit: Int? = nil) -> DiagnosticBag {
        let (diagnostics, reach) = {
            var checker = Checker(services, references: references)
            var bag = DiagnosticBag(limit: limit)
            bag.append(contentsOf: checker.diagnostics.diagnostics)
            checker.diagnostics = bag
            checker.run()
            return (checker.diagnostics, checker.reach)
        }()
        // Every family's resolved patterns: dropped on all cores, like the services they came from.
        ParallelMap.release(consume reach)
        return diagnostics
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
                // An entity listed twice by one event counts once: its previous entry is this event's.
                for entity in event.mutates where mutators[entity.value]?.last != event.name.value {
                    mutators[entity.value, default: []].append(event.name.value)
                }
            }
        }
        self.services = unique
        self.serviceByName = byName
        self.events = events
        self.referenceServices = referenceNames
        self.undecodableEvents = Set([unique, referenced].joined().flatMap { service in
            service.undecodable.filter { $0.hasPrefix("event:") }.map { String($0.dropFirst("event:".count)) }
        })
        self.mutators = mutators.mapValues(NameIndex.init)
        // Each service's reach and the platform's top-level names are independent: made side by side.
        enum Prepared: Sendable {
            case reach(FamilyReach)
            case names([String: GeneratedName], DiagnosticBag)
        }
        let (declared, checked, referenceOnly) = (events, unique, referenceNames)
        let prepared = ParallelMap.map([-1] + Array(unique.indices)) { index -> Prepared in
            guard index < 0 else { return .reach(FamilyReach(checked[index])) }
            var bag = DiagnosticBag()
            // Generated code contains an event produced or consumed by a checked service.
            let names = Self.topLevelNames(of: checked, events: Array(declared.values), isGenerated: { event in
                guard let producer = declared[event]?.producer else { return false }
                return !referenceOnly.contains(producer) || checked.contains { $0.invalidations.contains { $0.event.value == event } }
            }, diagnostics: &bag)
            return .names(names, bag)
        }
        var reach: [FamilyReach] = []
        reach.reserveCapacity(unique.count)
        var topLevelNames: [String: GeneratedName] = [:]
        for item in prepared {
            switch item {
            case .reach(let one): reach.append(one)
            case .names(let names, let bag):
                topLevelNames = names
                diagnostics.merge(bag)
            }
        }
        self.reach = reach
        familyCount = reach.reduce(0) { $0 + $1.families.count }
        self.topLevelNames = topLevelNames
        self.diagnostics = diagnostics
    }

    /// The rules as independent jobs: the per-service rules in chunks of services, and the
    /// whole-platform keyspace rule on its own. Rules only read the decoded services and report findings,
    /// so the jobs run on all cores, each into its own bag; bags merge in job order and the
    /// final report is sorted, so the output is the same as one thread's.
    private enum Job: Sendable {
        case services(Range<Int>)
        case keyspace
    }

    private mutating func run() {
        let chunkSize = max(1, services.count / 16)
        let chunks = stride(from: 0, to: services.count, by: chunkSize).map { .services($0..<min($0 + chunkSize, services.count)) as Job }
        let jobs = [Job.keyspace] + chunks
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
                suggestionBudget = Self.suggestionComparisons
                checkParams(service, reach: reach[index])
                checkInvalidations(service, reach: reach[index])
                checkWarmups(service, reach: reach[index])
                checkDependencies(service)
                checkSanity(service, reach: reach[index])
                checkSlots(service, reach: reach[index])
                checkStaleness(service, reach: reach[index])
                checkPatternIndexes(service, reach: reach[index])
                checkBlastRadius(service, reach: reach[index])
                checkGeneratedNames(service)
            }
        case .keyspace: checkKeyspace()
        }
    }

    // MARK: Shared lookups

    /// The params an invalidation target uses.
    static func neededParams(_ target: InvalidationAction.Target, reach: FamilyReach) -> [String]? {
        switch target {
        case .key(_, let family): reach.family(named: family.value)?.pattern.params
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
        service qualifier: Located<String>?, family: Located<String>, in service: Service, reach: FamilyReach, purpose: String
    ) -> KeyFamily? {
        if let qualifier, qualifier.value != service.name.value {
            if serviceByName[qualifier.value] == nil {
                diagnostics.report(
                    .unknownService, at: qualifier.location, "there is no service named '\(qualifier.value)'",
                    hint: suggestion(for: qualifier.value, in: serviceByName.keys))
            } else {
                diagnostics.report(
                    .crossServiceKey, at: qualifier.location,
                    "the service '\(service.name.value)' cannot \(purpose) '\(qualifier.value).\(family.value)', which the service '\(qualifier.value)' owns",
                    hint: "move this into \(serviceByName[qualifier.value]!.file), which owns the key family")
            }
            return nil
        }
        if let found = reach.family(named: family.value) { return found }
        if !service.undecodable.contains("key:\(family.value)") {
            var hint = suggestion(for: family.value, in: service.keys.lazy.map(\.name.value))
            // Which service owns it: a search of every family, paid for from the same budget.
            if hint == nil, spendSuggestionBudget(familyCount),
               let owner = services.first(where: { $0.keys.contains { $0.name.value == family.value } }) {
                hint = "'\(family.value)' is a key family of the service '\(owner.name.value)'; a service can only \(purpose) its own keys"
            }
            diagnostics.report(
                .unknownKeyFamily, at: family.location,
                "the service '\(service.name.value)' has no key family '\(family.value)'", hint: hint)
        }
        return nil
    }

    /// `did you mean …?` for `name` among `candidates`, while the service's budget pays for
    /// comparing it with each of them; `nil` when nothing is close, or the budget is spent.
    mutating func suggestion<C: Collection>(for name: String, in candidates: C) -> String? where C.Element == String {
        spendSuggestionBudget(candidates.count) ? Suggestions.hint(for: name, in: candidates) : nil
    }

    /// Takes `comparisons` from the service's budget for hints, if it has that many left.
    mutating func spendSuggestionBudget(_ comparisons: Int) -> Bool {
        guard comparisons <= suggestionBudget else { return false }
        suggestionBudget -= comparisons
        return true
    }

    /// Reports an unknown event name; returns the event when it exists.
    mutating func resolveEvent(_ name: Located<String>) -> Event? {
        if let found = events[name.value] { return found.event }
        if !undecodableEvents.contains(name.value) {
            diagnostics.report(
                .unknownEvent, at: name.location, "no service declares the event '\(name.value)'",
                hint: suggestion(for: name.value, in: events.keys)
                    ?? "declare it under 'events:' in the policy of the service that produces it")
        }
        return nil
    }
}
