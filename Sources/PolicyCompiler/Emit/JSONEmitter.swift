/// Emits the resolved program as JSON for tools in other languages. The format is versioned
/// (`formatVersion`) and documented in docs/program-json.md; fields may be added within a version,
/// never removed or changed in meaning.
public enum JSONEmitter {
    public static let formatVersion = 1
    public static let fileName = "program.json"

    public static func emit(_ program: Program) -> GeneratedFile {
        let document = JSONValue.object([
            ("formatVersion", .int(formatVersion)),
            ("services", .array(program.services.map(service))),
            ("events", .array(program.events.map(event))),
            ("environments", .array((program.platform?.environments ?? []).map(environment))),
        ])
        return GeneratedFile(name: fileName, contents: document.rendered())
    }

    static func location(_ location: SourceLocation) -> JSONValue {
        .object([("file", .string(location.file)), ("line", .int(location.line)), ("column", .int(location.column))])
    }

    static func type(_ type: ParamType) -> JSONValue {
        switch type {
        case .enumeration(let values): .object([("enum", .array(values.map { .string($0) }))])
        default: .string(type.description)
        }
    }

    static func params(_ params: [Param]) -> JSONValue {
        .array(params.map { .object([("name", .string($0.name.value)), ("type", type($0.type))]) })
    }

    static func milliseconds(_ duration: PolicyDuration) -> JSONValue { .int(duration.milliseconds) }

    static func alerts(_ alerts: Alerts) -> JSONValue {
        .object([
            ("hitRateBelow", alerts.hitRateBelow.map { .double($0.value.ratio) } ?? .null),
            ("memoryAbove", alerts.memoryAbove.map { .double($0.value.ratio) } ?? .null),
            ("latencyAboveMs", alerts.latencyAbove.map { milliseconds($0.value) } ?? .null),
            ("errorRateAbove", alerts.errorRateAbove.map { .double($0.value.ratio) } ?? .null),
            ("forMs", .object(Alerts.names.filter { alerts.isDeclared($0) }.map { ($0, milliseconds(alerts.holdFor($0))) })),
        ])
    }

    static func source(_ source: ValueSource) -> JSONValue {
        switch source {
        case .value(let text): .object([("value", .string(text))])
        case .environment(let name): .object([("env", .string(name))])
        case .file(let path): .object([("file", .string(path))])
        }
    }

    /// An environment of the platform file; secrets appear only as where they are read from.
    static func environment(_ environment: PlatformEnvironment) -> JSONValue {
        let redis: JSONValue = switch environment.redis.value {
        case .standalone(let url): .object([("url", source(url))])
        case .sentinel(let master, let nodes): .object([("sentinel", .object([("master", .string(master)), ("nodes", .array(nodes.map { .string($0) }))]))])
        case .cluster(let seeds): .object([("cluster", .object([("seeds", .array(seeds.map { .string($0) }))]))])
        }
        return .object([
            ("name", .string(environment.name.value)),
            ("source", location(environment.name.location)),
            ("description", .optional(environment.description)),
            ("redis", redis),
            ("tls", environment.tls.map { tls in
                .object([("ca", .optional(tls.ca)), ("cert", .optional(tls.certificate)), ("key", .optional(tls.key)), ("serverName", .optional(tls.serverName))])
            } ?? .null),
            ("credentials", environment.credentials.map { credentials in
                .object([("user", .string(credentials.user.value)), ("password", credentials.password.map { source($0.value) } ?? .null)])
            } ?? .null),
            ("ttlScale", .double(environment.ttlScale?.value.ratio ?? 1)),
            ("warmup", .bool(environment.warmup?.value ?? true)),
            ("alerts", environment.alerts.map(alerts) ?? .null),
        ])
    }

    static func service(_ service: ServiceProgram) -> JSONValue {
        let fields: [(String, JSONValue)] = [
            ("name", .string(service.name)),
            ("source", location(service.location)),
            ("description", .optional(service.description)),
            ("port", service.port.map { .int($0) } ?? .null),
            ("memoryBytes", service.memory.map { .int($0.bytes) } ?? .null),
            ("params", params(service.params)),
            ("keys", .array(service.keys.map(family))),
            ("reactions", .array(service.reactions.map(reaction))),
            ("warmups", .array(service.warmups.map(warmup))),
            ("staleness", .array(service.staleness.map(staleGap))),
            ("alerts", alerts(service.alerts)),
        ]
        return .object(fields)
    }

    static func staleGap(_ gap: StaleGap) -> JSONValue {
        let events: [JSONValue] = gap.events.map { .string($0) }
        let families: [JSONValue] = gap.families.map { .string($0) }
        let bound: JSONValue = gap.bound.map(milliseconds) ?? .null
        return .object([
            ("entity", .string(gap.entity)), ("events", .array(events)), ("eventCount", .int(gap.eventCount)),
            ("families", .array(families)), ("boundMs", bound),
        ])
    }

    static func family(_ family: KeyFamilyProgram) -> JSONValue {
        let compression: JSONValue = switch family.compression {
        case .none: .null
        case .over(let size): .object([("overBytes", .int(size.bytes))])
        }
        return .object([
            ("name", .string(family.name)),
            ("source", location(family.location)),
            ("description", .optional(family.description)),
            ("pattern", .string(family.pattern.text)),
            ("keyParams", params(family.keyParams)),
            ("tagOnlyParams", params(family.tagOnlyParams)),
            ("ttlMs", milliseconds(family.ttl)),
            ("jitter", .double(family.jitter.ratio)),
            ("codec", .string(family.codec.rawValue)),
            ("valueType", .string(family.valueType)),
            ("compression", compression),
            ("tags", .array(family.tags.map { .string($0.text) })),
            ("indexes", .array(family.indexes.map { .string($0.text) })),
            ("dependsOn", .array(family.dependsOn.map { .string($0) })),
            ("nearCacheEntries", family.nearCacheEntries.map { .int($0) } ?? .null),
            ("keyVersion", .int(family.keyVersion)),
            ("sliding", .bool(family.sliding)),
            ("readFrom", .string(family.readFromReplica ? "replica" : "primary")),
            ("slot", .optional(family.slot)),
            ("maxAgeMs", family.maxAge.map(milliseconds) ?? .null),
            ("refreshAhead", family.refreshAhead.map { .double($0.ratio) } ?? .null),
        ])
    }

    static func reaction(_ reaction: Reaction) -> JSONValue {
        .object([
            ("event", .string(reaction.event)),
            ("source", location(reaction.location)),
            ("actions", .array(reaction.actions.map { action in
                let (kind, target): (String, String) = switch action.target {
                case .key(let family): ("key", family)
                case .tag(let tag): ("tag", tag.text)
                case .pattern(let glob): ("pattern", glob.text)
                }
                return .object([
                    ("kind", .string(kind)),
                    ("target", .string(target)),
                    ("bindings", .object(action.bindings.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                    ("reaches", .array(action.reaches.map { .string($0) })),
                    ("scan", .bool(action.scan)),
                ])
            })),
        ])
    }

    static func warmup(_ job: WarmupProgram) -> JSONValue {
        .object([
            ("name", .string(job.name)),
            ("source", location(job.location)),
            ("description", .optional(job.description)),
            ("keys", .array(job.keys.map { .string($0) })),
            ("loader", .string(job.source)),
            ("priority", .string(job.priority.rawValue)),
            ("everyMs", job.every.map(milliseconds) ?? .null),
            ("after", .array(job.after.map { .string($0) })),
            ("batch", .int(job.batch)),
            ("concurrency", .int(job.concurrency)),
            ("retry", .object([
                ("attempts", .int(job.retry.attempts)),
                ("backoffMs", milliseconds(job.retry.backoff)),
                ("maxMs", milliseconds(job.retry.max)),
            ])),
        ])
    }

    static func event(_ event: EventProgram) -> JSONValue {
        .object([
            ("name", .string(event.name)),
            ("producer", .string(event.producer)),
            ("source", location(event.location)),
            ("description", .optional(event.description)),
            ("payload", params(event.payload)),
            ("mutates", .array(event.mutates.map { .string($0) })),
            ("consumers", .array(event.consumers.map { .string($0) })),
        ])
    }
}
