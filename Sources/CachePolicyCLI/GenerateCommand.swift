import ArgumentParser
import Foundation
import PolicyCompiler

/// `cachepolicy generate`: checked policies → Swift (or the program as JSON), written atomically.
struct GenerateCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate Swift (or JSON) from policy files.",
        discussion: """
            Nothing is written when any policy has an error. Files are replaced only when their content \
            changes; generated files of services that no longer exist are removed; nothing else in the \
            output folder is touched. With --check, nothing is written and the exit status is 1 when \
            the folder is out of date.
            """)

    enum Emit: String, ExpressibleByArgument, CaseIterable {
        case swift, json
    }

    @Argument(help: "Policy files or folders.")
    var paths: [String] = ["policies"]

    @Option(name: .shortAndLong, help: "The output folder.")
    var output = "generated"

    @Flag(help: "Write nothing; exit 1 and list the files that differ when the output folder is out of date.")
    var check = false

    @Option(help: "What to emit: swift (one file per service plus CacheEvents.swift) or json (program.json).")
    var emit: Emit = .swift

    @Option(name: .customLong("import"), help: "A module the generated Swift imports (where value types live); repeatable.")
    var imports: [String] = []

    @Option(help: "Access level of the generated declarations: public, package or internal.")
    var access: AccessLevel = .public

    @Option(help: "Diagnostic format: text, json, sarif or github.")
    var format: DiagnosticFormat = .text

    @Option(help: "Largest policy file accepted, in bytes.")
    var maxFileSize = SyntaxLimits.default.maxFileSize

    func validate() throws {
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
        for module in imports where module.isEmpty || !module.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw ValidationError("'\(module)' is not a module name")
        }
    }

    func execute(_ console: Console) throws -> Int32 {
        let limits = SyntaxLimits(maxFileSize: maxFileSize)
        let files = try PolicyFiles.read(PolicyFiles.discover(paths), limit: limits.maxFileSize)
        let result = Compiler(limits: limits).compile(files)
        let sources = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        func report(_ diagnostics: [Diagnostic]) {
            guard !diagnostics.isEmpty else { return }
            console.error(format.render(diagnostics, sources: sources, fileCount: files.count, colored: false))
        }
        report(result.diagnostics)
        guard let program = result.program else {
            console.error("error: not generating: \(result.errorCount) error\(result.errorCount == 1 ? "" : "s") in the policies")
            return 1
        }
        let generated: [GeneratedFile]
        switch emit {
        case .json:
            generated = [JSONEmitter.emit(program)]
        case .swift:
            generated = SwiftEmitter(imports: imports, access: access).emit(program)
        }
        let folder = OutputFolder(path: output)
        let plan = try folder.plan(generated, removeStale: emit == .swift)
        if check {
            guard plan.isEmpty else {
                console.error("error: \(output) is out of date with the policies:\n" + plan.summary
                    + "run: cachepolicy generate \(paths.joined(separator: " ")) --output \(output)"
                    + imports.map { " --import \($0)" }.joined())
                return 1
            }
            console.out("\(output) is up to date (\(generated.count) files)\n")
            return 0
        }
        try folder.apply(plan)
        console.out("\(output): \(plan.isEmpty ? "up to date" : plan.counts) (\(generated.count) files)\n")
        return 0
    }
}

extension AccessLevel: ExpressibleByArgument {}

/// `cachepolicy schema`: the JSON Schema of policy files.
struct SchemaCommand: ParsableCommand, ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of policy files (for editors' YAML language server).")

    func execute(_ console: Console) throws -> Int32 {
        console.out(PolicySchema.document().rendered())
        return 0
    }
}
