import ArgumentParser
import PolicyCompiler

/// Which policy files a command reads, and the references beside them: shared by every command
/// that compiles policies (`lint`, `generate`, `diff`, `graph`, `alerts`, `dashboard`, and
/// `cachepolicy-audit`).
public struct PolicySourceOptions: ParsableArguments {
    @Argument(help: "Policy files or folders (folders are searched recursively for *.yaml and *.yml).")
    public var paths: [String] = ["policies"]

    @Option(help: "Largest policy file accepted, in bytes.")
    public var maxFileSize = SyntaxLimits.default.maxFileSize

    @Option(name: .customLong("reference"), help: "Policies declared elsewhere whose events these policies react to (files or folders; repeatable). Only their events are read; nothing of them is checked or generated.")
    public var references: [String] = []

    public init() {}

    public func validate() throws {
        guard maxFileSize > 0 else { throw ValidationError("--max-file-size must be positive") }
    }

    var limits: SyntaxLimits { SyntaxLimits(maxFileSize: maxFileSize) }

    /// Discovers and reads the policy files; notes on skipped entries go to stderr.
    func readFiles(_ console: Console) throws -> [SourceFile] {
        try read(paths, console)
    }

    /// Reads the `--reference` policies (and `extra` ones, e.g. from a generation config).
    func readReferences(_ console: Console, extra: [String] = []) throws -> [SourceFile] {
        let all = references + extra
        return all.isEmpty ? [] : try read(all, console)
    }

    private func read(_ paths: [String], _ console: Console) throws -> [SourceFile] {
        let discovery = try PolicyFiles.discover(paths)
        for note in discovery.skipped { console.error("note: " + note) }
        return try PolicyFiles.read(discovery.files, limit: maxFileSize)
    }
}

/// The source options plus how to report (`lint`, `generate`, `diff`).
struct PolicyInputOptions: ParsableArguments {
    @OptionGroup var sources: PolicySourceOptions

    @Option(help: "Diagnostic format: text, json, sarif or github.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "Keep and show at most this many diagnostics (0: all); the summary still counts every one, and memory stays bounded.")
    var maxDiagnostics = 1000

    func validate() throws {
        guard maxDiagnostics >= 0 else { throw ValidationError("--max-diagnostics must be 0 or more") }
    }

    var paths: [String] { sources.paths }
    var maxFileSize: Int { sources.maxFileSize }
    var limits: SyntaxLimits { sources.limits }

    func readFiles(_ console: Console) throws -> [SourceFile] { try sources.readFiles(console) }

    func readReferences(_ console: Console, extra: [String] = []) throws -> [SourceFile] {
        try sources.readReferences(console, extra: extra)
    }

    /// The compiler with these limits.
    var compiler: Compiler { Compiler(limits: limits, maxDiagnostics: maxDiagnostics == 0 ? nil : maxDiagnostics) }

    /// The note for diagnostics found but not shown, if any.
    func omittedNote(_ omitted: Int) -> String? {
        omitted == 0 ? nil : "note: \(omitted) more diagnostic\(omitted == 1 ? "" : "s") not shown (--max-diagnostics \(maxDiagnostics); 0 shows all)"
    }

    /// The diagnostics to print, and a line saying how many were left out.
    func shown(_ diagnostics: [Diagnostic]) -> (diagnostics: [Diagnostic], omitted: String?) {
        guard maxDiagnostics > 0, diagnostics.count > maxDiagnostics else { return (diagnostics, nil) }
        let left = diagnostics.count - maxDiagnostics
        return (Array(diagnostics.prefix(maxDiagnostics)), omittedNote(left))
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
