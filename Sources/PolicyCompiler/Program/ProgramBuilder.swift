/// Builds the ``Program`` from checked services: applies defaults and binds references.
/// Runs only when the checker found no errors, so lookups here cannot fail.
struct ProgramBuilder {
    let checker: Checker

    init(_ checker: Checker) { self.checker = checker }

    /// Used when neither a key family nor `defaults` sets them.
    static let defaultJitter = Percent(0)
    static let defaultCodec = Codec.json
    static let defaultPriority = WarmupJob.Priority.medium
    static let defaultBatch = 100
    static let defaultConcurrency = 1

    func build() -> Program {
        var consumers: [String: Set<String>] = [:]
        for service in checker.services {
            for invalidation in service.invalidations {
                consumers[invalidation.event.value, default: []].insert(service.name.value)
            }
        }
        let services = checker.services.map(service).sorted { $0.name < $1.name }
        let events = checker.events.values.map { entry in
            EventProgram(
                name: entry.event.name.value, producer: entry.producer, location: entry.event.name.location,
                description: entry.event.description, payload: entry.event.payload,
                mutates: entry.event.mutates.map(\.value), consumers: consumers[entry.event.name.value, default: []].sorted())
        }.sorted { $0.name < $1.name }
        return Program(services: services, events: events)
    }

    private func service(_ service: Service) -> ServiceProgram {
        func typed(_ names: [String]) -> [Param] {
            names.map { name in service.params.first { $0.name.value == name }! }
        }
        let keys = service.keys.map { family -> KeyFamilyProgram in
            let keyParams = family.pattern.params
            let tagOnly = family.tags.flatMap(\.params).reduce(into: [String]()) { result, name in
                if !keyParams.contains(name), !result.contains(name) { result.append(name) }
            }
            let codec = family.codec?.value ?? service.defaults.codec?.value ?? Self.defaultCodec
            return KeyFamilyProgram(
                name: family.name.value, location: family.name.location, description: family.description,
                pattern: family.pattern, keyParams: typed(keyParams), tagOnlyParams: typed(tagOnly),
                ttl: (family.ttl ?? service.defaults.ttl)!.value,
                jitter: (family.jitter ?? service.defaults.jitter)?.value ?? Self.defaultJitter,
                codec: codec,
                valueType: family.value?.value ?? PolicyDecoder.builtinValueTypes[codec] ?? "String",
                compression: (family.compress ?? service.defaults.compress)?.value ?? .none,
                tags: family.tags, dependsOn: family.dependsOn.map(\.value),
                nearCacheEntries: family.nearCache?.value)
        }
        let reactions = service.invalidations.map { invalidation in
            Reaction(
                event: invalidation.event.value, location: invalidation.event.location,
                actions: invalidation.actions.map { action in
                    let needed = Checker.neededParams(action.target, in: service) ?? []
                    let target: ResolvedAction.Target
                    switch action.target {
                    case .key(_, let family): target = .key(family: family.value)
                    case .tag(let tag): target = .tag(tag)
                    case .pattern(let glob): target = .pattern(glob)
                    }
                    return ResolvedAction(
                        target: target, bindings: Checker.bindings(for: action, needed: needed), location: action.location)
                })
        }.sorted { $0.event < $1.event }
        let warmups = service.warmups.map { job in
            WarmupProgram(
                name: job.name.value, location: job.name.location, description: job.description,
                keys: job.keys.map(\.family.value), source: job.source!.value,
                priority: job.priority?.value ?? Self.defaultPriority, every: job.every?.value,
                after: job.after.map(\.value), batch: job.batch?.value ?? Self.defaultBatch,
                concurrency: job.concurrency?.value ?? Self.defaultConcurrency,
                retry: RetryPolicy(
                    attempts: job.retry?.attempts?.value ?? RetryPolicy.default.attempts,
                    backoff: job.retry?.backoff?.value ?? RetryPolicy.default.backoff,
                    max: job.retry?.max?.value ?? RetryPolicy.default.max))
        }
        return ServiceProgram(
            name: service.name.value, location: service.name.location, description: service.description,
            port: service.port?.value, memory: service.memory?.value, params: service.params, keys: keys,
            reactions: reactions, warmups: warmups, alerts: service.alerts)
    }
}
