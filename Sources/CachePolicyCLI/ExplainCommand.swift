import ArgumentParser
import PolicyCompiler

/// `cachepolicy explain CODE`: the long explanation of a diagnostic code.
struct ExplainCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a diagnostic by code or name, e.g. 'cachepolicy explain CP104' or 'cachepolicy explain key-overlap'.")

    @Argument(help: "A diagnostic code such as CP104, or its name such as key-overlap.")
    var code: String?

    @Flag(help: "List every code.")
    var all = false

    @Flag(help: "With --all, print the whole catalogue as Markdown (docs/diagnostics.md).")
    var markdown = false

    func validate() throws {
        if code == nil, !all { throw ValidationError("name a code or name (e.g. CP104, key-overlap) or pass --all") }
    }

    func execute(_ console: Console) throws -> Int32 {
        if all {
            if markdown {
                console.out(DiagnosticCatalogue.markdown())
            } else {
                for entry in DiagnosticCatalogue.entries {
                    console.out("\(entry.code)  \(entry.severity.rawValue.padding(7))  \(entry.name.padding(26))  \(entry.summary)\n")
                }
            }
            return 0
        }
        guard let code, let entry = DiagnosticCatalogue.lookup(code) else {
            let hint = Suggestions.hint(for: code ?? "", in: DiagnosticCatalogue.entries.map(\.name)).map { " (\($0))" } ?? ""
            throw UsageError(description: "error: no diagnostic has the code or name '\(code ?? "")'\(hint); 'cachepolicy explain --all' lists them")
        }
        console.out("""
            \(entry.code): \(entry.name) (\(entry.severity.rawValue), \(entry.category.rawValue.lowercased()))

            \(entry.summary)

            \(entry.explanation)

            """)
        return 0
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
