/// Emits `CacheEvents.swift`: one payload struct per event, shared by producers and consumers,
/// and the table of which services react to which event.
struct EventsFileEmitter {
    let program: Program
    let imports: [String]
    let access: AccessLevel
    let provenance: SwiftEmitter.Provenance

    func emit() -> String {
        var writer = SwiftWriter(access: access)
        for event in program.events {
            emitEvent(event, &writer)
            writer.line()
        }
        writer.doc(["Every event of the platform and the services that react to it."])
        writer.block("public enum CacheEvents") { writer in
            writer.list("public static let all: [any CacheEvent.Type] = [", program.events.map { "\(SwiftNames.typeName($0.name)).self" }, "]")
            writer.line()
            writer.doc(["Event name → the services whose caches react to it."])
            writer.list("public static let consumers: [String: [String]] = [", program.events.map { event in
                "\(SwiftNames.stringLiteral(event.name)): [\(event.consumers.map(SwiftNames.stringLiteral).joined(separator: ", "))]"
            }, "]", empty: ":")
        }
        let sources = Array(Set(program.services.map { provenance.path($0.location.file) })).sorted()
        let source = sources.count == 1 ? sources[0] : "\(sources.count) policy files"
        return SwiftEmitter.header(source: source, imports: imports, provenance: provenance) + "\n" + writer.text
    }

    private func emitEvent(_ event: EventProgram, _ writer: inout SwiftWriter) {
        let type = SwiftNames.typeName(event.name)
        var facts = ["Produced by `\(event.producer)`"]
        if !event.mutates.isEmpty { facts.append("mutates \(event.mutates.joined(separator: ", "))") }
        facts.append(event.consumers.isEmpty ? "no service reacts to it" : "invalidates caches in \(event.consumers.joined(separator: ", "))")
        writer.doc([event.description ?? "The payload of `\(event.name)`.", facts.joined(separator: "; ") + ". " + provenance.source(event.location)])
        writer.block("public struct \(type): CacheEvent") { writer in
            writer.line("public static let name = \(SwiftNames.stringLiteral(event.name))")
            writer.line("public static let producer = \(SwiftNames.stringLiteral(event.producer))")
            writer.line("public static let consumers: [String] = [\(event.consumers.map(SwiftNames.stringLiteral).joined(separator: ", "))]")
            if !event.payload.isEmpty { writer.line() }
            for field in event.payload {
                writer.line("public var \(SwiftNames.identifier(field.name.value)): \(SwiftEmitter.swiftType(field.type, name: field.name.value))")
            }
            SwiftEmitter.enumDeclarations(event.payload, into: &writer, owner: "`\(event.name)`")
            writer.line()
            let parameters = event.payload.map {
                SwiftNames.parameterDeclaration($0.name.value, type: SwiftEmitter.swiftType($0.type, name: $0.name.value))
            }
            writer.block("public init(\(parameters.joined(separator: ", ")))") { writer in
                for field in event.payload {
                    writer.line("self.\(SwiftNames.identifier(field.name.value)) = \(SwiftNames.parameter(field.name.value).local)")
                }
            }
        }
    }
}
