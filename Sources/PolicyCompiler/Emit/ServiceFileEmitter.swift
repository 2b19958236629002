/// Emits one service's file: `enum PaymentCache` with key builders, plans, warmup jobs and policy.
struct ServiceFileEmitter {
    let service: ServiceProgram
    let program: Program
    let imports: [String]
    let access: AccessLevel
    let provenance: SwiftEmitter.Provenance

    private var namespace: String { SwiftEmitter.namespace(of: service.name) }
    private var types: [String: ParamType] {
        Dictionary(service.params.map { ($0.name.value, $0.type) }, uniquingKeysWith: { first, _ in first })
    }

    func emit() -> String {
        var writer = SwiftWriter(access: access)
        writer.doc([
            service.description ?? "The cache policy of the `\(service.name)` service.",
            "Key builders, invalidation plans, warmup jobs and alert thresholds, compiled from the policy. \(provenance.source(service.location))",
        ])
        writer.block("public enum \(namespace): CompiledServicePolicy") { writer in
            emitPolicy(&writer)
            SwiftEmitter.enumDeclarations(service.params, into: &writer, owner: "the `\(service.name)` service")
            emitFamilyTable(&writer)
            writer.line()
            writer.line("// MARK: Keys")
            for family in service.keys { emitBuilders(family, &writer) }
            writer.line()
            writer.line("// MARK: Invalidation")
            for reaction in service.reactions { emitPlan(reaction, &writer) }
            emitDispatcher(&writer)
            emitDirectInvalidations(&writer)
            if !service.warmups.isEmpty {
                writer.line()
                writer.line("// MARK: Warmup")
                writer.line()
                emitWarmup(&writer)
            }
        }
        return SwiftEmitter.header(source: provenance.path(service.location.file), imports: imports, provenance: provenance) + "\n" + writer.text
    }

    // MARK: Policy

    private func emitPolicy(_ writer: inout SwiftWriter) {
        writer.doc(["The service's policy: memory budget, alert thresholds, key families, warmup jobs and the events it reacts to."])
        writer.list("public static let policy = ServicePolicy(", [
            "name: \(SwiftNames.stringLiteral(service.name))",
            "description: \(service.description.map(SwiftNames.stringLiteral) ?? "nil")",
            "memoryBudget: \(service.memory.map { "\($0.bytes)" } ?? "nil")",
            "alerts: \(SwiftEmitter.alertThresholds(service.alerts))",
            "families: [\(service.keys.map { "Families.\(SwiftNames.identifier($0.name))" }.joined(separator: ", "))]",
            "warmupJobs: [\(service.warmups.map { "Jobs.\(SwiftNames.memberName($0.name))" }.joined(separator: ", "))]",
            "reactsTo: [\(service.reactions.map { SwiftNames.stringLiteral($0.event) }.joined(separator: ", "))]",
        ], ")")
    }

    // MARK: Keys

    private func emitFamilyTable(_ writer: inout SwiftWriter) {
        writer.line()
        writer.doc(["The key families as resolved by the compiler (defaults applied)."])
        writer.block("public enum Families") { writer in
            for (index, family) in service.keys.enumerated() {
                if index > 0 { writer.line() }
                writer.doc(["`\(family.pattern.text)`. \(provenance.source(family.location))"])
                let compression = switch family.compression {
                case .none: ".none"
                case .over(let size): ".over(bytes: \(size.bytes))"
                }
                writer.list("public static let \(SwiftNames.identifier(family.name)) = KeyFamilySpec(", [
                    "service: \(SwiftNames.stringLiteral(service.name))",
                    "name: \(SwiftNames.stringLiteral(family.name))",
                    "pattern: \(SwiftNames.stringLiteral(family.pattern.text))",
                    "ttl: \(SwiftEmitter.duration(family.ttl))",
                    "jitter: \(SwiftEmitter.ratio(family.jitter))",
                    "codec: .\(family.codec.rawValue)",
                    "compression: \(compression)",
                    "nearCacheEntries: \(family.nearCacheEntries.map(String.init) ?? "nil")",
                ] + (family.sliding ? ["sliding: true", "maxAge: \(family.maxAge.map(SwiftEmitter.duration) ?? "nil")"] : [])
                    + (family.refreshAhead.map { ["refreshAhead: \(SwiftEmitter.ratio($0))"] } ?? [])
                    + (family.readFromReplica ? ["readFromReplica: true"] : []), ")")
            }
        }
    }

    /// The value type as generated code names it.
    private func valueType(_ family: KeyFamilyProgram) -> String {
        family.codec == .bytes ? "Bytes" : family.valueType
    }

    private func familyDoc(_ family: KeyFamilyProgram) -> [String] {
        var facts = ["Key `\(family.pattern.text)`", "TTL \(family.ttl)" + (family.jitter.value > 0 ? " ± \(family.jitter)" : "")]
        facts.append("\(family.codec.rawValue) `\(valueType(family))`")
        if case .over(let size) = family.compression { facts.append("compressed over \(size)") }
        if !family.tags.isEmpty { facts.append("tags " + family.tags.map { "`\($0.text)`" }.joined(separator: ", ")) }
        if !family.indexes.isEmpty { facts.append("indexed for " + family.indexes.map { "`\($0.text)`" }.joined(separator: ", ")) }
        if !family.dependsOn.isEmpty { facts.append("depends on " + family.dependsOn.joined(separator: ", ")) }
        if let entries = family.nearCacheEntries { facts.append("near cache of \(entries) entries") }
        if let ahead = family.refreshAhead { facts.append("refreshed early in the last \(ahead) of its TTL") }
        if let slot = family.slot { facts.append("cluster slot by `\(slot)` (its segment is the hash tag `{…}`)") }
        if family.readFromReplica { facts.append("read from a replica when there is one") }
        if family.sliding { facts.append("sliding: reads renew the TTL" + (family.maxAge.map { ", for at most \($0) after a write" } ?? "")) }
        return [family.description ?? "", facts.joined(separator: "; ") + ".", provenance.source(family.location)]
    }

    private func parameterList(_ params: [Param]) -> String {
        params.map { SwiftNames.parameterDeclaration($0.name.value, type: SwiftEmitter.swiftType($0.type, name: $0.name.value)) }
            .joined(separator: ", ")
    }

    /// param → expression encoding the builder's argument of that name.
    private func encodedArguments(_ params: [Param]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: params.map {
            ($0.name.value, SwiftEmitter.encode(SwiftNames.parameter($0.name.value).local, as: $0.type))
        })
    }

    private func emitBuilders(_ family: KeyFamilyProgram, _ writer: inout SwiftWriter) {
        let name = SwiftNames.identifier(family.name)
        let value = valueType(family)
        let keyArguments = encodedArguments(family.keyParams)
        let allArguments = encodedArguments(family.keyParams + family.tagOnlyParams)
        let key = SwiftEmitter.render(family.pattern, keyArguments, hashTag: family.slotSegment)
        if !family.tagOnlyParams.isEmpty {
            writer.line()
            writer.doc(familyDoc(family) + [
                "For reading and deleting: writing needs \(family.tagOnlyParams.map { "`\($0.name.value)`" }.joined(separator: ", ")) for the tags, so use the builder that takes it.",
            ])
            writer.block("public static func \(name)(\(parameterList(family.keyParams))) -> ReadOnlyCacheKey<\(value)>") { writer in
                let indexes = indexKeys(family, keyArguments)
                if indexes.isEmpty {
                    writer.line("ReadOnlyCacheKey(key: \(key), family: Families.\(name), codec: .\(family.codec.rawValue))")
                } else {
                    writer.list("ReadOnlyCacheKey(", [
                        "key: \(key)",
                        "family: Families.\(name)",
                        "indexes: [\(indexes.joined(separator: ", "))]",
                        "codec: .\(family.codec.rawValue)",
                    ], ")")
                }
            }
        }
        writer.line()
        writer.doc(familyDoc(family))
        writer.block("public static func \(name)(\(parameterList(family.keyParams + family.tagOnlyParams))) -> CacheKey<\(value)>") { writer in
            let tags = family.tags.map { "Families.\(name).tagKey(\(SwiftEmitter.render($0, allArguments, hashTag: service.tagSlots[$0.text])))" }
                + indexKeys(family, keyArguments)
            writer.list("CacheKey(", [
                "key: \(key)",
                "family: Families.\(name)",
                "tags: [\(tags.joined(separator: ", "))]",
                "codec: .\(family.codec.rawValue)",
            ], ")")
        }
    }

    /// The index-set keys a family's entries join, rendered from `arguments` (param → expression).
    private func indexKeys(_ family: KeyFamilyProgram, _ arguments: [String: String]) -> [String] {
        family.indexes.map {
            "KeyFamilySpec.indexKey(service: \(SwiftNames.stringLiteral(service.name)), \(SwiftEmitter.render($0, arguments, hashTag: family.indexSlots[$0.text])))"
        }
    }

    // MARK: Invalidation

    private func emitPlan(_ reaction: Reaction, _ writer: inout SwiftWriter) {
        let event = program.event(reaction.event)!
        let eventType = SwiftNames.typeName(event.name)
        var keys: [String] = []
        var keyIndexes: [String] = []
        var tags: [String] = []
        var indexes: [String] = []
        var patterns: [String] = []
        var summary: [String] = []
        for action in reaction.actions {
            // Each param is filled from its bound payload field, encoded by the param's type.
            let values = Dictionary(uniqueKeysWithValues: action.bindings.map { param, field in
                (param, SwiftEmitter.encode("event.\(SwiftNames.identifier(field))", as: types[param]!))
            })
            switch action.target {
            case .key(let familyName):
                let family = service.key(familyName)!
                keys.append(SwiftEmitter.render(family.pattern, values, hashTag: family.slotSegment))
                keyIndexes.append("[" + indexKeys(family, values).joined(separator: ", ") + "]")
                summary.append("the key `\(family.pattern.text)`")
            case .tag(let tag):
                tags.append("KeyFamilySpec.tagKey(service: \(SwiftNames.stringLiteral(service.name)), \(SwiftEmitter.render(tag, values, hashTag: service.tagSlots[tag.text])))")
                summary.append("the tag `\(tag.text)`")
            case .pattern(let glob) where action.scan:
                patterns.append(SwiftEmitter.render(glob, values, glob: true, hashTag: service.patternSlots[glob.text]))
                summary.append("keys matching `\(glob.text)` (scanned)")
            case .pattern(let glob):
                indexes.append("KeyFamilySpec.indexKey(service: \(SwiftNames.stringLiteral(service.name)), \(SwiftEmitter.render(glob, values, hashTag: service.patternSlots[glob.text])))")
                summary.append("keys matching `\(glob.text)` (through its index set)")
            }
        }
        let bindings = reaction.actions.flatMap { action in
            action.bindings.filter { $0.key != $0.value }.map { "`\($0.key)` from `\($0.value)`" }
        }
        writer.line()
        writer.doc([
            "What `\(event.name)` drops here: \(summary.joined(separator: ", "))."
                + (bindings.isEmpty ? "" : " Binds \(Array(Set(bindings)).sorted().joined(separator: ", ")).")
                + " \(provenance.source(reaction.location))",
        ])
        writer.block("public static func plan(for event: \(eventType)) -> InvalidationPlan") { writer in
            writer.list("InvalidationPlan(", [
                "service: \(SwiftNames.stringLiteral(service.name))",
                "event: \(eventType).name",
                "keys: [\(keys.joined(separator: ", "))]",
            ] + (keyIndexes.allSatisfy { $0 == "[]" } ? [] : ["keyIndexes: [\(keyIndexes.joined(separator: ", "))]"]) + [
                "tags: [\(tags.joined(separator: ", "))]",
                "indexes: [\(indexes.joined(separator: ", "))]",
                "patterns: [\(patterns.joined(separator: ", "))]",
            ], ")")
        }
    }

    private func emitDispatcher(_ writer: inout SwiftWriter) {
        writer.line()
        writer.doc([
            "The plan for an event received by name with its JSON payload (distributed invalidation), or `nil` when this service does not react to the event.",
        ])
        writer.block("public static func plan(forEvent name: String, payload: Data) throws -> InvalidationPlan?") { writer in
            writer.line("switch name {")
            for reaction in service.reactions {
                let type = SwiftNames.typeName(reaction.event)
                writer.line("case \(type).name: return plan(for: try JSONDecoder().decode(\(type).self, from: payload))")
            }
            writer.line("default: return nil")
            writer.line("}")
        }
    }

    /// `Invalidate`: plans for a tag or an index set named directly (admin paths, repairs), typed
    /// like the key builders, so no one renders a set's key by hand.
    private func emitDirectInvalidations(_ writer: inout SwiftWriter) {
        let arguments = encodedArguments(service.params)
        var functions: [(name: String, params: [Param], doc: String, plan: String)] = []
        var seen = Set<String>()
        func add(_ name: String, _ params: [String], doc: String, plan: String) {
            let typed = params.map { name in service.params.first { $0.name.value == name }! }
            let signature = name + "(" + params.map { SwiftNames.argumentLabel($0) + ":" }.joined() + ")"
            guard seen.insert(signature).inserted else { return }
            functions.append((name, typed, doc, plan))
        }
        let serviceName = SwiftNames.stringLiteral(service.name)
        for family in service.keys {
            for index in family.indexes {
                add(
                    SwiftNames.identifier(family.name), index.params,
                    doc: "Every `\(family.name)` entry matching `\(index.text)`, through its index set.",
                    plan: "InvalidationPlan(service: \(serviceName), event: \"direct\", indexes: [KeyFamilySpec.indexKey(service: \(serviceName), \(SwiftEmitter.render(index, arguments, hashTag: family.indexSlots[index.text])))])")
            }
        }
        var tags: [KeyPattern] = []
        for family in service.keys {
            for tag in family.tags where !tags.contains(where: { $0.text == tag.text }) { tags.append(tag) }
        }
        for tag in tags {
            let literals = tag.segments.compactMap { segment -> String? in if case .literal(let text) = segment { text } else { nil } }
            let name = SwiftNames.memberName((literals + ["tag"]).joined(separator: "-"))
            let carriers = service.keys.filter { family in family.tags.contains { $0.text == tag.text } }.map { "`\($0.name)`" }
            add(
                name, tag.params, doc: "Every entry tagged `\(tag.text)` (\(carriers.joined(separator: ", "))).",
                plan: "InvalidationPlan(service: \(serviceName), event: \"direct\", tags: [KeyFamilySpec.tagKey(service: \(serviceName), \(SwiftEmitter.render(tag, arguments, hashTag: service.tagSlots[tag.text])))])")
        }
        guard !functions.isEmpty else { return }
        writer.line()
        writer.doc(["Plans that drop a tag or an index set directly, without an event; apply them with `CacheClient.invalidate(_:)`."])
        writer.block("public enum Invalidate") { writer in
            for (index, function) in functions.enumerated() {
                if index > 0 { writer.line() }
                writer.doc([function.doc])
                writer.block("public static func \(function.name)(\(parameterList(function.params))) -> InvalidationPlan") { writer in
                    writer.line(function.plan)
                }
            }
        }
    }

    // MARK: Warmup

    private func emitWarmup(_ writer: inout SwiftWriter) {
        writer.doc(["The warmup jobs as declared."])
        writer.block("public enum Jobs") { writer in
            for (index, job) in service.warmups.enumerated() {
                if index > 0 { writer.line() }
                writer.doc([job.description ?? "", provenance.source(job.location)])
                writer.list("public static let \(SwiftNames.memberName(job.name)) = WarmupJobSpec(", [
                    "name: \(SwiftNames.stringLiteral(job.name))",
                    "service: \(SwiftNames.stringLiteral(service.name))",
                    "families: [\(job.keys.map(SwiftNames.stringLiteral).joined(separator: ", "))]",
                    "source: \(SwiftNames.stringLiteral(job.source))",
                    "priority: .\(job.priority.rawValue)",
                    "every: \(job.every.map(SwiftEmitter.duration) ?? "nil")",
                    "after: [\(job.after.map(SwiftNames.stringLiteral).joined(separator: ", "))]",
                    "batch: \(job.batch)",
                    "concurrency: \(job.concurrency)",
                    "retry: RetryPolicy(attempts: \(job.retry.attempts), backoff: \(SwiftEmitter.duration(job.retry.backoff)), max: \(SwiftEmitter.duration(job.retry.max)))",
                ], ")")
            }
        }
        writer.line()
        writer.doc([
            "The loaders this service's warmup jobs need, one per `source`. A service that does not implement one does not compile.",
            "A loader adds its entries one by one (`try await warmup.<family>(…, value:)`); the runner writes them a batch per pipeline as they come and pauses the loader while the job's batches are all in flight, so memory stays bounded however many entries a job writes.",
        ])
        writer.block("public protocol Loaders: Sendable") { writer in
            for (index, job) in service.warmups.enumerated() {
                if index > 0 { writer.line() }
                writer.doc(["Fills `\(job.name)` (\(job.keys.map { "`\($0)`" }.joined(separator: ", ")))."])
                writer.line("func \(SwiftNames.identifier(job.source))(_ warmup: \(SwiftNames.typeName(job.name))Warmup) async throws")
            }
        }
        for job in service.warmups {
            let type = SwiftNames.typeName(job.name) + "Warmup"
            writer.line()
            writer.doc(["Streams the entries `\(job.name)` writes to the runner: one method per key family, taking the key's params and the value."])
            writer.block("public struct \(type): Sendable") { writer in
                writer.line("public let sink: WarmupSink")
                writer.line()
                writer.line("public init(_ sink: WarmupSink) {")
                writer.line("    self.sink = sink")
                writer.line("}")
                for familyName in job.keys {
                    let family = service.key(familyName)!
                    let params = family.keyParams + family.tagOnlyParams
                    let arguments = params.map { "\(SwiftNames.argumentLabel($0.name.value)): \(SwiftNames.parameter($0.name.value).local)" }
                    writer.line()
                    writer.block("public func \(SwiftNames.identifier(family.name))(\(parameterList(params) + (params.isEmpty ? "" : ", "))value: \(valueType(family))) async throws") { writer in
                        writer.line("try await sink.add(\(namespace).\(SwiftNames.identifier(family.name))(\(arguments.joined(separator: ", "))), value)")
                    }
                }
            }
        }
        writer.line()
        writer.doc(["The warmup jobs bound to the application's loaders, ready for a warmup runner."])
        writer.block("public static func warmupTasks(_ loaders: some Loaders) -> [WarmupTask]") { writer in
            writer.line("[")
            for job in service.warmups {
                let type = SwiftNames.typeName(job.name) + "Warmup"
                writer.line("    WarmupTask(spec: Jobs.\(SwiftNames.memberName(job.name))) { sink in")
                writer.line("        try await loaders.\(SwiftNames.identifier(job.source))(\(type)(sink))")
                writer.line("    },")
            }
            writer.line("]")
        }
    }
}
