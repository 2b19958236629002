/// Generation: names that cannot become Swift, or would collide once they do. Checked on the
/// policies themselves (not on emitted code), so lint reports them like any other rule; the
/// naming functions are the ones the emitters use (`Naming/`).
///
/// Two parts: the top-level names (service namespaces, generated file names, event payload types)
/// are claimed once for the whole platform when the checker is made; each service's own names
/// (nested types, value types that could be shadowed) are checked with its other rules.
extension Checker {
    /// Members every service namespace defines; key families cannot use these names.
    static let reservedMembers: Set<String> = ["policy", "warmupTasks", "listener"]

    /// Whether `name` is one of ``reservedMembers``; the set is only consulted for their lengths.
    static func isReservedMember(_ name: String) -> Bool {
        switch name.utf8.count {
        case 6, 8, 11: reservedMembers.contains(name)
        default: false
        }
    }

    /// A Swift name generated code declares, with where and what declares it.
    struct GeneratedName: Sendable {
        let location: SourceLocation
        let what: String
    }

    /// Claims `name` for `what`, reporting a collision with an earlier claim.
    private static func claim(
        _ name: String, _ location: SourceLocation, _ what: String,
        in table: inout [String: GeneratedName], diagnostics: inout DiagnosticBag
    ) {
        if let first = table[name] {
            diagnostics.report(
                .nameCollision, at: location, "\(what) becomes the Swift name '\(name)', which \(first.what) already uses",
                hint: "rename one of them", related: [RelatedLocation(first.location, "\(first.what) is declared here")])
        } else {
            table[name] = GeneratedName(location: location, what: what)
        }
    }

    /// The top-level names of the generated code, claimed in declaration order so a collision is
    /// reported at the later declaration: each service's namespace and file, then each generated
    /// event's payload type.
    static func topLevelNames(
        of services: [Service], events: [DeclaredEvent], isGenerated: (String) -> Bool, diagnostics: inout DiagnosticBag
    ) -> [String: GeneratedName] {
        var topLevel: [String: GeneratedName] = [:]
        var files: [String: SourceLocation] = [:]
        for index in SourceLocation.order(of: services.map(\.name.location)) {
            let name = services[index].name
            claim(GeneratedNames.namespace(of: name.value), name.location, "the service '\(name.value)'", in: &topLevel, diagnostics: &diagnostics)
            let file = GeneratedNames.fileName(forPolicyFile: services[index].file)
            if let first = files[file] {
                diagnostics.report(
                    .nameCollision, at: name.location, "the policy file would generate '\(file)', which \(first.file) also generates",
                    hint: "rename one of the files", related: [RelatedLocation(first, "also generates '\(file)'")])
            }
            files[file] = name.location
        }
        let generated = events.filter { isGenerated($0.event.name.value) }
        for index in SourceLocation.order(of: generated.map(\.event.name.location)) {
            let event = generated[index].event
            let type = SwiftNames.typeName(event.name.value)
            if type == "CacheEvents" {
                diagnostics.report(
                    .reservedName, at: event.name.location,
                    "the event '\(event.name.value)' would become 'CacheEvents', the generated table of all events",
                    hint: "rename the event")
                continue
            }
            claim(type, event.name.location, "the event '\(event.name.value)'", in: &topLevel, diagnostics: &diagnostics)
        }
        return topLevel
    }

    /// One service's generated names: reserved member names, nested types that collide, and value
    /// types that a nested generated type would shadow or that are spelled like a top-level one.
    mutating func checkGeneratedNames(_ service: Service) {
        let location = service.name.location
        let namespace = GeneratedNames.namespace(of: service.name.value)
        var nested: [String: GeneratedName] = [
            "Families": GeneratedName(location: location, what: "the key family table"),
            "Jobs": GeneratedName(location: location, what: "the warmup job table"),
            "Loaders": GeneratedName(location: location, what: "the loaders protocol"),
            "Invalidate": GeneratedName(location: location, what: "the direct invalidations"),
        ]
        for family in service.keys where Self.isReservedMember(family.name.value) {
            diagnostics.report(
                .reservedName, at: family.name.location,
                "the key family '\(family.name.value)' has a name the generated '\(namespace)' already uses",
                hint: "rename the family; reserved: \(Self.reservedMembers.sorted().joined(separator: ", "))")
        }
        for param in service.params {
            if case .enumeration = param.type {
                Self.claim(
                    SwiftNames.typeName(param.name.value), param.name.location, "the enum param '\(param.name.value)'",
                    in: &nested, diagnostics: &diagnostics)
            }
        }
        for job in service.warmups {
            Self.claim(
                SwiftNames.typeName(job.name.value) + "Warmup", job.name.location, "the warmup job '\(job.name.value)'",
                in: &nested, diagnostics: &diagnostics)
        }
        // Families may share a value type; what must not happen is a generated type shadowing it
        // inside the namespace, where the builders name it, or one spelled like it at the top level.
        for family in service.keys where family.codec(under: service.defaults) == .json {
            guard let value = family.value?.value else { continue }
            ValueTypeName.forEachRootName(of: value) { root in
                if let generated = nested[root] {
                    diagnostics.report(
                        .nameCollision, at: family.name.location,
                        "the value type '\(value)' of '\(family.name.value)' names '\(root)', which inside '\(namespace)' means \(generated.what)",
                        hint: "rename the value type, or qualify it with its module ('MyModule.\(root)')",
                        related: [RelatedLocation(generated.location, "\(generated.what) is declared here")])
                }
                let generated = root == "CacheEvents"
                    ? (nil, "the generated table of events") : topLevelNames[root].map { ($0.location, $0.what) }
                guard let generated else { return }
                diagnostics.report(
                    .nameCollision, at: family.name.location,
                    "the value type '\(value)' of '\(family.name.value)' is spelled like a generated type: \(generated.1)",
                    hint: "rename the value type, or qualify it with its module ('MyModule.\(root)')",
                    related: generated.0.map { [RelatedLocation($0, "\(generated.1) is declared here")] } ?? [])
            }
        }
    }
}
