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

    @Argument(help: "Policy files or folders (folders are searched recursively for *.yaml and *.yml).")
    var paths: [String] = ["policies"]

    @Option(help: "mermaid or dot.")
    var format: GraphEmitter.Format = .mermaid

    @Option(help: "Largest policy file accepted, in bytes.")
    var maxFileSize = SyntaxLimits.default.maxFileSize

    @Option(name: .customLong("reference"), help: "Policies declared elsewhere whose events these react to (repeatable).")
    var references: [String] = []

    func validate() throws {
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
    }

    func execute(_ console: Console) throws -> Int32 {
        let discovery = try PolicyFiles.discover(paths)
        for note in discovery.skipped { console.error("note: " + note) }
        let files = try PolicyFiles.read(discovery.files, limit: maxFileSize)
        let referenced = references.isEmpty ? [] : try PolicyFiles.read(PolicyFiles.discover(references).files, limit: maxFileSize)
        let result = Compiler(limits: SyntaxLimits(maxFileSize: maxFileSize)).compile(files, references: referenced)
        guard let program = result.program else {
            let sources = Dictionary((files + referenced).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            console.error(TextRenderer(sources: sources).render(result.diagnostics.filter { $0.severity == .error }))
            console.error("error: cannot draw: \(result.errorCount) error\(result.errorCount == 1 ? "" : "s") in the policies")
            return 1
        }
        console.out(GraphEmitter.emit(program, format: format))
        return 0
    }
}

extension GraphEmitter.Format: ExpressibleByArgument {}
