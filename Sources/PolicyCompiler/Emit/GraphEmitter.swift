/// Draws a program as a graph: each event points at the key families it drops, grouped by the
/// service that reacts, each edge labelled with how (key, tag or pattern); families show their
/// pattern and TTL; a staleness gap (an event that mutates what a family depends on without
/// dropping it) is a dashed red edge labelled with how long entries can stay stale.
/// Mermaid renders in GitHub Markdown; DOT renders with Graphviz.
public enum GraphEmitter {
    public enum Format: String, Sendable, CaseIterable {
        case mermaid, dot
    }

    public static func emit(_ program: Program, format: Format) -> String {
        let graph = Graph(program)
        return switch format {
        case .mermaid: mermaid(graph)
        case .dot: dot(graph)
        }
    }

    /// The graph in a neutral form both renderers read.
    struct Graph {
        struct Family {
            var id: String
            var label: [String]
            var stale: Bool
        }

        struct Edge {
            var event: String
            var family: String
            var label: String
            var stale: Bool
        }

        var events: [(id: String, name: String)] = []
        var services: [(name: String, families: [Family])] = []
        var edges: [Edge] = []

        init(_ program: Program) {
            var eventIDs: [String: String] = [:]
            for (index, event) in program.events.enumerated() {
                eventIDs[event.name] = "e\(index)"
                events.append(("e\(index)", event.name))
            }
            for (serviceIndex, service) in program.services.enumerated() {
                let staleFamilies = Set(service.staleness.flatMap(\.families))
                var ids: [String: String] = [:]
                var families: [Family] = []
                for (index, family) in service.keys.enumerated() {
                    let id = "s\(serviceIndex)f\(index)"
                    ids[family.name] = id
                    families.append(Family(
                        id: id, label: [family.name, family.pattern.text, "TTL \(family.ttl)"],
                        stale: staleFamilies.contains(family.name)))
                }
                services.append((service.name, families))
                for reaction in service.reactions {
                    guard let event = eventIDs[reaction.event] else { continue }
                    for action in reaction.actions {
                        let label = switch action.target {
                        case .key: "key"
                        case .tag(let tag): "tag \(tag.text)"
                        case .pattern(let glob): "pattern \(glob.text)"
                        }
                        for family in action.reaches {
                            edges.append(Edge(event: event, family: ids[family]!, label: label, stale: false))
                        }
                    }
                }
                for gap in service.staleness {
                    for event in gap.events.compactMap({ eventIDs[$0] }) {
                        for family in gap.families {
                            edges.append(Edge(event: event, family: ids[family]!, label: "stale up to \(gap.bound.map { "\($0)" } ?? "TTL")", stale: true))
                        }
                    }
                }
            }
        }
    }

    // MARK: Mermaid

    /// Text inside a quoted Mermaid label: quotes and markup characters as entity codes.
    static func mermaidText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "#": out += "#35;"
            case "`": out += "#96;"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func mermaid(_ graph: Graph) -> String {
        var lines = ["flowchart LR"]
        for event in graph.events {
            lines.append("  \(event.id)([\"\(mermaidText(event.name))\"])")
        }
        for (index, service) in graph.services.enumerated() {
            lines.append("  subgraph s\(index)[\"\(mermaidText(service.name))\"]")
            for family in service.families {
                lines.append("    \(family.id)[\"\(family.label.map(mermaidText).joined(separator: "<br/>"))\"]")
            }
            lines.append("  end")
        }
        var staleLinks: [Int] = []
        for (index, edge) in graph.edges.enumerated() {
            let arrow = edge.stale ? "-. \"\(mermaidText(edge.label))\" .->" : "-- \"\(mermaidText(edge.label))\" -->"
            lines.append("  \(edge.event) \(arrow) \(edge.family)")
            if edge.stale { staleLinks.append(index) }
        }
        let staleFamilies = graph.services.flatMap(\.families).filter(\.stale).map(\.id)
        if !staleFamilies.isEmpty {
            lines.append("  classDef stale stroke:#d00,stroke-width:2px,color:#d00")
            lines.append("  class \(staleFamilies.joined(separator: ",")) stale")
        }
        if !staleLinks.isEmpty {
            lines.append("  linkStyle \(staleLinks.map(String.init).joined(separator: ",")) stroke:#d00,color:#d00")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: DOT

    /// A DOT string literal.
    static func dotString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func dot(_ graph: Graph) -> String {
        var lines = ["digraph cachepolicy {", "  rankdir=LR;", "  node [fontname=\"Helvetica\", fontsize=10];", "  edge [fontname=\"Helvetica\", fontsize=9];"]
        for event in graph.events {
            lines.append("  \(event.id) [label=\(dotString(event.name)), shape=oval];")
        }
        for (index, service) in graph.services.enumerated() {
            lines.append("  subgraph cluster_s\(index) {")
            lines.append("    label=\(dotString(service.name));")
            for family in service.families {
                let style = family.stale ? ", color=red, fontcolor=red" : ""
                // Lines of a DOT label are separated by the escape `\n`, not by a line break.
                let label = "\"" + family.label.map { String(dotString($0).dropFirst().dropLast()) }.joined(separator: "\\n") + "\""
                lines.append("    \(family.id) [label=\(label), shape=box\(style)];")
            }
            lines.append("  }")
        }
        for edge in graph.edges {
            let style = edge.stale ? ", style=dashed, color=red, fontcolor=red" : ""
            lines.append("  \(edge.event) -> \(edge.family) [label=\(dotString(edge.label))\(style)];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
