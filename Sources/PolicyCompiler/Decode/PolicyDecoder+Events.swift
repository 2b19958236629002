extension PolicyDecoder {
    mutating func decodeEvents(_ node: Node) -> [Event] {
        guard let pairs = mapping(node, "'events'") else { return [] }
        var events: [Event] = []
        for pair in pairs {
            let name = Located(pair.key, at: pair.keyLocation)
            guard checkIdentifier(name, "the event", .event),
                  let fields = fields(pair.value, "the event '\(pair.key)'", PolicyFields.event)
            else {
                undecodable.insert("event:\(pair.key)")
                continue
            }
            var payload: [Param] = []
            if let payloadNode = fields["payload"], let entries = mapping(payloadNode, "the payload of '\(pair.key)'") {
                for entry in entries {
                    let field = Located(entry.key, at: entry.keyLocation)
                    if checkIdentifier(field, "the payload field", .member),
                       let type = paramType(entry.value, "the type of '\(entry.key)'") {
                        payload.append(Param(name: field, type: type))
                    } else {
                        undecodable.insert("field:\(pair.key).\(entry.key)")
                    }
                }
            }
            let description = fields["description"].flatMap { string($0, "'description'")?.value }
            let mutates = fields["mutates"].map { identifiers($0, "'mutates' of '\(pair.key)'", .member) } ?? []
            events.append(Event(name: name, description: description, payload: payload, mutates: mutates))
        }
        return events
    }
}
