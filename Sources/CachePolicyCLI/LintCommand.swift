import ArgumentParser
import PolicyCompiler

/// `cachepolicy lint`: reports every problem in the policies.
struct LintCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check policy files and report every problem with its location.",
        discussion: "Exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage or I/O error.")

    @Argument(help: "Policy files or folders (folders are searched for *.yaml and *.yml).")
    var paths: [String] = ["policies"]

    @Option(help: "Output format: text, json, sarif or github.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "Largest policy file accepted, in bytes.")
    var maxFileSize = SyntaxLimits.default.maxFileSize

    func validate() throws {
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
    }

    func execute(_ console: Console) throws -> Int32 {
        let limits = SyntaxLimits(maxFileSize: maxFileSize)
        let files = try PolicyFiles.read(PolicyFiles.discover(paths), limit: limits.maxFileSize)
        let result = Compiler(limits: limits).compile(files)
        let sources = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let colored = format == .text && console.colored
        console.out(format.render(result.diagnostics, sources: sources, fileCount: files.count, colored: colored))
        if format == .text {
            console.out(Self.summary(files: files.count, errors: result.errorCount, warnings: result.warningCount) + "\n")
        }
        return result.errorCount > 0 || (strict && result.warningCount > 0) ? 1 : 0
    }

    static func summary(files: Int, errors: Int, warnings: Int) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return "\(count(files, "file")) checked: \(count(errors, "error")), \(count(warnings, "warning"))"
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
