/// References: params, key families, events and payload bindings must resolve.
extension Checker {
    mutating func checkParams(_ service: Service, reach: FamilyReach) {
        let names = reach.types.names
        var used = [Bool](repeating: false, count: names.names.count)
        func check(_ pattern: KeyPattern, _ what: @autoclosure () -> String) {
            for case .hole(let name) in pattern.segments {
                if let index = names.firstIndex(of: name) {
                    used[index] = true
                    continue
                }
                guard !service.undecodable.contains("param:\(name)") else { continue }
                diagnostics.report(
                    .unknownParam, at: pattern.location(ofParam: name),
                    "\(what()) uses the param '\(name)', which is not declared under 'params:'",
                    hint: suggestion(for: name, in: names.names) ?? "declare it, e.g. '\(name): string'")
            }
        }
        for family in service.keys {
            check(family.pattern, "the pattern of '\(family.name.value)'")
            for tag in family.tags { check(tag, "a tag of '\(family.name.value)'") }
        }
        for invalidation in service.invalidations {
            for action in invalidation.actions {
                switch action.target {
                case .key: break
                case .tag(let tag): check(tag, "the tag invalidated on '\(invalidation.event.value)'")
                case .pattern(let glob): check(glob, "the pattern invalidated on '\(invalidation.event.value)'")
                }
            }
        }
        // A family that could not be decoded may have used any param: don't guess.
        let complete = !service.undecodable.contains { $0.hasPrefix("key:") }
        for (index, param) in service.params.enumerated() where complete && !used[index] && names.firstIndex(of: param.name.value) == index {
            diagnostics.report(
                .unusedParam, at: param.name.location,
                "the param '\(param.name.value)' is not used by any key pattern or tag",
                hint: "remove it, or use it in a pattern")
        }
    }

    mutating func checkInvalidations(_ service: Service, reach: FamilyReach) {
        for invalidation in service.invalidations {
            let event = resolveEvent(invalidation.event)
            for action in invalidation.actions {
                var needed: [String]?
                switch action.target {
                case .key(let qualifier, let name):
                    needed = resolveFamily(service: qualifier, family: name, in: service, reach: reach, purpose: "invalidate")?.pattern.params
                case .tag(let tag): needed = tag.params
                case .pattern(let glob): needed = glob.params
                }
                if let event, let needed {
                    checkBindings(action, needed: needed, event: event, types: reach.types)
                }
            }
        }
    }

    /// Every param the target needs must come from a payload field of the same type.
    private mutating func checkBindings(_ action: InvalidationAction, needed: [String], event: Event, types: ParamTypes) {
        let eventName = event.name.value
        var fieldNames: [String] { event.payload.map(\.name.value) }
        // Read only on the way to a finding (the producer's whole declaration is looked up).
        func undecodable(_ field: String) -> Bool {
            guard let producer = events[eventName]?.producer else { return false }
            return serviceByName[producer]?.undecodable.contains("field:\(eventName).\(field)") ?? false
        }
        for binding in action.bind {
            if !needed.contains(binding.param.value) {
                diagnostics.report(
                    .invalidBinding, at: binding.param.location,
                    "'bind' names the param '\(binding.param.value)', which this invalidation does not use",
                    hint: suggestion(for: binding.param.value, in: needed)
                        ?? (needed.isEmpty ? "remove 'bind'" : "it uses: \(needed.joined(separator: ", "))"))
            }
            if event.field(binding.field.value) == nil, !undecodable(binding.field.value) {
                diagnostics.report(
                    .invalidBinding, at: binding.field.location,
                    "the event '\(eventName)' has no payload field '\(binding.field.value)'",
                    hint: suggestion(for: binding.field.value, in: fieldNames)
                        ?? "its payload has: \(fieldNames.isEmpty ? "no fields" : fieldNames.joined(separator: ", "))")
            }
        }
        let bindings = Self.bindings(for: action, needed: needed)
        // An undeclared param is reported once, as unknown (CP300), not again as a missing field.
        for param in needed where types[param] != nil {
            let fieldName = bindings[param]!
            let explicit = action.bind.contains { $0.param.value == param }
            guard let field = event.field(fieldName) else {
                if !explicit, !undecodable(fieldName) {
                    let candidates = event.payload.filter { $0.type == types[param] }.map(\.name.value)
                    diagnostics.report(
                        .payloadMissingParam, at: action.location,
                        "the event '\(eventName)' has no payload field '\(param)' to fill the param '\(param)'",
                        hint: candidates.isEmpty
                            ? "add '\(param)' to the payload of '\(eventName)', or invalidate by a tag or pattern that does not need it"
                            : "bind it to a payload field: 'bind: { \(param): \(candidates[0]) }'")
                }
                continue
            }
            if let paramType = types[param], paramType != field.type {
                diagnostics.report(
                    .bindTypeMismatch, at: explicit ? action.bind.first { $0.param.value == param }!.field.location : action.location,
                    "the param '\(param)' is \(paramType), but the payload field '\(fieldName)' of '\(eventName)' is \(field.type)",
                    hint: "bind a field of type \(paramType), or change one of the two types")
            }
        }
    }

    mutating func checkWarmups(_ service: Service, reach: FamilyReach) {
        for job in service.warmups {
            if job.keys.isEmpty {
                diagnostics.report(
                    .invalidValue, at: job.location, "the warmup job '\(job.name.value)' lists no key families",
                    hint: "list the families it writes under 'keys:'")
            }
            for key in job.keys {
                _ = resolveFamily(service: key.service, family: key.family, in: service, reach: reach, purpose: "warm")
            }
            for event in job.after { _ = resolveEvent(event) }
        }
    }

    mutating func checkDependencies(_ service: Service) {
        for family in service.keys {
            for entity in family.dependsOn where mutators[entity.value] == nil {
                diagnostics.report(
                    .unmutatedEntity, at: entity.location,
                    "the key family '\(family.name.value)' depends on '\(entity.value)', which no event mutates",
                    hint: suggestion(for: entity.value, in: mutators.keys)
                        ?? "list it under 'mutates:' of the events that change it, or remove the dependency")
            }
        }
    }
}
