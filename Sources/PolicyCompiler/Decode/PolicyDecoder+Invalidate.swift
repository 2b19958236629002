extension PolicyDecoder {
    mutating func decodeInvalidations(_ node: Node) -> [EventInvalidation] {
        guard let pairs = mapping(node, "'invalidate'") else { return [] }
        var invalidations: [EventInvalidation] = []
        for pair in pairs {
            let event = Located(pair.key, at: pair.keyLocation)
            guard checkIdentifier(event, "the event", .event),
                  let items = list(pair.value, "the invalidations for '\(pair.key)'")
            else { continue }
            var actions: [InvalidationAction] = []
            for item in items {
                if let action = invalidationAction(item, event: pair.key) { actions.append(action) }
            }
            invalidations.append(EventInvalidation(event: event, actions: actions))
        }
        return invalidations
    }

    /// `family`, `service.family`, `{ key: …, bind: … }`, `{ tag: …, bind: …, wholesale: … }` or
    /// `{ pattern: …, bind: …, wholesale: …, scan: … }`.
    private mutating func invalidationAction(_ node: Node, event: String) -> InvalidationAction? {
        // Only built when a message needs it.
        func what() -> String { "an invalidation for '\(event)'" }
        if node.scalar != nil {
            guard let reference = familyReference(node, what()) else { return nil }
            return InvalidationAction(target: .key(service: reference.service, family: reference.family), bind: [], location: node.location)
        }
        guard let fields = fields(node, what(), PolicyFields.invalidation) else { return nil }
        let targets = ["key", "tag", "pattern"].filter { fields.value(named: $0) != nil }
        guard targets.count == 1 else {
            diagnostics.report(
                targets.isEmpty ? .missingField : .invalidValue, at: node.location,
                targets.isEmpty ? "\(what()) needs one of 'key', 'tag' or 'pattern'"
                    : "\(what()) has \(targets.map { "'\($0)'" }.joined(separator: " and ")); use one per entry",
                hint: targets.isEmpty ? nil : "split it into one list entry per target")
            return nil
        }
        let target: InvalidationAction.Target
        switch targets[0] {
        case "key":
            guard let reference = familyReference(fields["key"]!, what()) else { return nil }
            target = .key(service: reference.service, family: reference.family)
        case "tag":
            guard let tag = pattern(fields["tag"]!, "the tag of \(what())", use: .tag) else { return nil }
            target = .tag(tag)
        default:
            guard let glob = pattern(fields["pattern"]!, "the pattern of \(what())", use: .invalidation) else { return nil }
            target = .pattern(glob)
        }
        var bind: [Binding] = []
        if let bindNode = fields["bind"], let pairs = mapping(bindNode, "'bind'") {
            for pair in pairs {
                let param = Located(pair.key, at: pair.keyLocation)
                if checkIdentifier(param, "the param", .member),
                   let field = identifier(pair.value, "the payload field bound to '\(pair.key)'", .member) {
                    bind.append(Binding(param: param, field: field))
                }
            }
        }
        let wholesale = fields["wholesale"].flatMap { bool($0, "'wholesale'") }
        if let wholesale, case .key = target {
            diagnostics.report(
                .invalidValue, at: wholesale.location, "'wholesale' applies to tags and patterns; a key invalidation drops one key",
                hint: "remove 'wholesale'")
        }
        let scan = fields["scan"].flatMap { bool($0, "'scan'") }
        if let scan {
            switch target {
            case .pattern: break
            case .key, .tag:
                diagnostics.report(
                    .invalidValue, at: scan.location, "'scan' applies to patterns; keys and tags are removed by name",
                    hint: "remove 'scan'")
            }
        }
        return InvalidationAction(
            target: target, bind: bind, wholesale: wholesale?.value ?? false, scan: scan?.value ?? false, location: node.location)
    }

    /// `family` or `service.family`.
    mutating func familyReference(_ node: Node, _ what: @autoclosure () -> String) -> (service: Located<String>?, family: Located<String>)? {
        guard let text = string(node, "the key family in \(what())") else { return nil }
        let parts = text.value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 2 {
            let service = Located(parts[0], at: text.location)
            let family = Located(parts[1], at: text.location.advanced(by: parts[0].count + 1))
            guard checkIdentifier(service, "the service", .service), checkIdentifier(family, "the key family", .member) else {
                return nil
            }
            return (service, family)
        }
        return checkIdentifier(text, "the key family", .member) ? (nil, text) : nil
    }
}
