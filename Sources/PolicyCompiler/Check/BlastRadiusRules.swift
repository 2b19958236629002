/// Over-invalidation: a tag or pattern that uses no field of the event's payload drops every entry
/// it can reach, for every user or item, although the event names one. The warning names the
/// blast radius: which families lose which of their entries.
extension Checker {
    mutating func checkBlastRadius(_ service: Service, reach: FamilyReach) {
        for invalidation in service.invalidations {
            guard let event = events[invalidation.event.value]?.event, !event.payload.isEmpty else { continue }
            for action in invalidation.actions where !action.wholesale {
                let template: KeyPattern
                let what: String
                switch action.target {
                case .key: continue
                case .tag(let tag): (template, what) = (tag, "the tag '\(tag.text)'")
                case .pattern(let glob): (template, what) = (glob, "the pattern '\(glob.text)'")
                }
                guard template.params.isEmpty else { continue }
                reportBlastRadius(at: template.location, what, event: event, reached: reach.families(action.target), types: reach.types)
            }
        }
    }

    /// Only families keyed by an open-ended param (string, int, uuid) are reported: dropping a
    /// family without params, or one keyed only by enums and bools (`revenue:{period}`), drops a
    /// handful of keys, which is often exactly what an aggregate needs.
    private mutating func reportBlastRadius(at location: SourceLocation, _ what: String, event: Event, reached: [KeyFamily], types: ParamTypes) {
        func openEnded(_ family: KeyFamily) -> [String] {
            family.pattern.params.filter { param in
                switch types[param] {
                case .enumeration, .bool, nil: false
                default: true
                }
            }
        }
        let wholesale = reached.filter { !openEnded($0).isEmpty }
        guard !wholesale.isEmpty else { return }
        let radius = wholesale.map { family in
            "every '\(family.name.value)' entry (for all \(openEnded(family).map { "'\($0)'" }.joined(separator: ", ")))"
        }.joined(separator: ", ")
        let fields = event.payload.map { "'\($0.name.value)'" }.joined(separator: ", ")
        diagnostics.report(
            .overInvalidation, at: location,
            "\(what) uses no field of '\(event.name.value)', so each event drops \(radius), not just the entries it concerns",
            hint: "narrow it with a param the payload carries (\(fields)), e.g. a tag like 'user:{userId}'; if dropping all of them is intended (search results after any edit), say so with 'wholesale: true'")
    }
}
