/// Generation: names that cannot become Swift, or would collide once they do. Checked on the
/// policies themselves (not on emitted code), so lint reports them like any other rule; the
/// naming functions are the ones the emitters use (`Naming/`).
extension Checker {
    /// Members every service namespace defines; key families cannot use these names.
    static let reservedMembers: Set<String> = ["policy", "warmupTasks", "listener"]

    mutating func checkGeneratedNames() {
        var topLevel: [String: (SourceLocation, String)] = [:]
        var files: [String: SourceLocation] = [:]
        func claim(_ name: String, _ location: SourceLocation, _ what: String, in table: inout [String: (SourceLocation, String)]) {
            if let first = table[name] {
                diagnostics.report(
                    .nameCollision, at: location,
                    "\(what) becomes the Swift name '\(name)', which \(first.1) already uses",
                    hint: "rename one of them", related: [RelatedLocation(first.0, "\(first.1) is declared here")])
            } else {
                table[name] = (location, what)
            }
        }
        let sorted = services.indices.sorted { services[$0].name.location < services[$1].name.location }.map { services[$0] }
        // Each json family's value type parsed once, by service in `sorted` order.
        var valueRoots: [[(family: KeyFamily, value: String, roots: [String])]] = []
        for service in sorted {
            let name = service.name.value
            let location = service.name.location
            let namespace = GeneratedNames.namespace(of: name)
            claim(namespace, location, "the service '\(name)'", in: &topLevel)
            let file = GeneratedNames.fileName(forPolicyFile: service.file)
            if let first = files[file] {
                diagnostics.report(
                    .nameCollision, at: location, "the policy file would generate '\(file)', which \(first.file) also generates",
                    hint: "rename one of the files", related: [RelatedLocation(first, "also generates '\(file)'")])
            }
            files[file] = location
            var nested: [String: (SourceLocation, String)] = [
                "Families": (location, "the key family table"), "Jobs": (location, "the warmup job table"),
                "Loaders": (location, "the loaders protocol"), "Invalidate": (location, "the direct invalidations"),
            ]
            for family in service.keys where Self.reservedMembers.contains(family.name.value) {
                diagnostics.report(
                    .reservedName, at: family.name.location,
                    "the key family '\(family.name.value)' has a name the generated '\(namespace)' already uses",
                    hint: "rename the family; reserved: \(Self.reservedMembers.sorted().joined(separator: ", "))")
            }
            for param in service.params {
                if case .enumeration = param.type {
                    claim(SwiftNames.typeName(param.name.value), param.name.location, "the enum param '\(param.name.value)'", in: &nested)
                }
            }
            for job in service.warmups {
                claim(SwiftNames.typeName(job.name.value) + "Warmup", job.name.location, "the warmup job '\(job.name.value)'", in: &nested)
            }
            // Families may share a value type; what must not happen is a generated nested type
            // shadowing it inside the namespace, where the builders name it.
            var roots: [(family: KeyFamily, value: String, roots: [String])] = []
            for family in service.keys where family.codec(under: service.defaults) == .json {
                guard let value = family.value?.value, let names = ValueTypeName(value)?.rootNames else { continue }
                roots.append((family, value, names))
            }
            valueRoots.append(roots)
            for (family, value, names) in roots {
                for root in names {
                    guard let generated = nested[root] else { continue }
                    diagnostics.report(
                        .nameCollision, at: family.name.location,
                        "the value type '\(value)' of '\(family.name.value)' names '\(root)', which inside '\(namespace)' means \(generated.1)",
                        hint: "rename the value type, or qualify it with its module ('MyModule.\(root)')",
                        related: [RelatedLocation(generated.0, "\(generated.1) is declared here")])
                }
            }
        }
        // In declaration order, so a collision is reported at the later declaration.
        // Sorted as (location, box) pairs: sorting the events themselves copies each one per comparison.
        let generated = events.values.filter { isGenerated($0.event.name.value) }.map { ($0.event.name.location, $0) }
        for (_, declared) in generated.sorted(by: { $0.0 < $1.0 }) {
            let event = declared.event
            let type = SwiftNames.typeName(event.name.value)
            if type == "CacheEvents" {
                diagnostics.report(
                    .reservedName, at: event.name.location,
                    "the event '\(event.name.value)' would become 'CacheEvents', the generated table of all events",
                    hint: "rename the event")
                continue
            }
            claim(type, event.name.location, "the event '\(event.name.value)'", in: &topLevel)
        }
        // A value type spelled like a generated top-level type would be redeclared or replaced.
        for roots in valueRoots {
            for (family, value, names) in roots {
                for root in names {
                    let generated = root == "CacheEvents" ? (nil, "the generated table of events") : topLevel[root].map { ($0.0, $0.1) }
                    guard let generated else { continue }
                    diagnostics.report(
                        .nameCollision, at: family.name.location,
                        "the value type '\(value)' of '\(family.name.value)' is spelled like a generated type: \(generated.1)",
                        hint: "rename the value type, or qualify it with its module ('MyModule.\(root)')",
                        related: generated.0.map { [RelatedLocation($0, "\(generated.1) is declared here")] } ?? [])
                }
            }
        }
    }
}
