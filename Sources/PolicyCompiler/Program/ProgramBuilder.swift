/// Builds the ``Program`` from checked services: applies defaults (through `ResolvedDefaults`)
/// and binds references. Runs only when the checker found no errors, so names are unique and
/// lookups here cannot fail.
enum ProgramBuilder {
    /// `references` contribute the events the services consume, so their payload types are generated.
    static func build(_ services: [Service], references: [Service] = []) -> Program {
        var consumers: [String: Set<String>] = [:]
        for service in services {
            for invalidation in service.invalidations {
                consumers[invalidation.event.value, default: []].insert(service.name.value)
            }
        }
        let names = Set(services.map(\.name.value))
        let referencedEvents = references.filter { !names.contains($0.name.value) }.map { service in
            (service, service.events.filter { consumers[$0.name.value] != nil })
        }
        var seen = Set<String>()
        let events = (services.map { ($0, $0.events) } + referencedEvents).flatMap { service, events in
            events.filter { seen.insert($0.name.value).inserted }.map { event in
                EventProgram(
                    name: event.name.value, producer: service.name.value, location: event.name.location,
                    description: event.description, payload: event.payload,
                    mutates: event.mutates.map(\.value), consumers: consumers[event.name.value, default: []].sorted())
            }
        }.sorted { $0.name < $1.name }
        let staleness = Checker.stalenessGaps(services, references: references)
        let programs = services.map { service -> ServiceProgram in
            var program = self.service(service)
            program.staleness = staleness[service.name.value] ?? []
            return program
        }
        return Program(services: programs.sorted { $0.name < $1.name }, events: events)
    }

    private static func service(_ service: Service) -> ServiceProgram {
        func typed(_ names: [String]) -> [Param] {
            names.map { name in service.params.first { $0.name.value == name }! }
        }
        let families = service.keys.map { family -> KeyFamilyProgram in
            let keyParams = family.pattern.params
            let tagOnly = family.tags.flatMap(\.params).reduce(into: [String]()) { result, name in
                if !keyParams.contains(name), !result.contains(name) { result.append(name) }
            }
            let codec = family.codec(under: service.defaults)
            return KeyFamilyProgram(
                name: family.name.value, location: family.name.location, description: family.description,
                pattern: family.pattern, keyParams: typed(keyParams), tagOnlyParams: typed(tagOnly),
                ttl: family.ttl(under: service.defaults)!.value,
                jitter: family.jitter(under: service.defaults),
                codec: codec,
                valueType: family.value?.value ?? codec.builtinValueType ?? "String",
                compression: family.compression(under: service.defaults)?.value ?? BuiltinDefaults.compression,
                tags: family.tags, dependsOn: family.dependsOn.map(\.value),
                nearCacheEntries: family.nearCache?.value, keyVersion: family.keyVersion?.value ?? 1,
                sliding: family.sliding?.value ?? false, readFromReplica: family.readFrom?.value == .replica,
                maxAge: family.maxAge?.value, refreshAhead: family.refreshAhead?.value)
        }
        let reach = FamilyReach(service)
        let placement = SlotPlacement(service, reach: reach)
        var indexes: [String: [KeyPattern]] = [:]
        var indexSlots: [String: [String: Int]] = [:]
        for invalidation in service.invalidations {
            for action in invalidation.actions where !action.scan {
                guard case .pattern(let glob) = action.target else { continue }
                for family in reach.families(action.target) {
                    guard let template = PatternIndex.template(glob, for: family.pattern) else { continue }
                    if !indexes[family.name.value, default: []].contains(where: { $0.text == template.text }) {
                        indexes[family.name.value, default: []].append(template)
                        indexSlots[family.name.value, default: [:]][template.text] = placement.patterns[glob.text]
                    }
                }
            }
        }
        let keys = families.map { family -> KeyFamilyProgram in
            var family = family
            family.indexes = indexes[family.name] ?? []
            family.indexSlots = indexSlots[family.name] ?? [:]
            family.slotSegment = placement.families[family.name]
            family.slot = family.slotSegment.map { position in
                if case .hole(let name) = family.pattern.segments[position] { return name }
                return ""
            }
            return family
        }
        let reactions = service.invalidations.map { invalidation in
            Reaction(
                event: invalidation.event.value, location: invalidation.event.location,
                actions: invalidation.actions.map { action in
                    let needed = Checker.neededParams(action.target, reach: reach) ?? []
                    let target: ResolvedAction.Target
                    switch action.target {
                    case .key(_, let family): target = .key(family: family.value)
                    case .tag(let tag): target = .tag(tag)
                    case .pattern(let glob): target = .pattern(glob)
                    }
                    return ResolvedAction(
                        target: target, bindings: Checker.bindings(for: action, needed: needed), location: action.location,
                        reaches: reach.families(action.target).map(\.name.value), scan: action.scan)
                })
        }.sorted { $0.event < $1.event }
        let warmups = service.warmups.map { job in
            WarmupProgram(
                name: job.name.value, location: job.name.location, description: job.description,
                keys: job.keys.map(\.family.value), source: job.source!.value,
                priority: job.priority?.value ?? BuiltinDefaults.priority, every: job.every?.value,
                after: job.after.map(\.value), batch: job.batch?.value ?? BuiltinDefaults.batch,
                concurrency: job.concurrency?.value ?? BuiltinDefaults.concurrency,
                retry: RetryPolicy(
                    attempts: job.retry?.attempts?.value ?? RetryPolicy.default.attempts,
                    backoff: job.retry?.backoff?.value ?? RetryPolicy.default.backoff,
                    max: job.retry?.max?.value ?? RetryPolicy.default.max))
        }
        return ServiceProgram(
            name: service.name.value, location: service.name.location, description: service.description,
            port: service.port?.value, memory: service.memory?.value, params: service.params, keys: keys,
            reactions: reactions, warmups: warmups, alerts: service.alerts,
            tagSlots: placement.tags, patternSlots: placement.patterns)
    }
}
