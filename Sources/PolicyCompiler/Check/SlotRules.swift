/// Hash tags (`slot:`): a scanned pattern must render one glob for every family it reaches, and on
/// a cluster every set a write touches must share the entry's slot (``SlotPlacement``).
extension Checker {
    mutating func checkSlots(_ service: Service, reach: FamilyReach) {
        let placement = SlotPlacement(service, reach: reach)
        for conflict in placement.conflicts {
            diagnostics.report(
                .hashTagConflict, at: conflict.pattern.location,
                "the scanned pattern '\(conflict.pattern.text)' reaches \(conflict.families.map { "'\($0)'" }.joined(separator: ", ")), whose keys carry their hash tag in different places, so one glob cannot match them all",
                hint: "give those families the same 'slot:', or write '*' where their keys differ")
        }
    }
}

extension PlatformRules {
    /// When an environment is a cluster: every tag and index set a family's write touches must
    /// hash to the entry's slot, or the write script fails with `CROSSSLOT`.
    static func checkCrossSlot(_ services: [Service], cluster environment: PlatformEnvironment, into diagnostics: inout DiagnosticBag) {
        let name = environment.name.value
        for service in services {
            let reach = FamilyReach(service)
            let placement = SlotPlacement(service, reach: reach)
            for family in service.keys {
                for tag in family.tags where placement.tags[tag.text] == nil {
                    let carriers = service.keys.filter { $0.tags.contains { $0.text == tag.text } }
                    let missing = tag.params.filter { param in carriers.contains { !$0.pattern.params.contains(param) } }
                    diagnostics.report(
                        .crossSlot, at: tag.location,
                        "the cluster environment '\(name)' would keep entries of '\(family.name.value)' and their tag set '\(tag.text)' in different slots, so writing them together fails (CROSSSLOT)",
                        hint: missing.isEmpty || tag.params.count > missing.count
                            ? "give every family that carries '\(tag.text)' (\(carriers.map(\.name.value).joined(separator: ", "))) 'slot: \((tag.params.first { !missing.contains($0) }) ?? tag.params.first ?? "param")'"
                            : "'\(missing.joined(separator: "', '"))' is not in every carrier's key: put it in the pattern with 'slot:', or drop the tag on a cluster")
                }
            }
            for invalidation in service.invalidations {
                for action in invalidation.actions where !action.scan {
                    guard case .pattern(let glob) = action.target, placement.patterns[glob.text] == nil else { continue }
                    let reached = reach.families(action.target).filter { PatternIndex.isIndexable(glob, for: $0.pattern) }
                    guard !reached.isEmpty else { continue }
                    diagnostics.report(
                        .crossSlot, at: glob.location,
                        "the cluster environment '\(name)' would keep entries of \(reached.map { "'\($0.name.value)'" }.joined(separator: ", ")) and the index set of '\(glob.text)' in different slots, so writing them together fails (CROSSSLOT)",
                        hint: glob.params.isEmpty
                            ? "the pattern has no param to hash by: use 'scan: true' on a cluster"
                            : "give \(reached.map { "'\($0.name.value)'" }.joined(separator: ", ")) 'slot: \(glob.params[0])'")
                }
            }
        }
    }
}
