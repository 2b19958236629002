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

    @OptionGroup var input: PolicyInputOptions

    @Option(name: .shortAndLong, help: "The output folder.")
    var output = "generated"

    @Flag(help: "Write nothing; exit 1 and list the files that differ when the output folder is out of date.")
    var check = false

    @Option(help: "What to emit: swift (one file per service plus CacheEvents.swift) or json (program.json).")
    var emit: Emit = .swift

    @Option(name: .customLong("import"), help: "A module the generated Swift imports (where value types live); repeatable.")
    var imports: [String] = []

    @Option(help: "Access level of the generated declarations: public, package or internal (default: the config's, else public; internal for the build plugin).")
    var access: AccessLevel?

    @Option(help: "A generation config (cachepolicy.yaml: imports, access, strict); the build plugin passes the one beside 'policies'.")
    var config: String?

    @Option(help: "Write policy paths in generated files relative to this folder.")
    var sourceRoot: String?

    @Option(help: .hidden)
    var generator: SwiftEmitter.Provenance.Generator = .cli

    func validate() throws {
        for module in imports where !GenerationConfig.isModuleName(module) {
            throw ValidationError("'\(module)' is not a module name")
        }
    }

    func execute(_ console: Console) throws -> Int32 {
        var settings = GenerationConfig(imports: imports, access: access, strict: input.strict)
        var configReferences: [String] = []
        if let config {
            let file = try PolicyFiles.read([config], limit: input.maxFileSize)[0]
            let decoded = GenerationConfig.decode(file, limits: input.limits)
            if !decoded.diagnostics.isEmpty {
                console.error(input.format.render(decoded.diagnostics, sources: [file.path: file], fileCount: 1, colored: false))
            }
            guard let found = decoded.config else {
                console.error("error: not generating: the generation config \(config) has errors")
                return 1
            }
            settings.imports += found.imports
            settings.access = access ?? found.access
            settings.strict = input.strict || found.strict
            // Reference paths in the config are relative to the config file.
            let base = (config as NSString).deletingLastPathComponent
            configReferences = found.references.map { $0.hasPrefix("/") || base.isEmpty ? $0 : base + "/" + $0 }
        }
        let files = try input.readFiles(console)
        let references = try input.readReferences(console, extra: configReferences)
        let result = input.compiler.compile(files, references: references)
        let sources = Dictionary((files + references).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        if !result.diagnostics.isEmpty {
            console.error(input.format.render(result.diagnostics, sources: sources, fileCount: files.count, colored: false))
        }
        if let omitted = input.omittedNote(result.omitted) { console.error(omitted) }
        guard let program = result.program else {
            console.error("error: not generating: \(result.errorCount) error\(result.errorCount == 1 ? "" : "s") in the policies")
            return 1
        }
        if settings.strict, result.warningCount > 0 {
            console.error("error: not generating: \(result.warningCount) warning\(result.warningCount == 1 ? "" : "s") in the policies, and warnings are errors (strict)")
            return 1
        }
        let generated: [GeneratedFile]
        switch emit {
        case .json:
            generated = [JSONEmitter.emit(program)]
        case .swift:
            let provenance = SwiftEmitter.Provenance(sourceRoot: sourceRoot, generator: generator)
            generated = SwiftEmitter(imports: settings.imports, access: settings.access ?? (generator == .plugin ? .internal : .public), provenance: provenance).emit(program)
        }
        let folder = OutputFolder(path: output)
        let plan = try folder.plan(generated, removeStale: emit == .swift)
        if check {
            guard plan.isEmpty else {
                console.error("error: \(output) is out of date with the policies:\n" + plan.summary
                    + "run: cachepolicy generate \(input.paths.joined(separator: " ")) --output \(output)"
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
extension SwiftEmitter.Provenance.Generator: ExpressibleByArgument {}
