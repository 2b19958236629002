import ArgumentParser
import PolicyCompiler

/// `cachepolicy graph`: events → the services that react → the key families they drop.
struct GraphCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw what each event invalidates, and where entries can go stale, as Mermaid or DOT.",
        discussion: """
            Each event points at the key families it drops, grouped by the reacting service and labelled \
            key, tag or pattern. Staleness gaps (CP500) are dashed red edges. Mermaid renders in GitHub \
            Markdown; DOT renders with Graphviz (dot -Tsvg). Policies with errors are reported instead.
            """)

    @OptionGroup var sources: PolicySourceOptions

    @Option(help: "mermaid or dot.")
    var format: GraphEmitter.Format = .mermaid

    func execute(_ console: Console) throws -> Int32 {
        guard let program = try compileForOutput(sources, console, doing: "draw") else { return 1 }
        console.out(GraphEmitter.emit(program, format: format))
        return 0
    }
}

extension GraphEmitter.Format: ExpressibleByArgument {}
