import ArgumentParser
import PolicyCompiler

/// `cachepolicy lint`: reports every problem in the policies.
struct LintCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check policy files and report every problem with its location.",
        discussion: "Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage or I/O error.")

    @OptionGroup var input: PolicyInputOptions

    func execute(_ console: Console) throws -> Int32 {
        let files = try input.readFiles(console)
        let references = try input.readReferences(console)
        let result = input.compiler.check(files, references: references)
        let sources = Dictionary((files + references).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let colored = input.format == .text && console.colored
        console.out(input.format.render(result.diagnostics, sources: sources, fileCount: files.count, colored: colored))
        if let omitted = input.omittedNote(result.omitted) { console.error(omitted) }
        if input.format == .text {
            console.out(Self.summary(files: files.count, errors: result.errorCount, warnings: result.warningCount) + "\n")
        }
        return result.errorCount > 0 || (input.strict && result.warningCount > 0) ? 1 : 0
    }

    static func summary(files: Int, errors: Int, warnings: Int) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return "\(count(files, "file")) checked: \(count(errors, "error")), \(count(warnings, "warning"))"
    }
}
