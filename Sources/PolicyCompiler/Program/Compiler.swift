/// The compiler's front door: source files in, a program and diagnostics out. Pure: the caller
/// reads the files and decides what to do with the result.
public struct Compiler: Sendable {
    public var limits: SyntaxLimits

    public init(limits: SyntaxLimits = .default) {
        self.limits = limits
    }

    /// The outcome of one compilation.
    public struct Result: Sendable {
        /// The resolved program; `nil` when any error was found.
        public var program: Program?
        /// All diagnostics of all files, sorted by file and position.
        public var diagnostics: [Diagnostic]

        public var errorCount: Int { diagnostics.count { $0.severity == .error } }
        public var warningCount: Int { diagnostics.count { $0.severity == .warning } }
    }

    /// Parses, decodes and checks all files together (references cross files), and checks that
    /// every name can be generated as Swift.
    public func compile(_ files: [SourceFile]) -> Result {
        var diagnostics = DiagnosticBag()
        var services: [Service] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            guard let root = YAMLReader.read(file, limits: limits, diagnostics: &diagnostics) else { continue }
            var decoder = PolicyDecoder(file: file.path)
            let service = decoder.decodeService(root)
            diagnostics.append(contentsOf: decoder.diagnostics.diagnostics)
            if let service { services.append(service) }
        }
        let checked = Checker.check(services, buildProgram: !diagnostics.hasErrors)
        diagnostics.append(contentsOf: checked.diagnostics)
        // Names that cannot become Swift are policy errors too, so lint reports them.
        if let program = checked.program {
            diagnostics.append(contentsOf: SwiftEmitter.nameDiagnostics(program))
        }
        let hasErrors = diagnostics.hasErrors
        return Result(program: hasErrors ? nil : checked.program, diagnostics: diagnostics.sorted)
    }
}
