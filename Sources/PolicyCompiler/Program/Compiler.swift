/// The compiler's front door: source files in, a program and diagnostics out. Pure: the caller
/// reads the files and decides what to do with the result.
public struct Compiler: Sendable {
    public var limits: SyntaxLimits
    /// Keep at most this many diagnostics (the first in report order); `nil` keeps all. Counts
    /// stay exact, and memory stays bounded by the input rather than by the number of findings.
    public var maxDiagnostics: Int?

    public init(limits: SyntaxLimits = .default, maxDiagnostics: Int? = nil) {
        self.limits = limits
        self.maxDiagnostics = maxDiagnostics
    }

    /// The outcome of one compilation.
    public struct Result: Sendable {
        /// The resolved program; `nil` when any error was found.
        public var program: Program?
        /// All diagnostics of all files (the first `maxDiagnostics`), sorted by file and position.
        public var diagnostics: [Diagnostic]
        /// Every error and warning found, including those not kept.
        public var errorCount: Int
        public var warningCount: Int
        /// Diagnostics found but not kept (beyond `maxDiagnostics`).
        public var omitted: Int
    }

    /// The stages in order, each with one input and one output: read (bytes → node tree), decode
    /// (node tree → services), check (services → diagnostics), build (services → program, only
    /// when no error was found). References cross files, so all files are checked together.
    ///
    /// `references` are policies declared elsewhere (another package or repository): only their
    /// events are used, so services here can react to them; nothing else of them is checked or
    /// generated, except that they must parse.
    public func compile(_ files: [SourceFile], references: [SourceFile] = []) -> Result {
        run(files, references: references, buildingProgram: true)
    }

    /// The stages up to the checker, for `lint`: the same diagnostics as ``compile(_:references:)``,
    /// without building a program nobody reads (the result's `program` is always `nil`).
    public func check(_ files: [SourceFile], references: [SourceFile] = []) -> Result {
        run(files, references: references, buildingProgram: false)
    }

    private func run(_ files: [SourceFile], references: [SourceFile], buildingProgram: Bool) -> Result {
        var diagnostics = DiagnosticBag(limit: maxDiagnostics)
        let (services, platforms) = decode(files, into: &diagnostics)
        let paths = Set(files.map(\.path))
        // A referenced package's platform file describes its own deployment: not read here.
        let referenced = decode(references.filter { !paths.contains($0.path) }, into: &diagnostics).services
        diagnostics.merge(Checker.check(services, references: referenced, limit: maxDiagnostics))
        diagnostics.merge(PlatformRules.check(platforms, services: services))
        var program = !buildingProgram || diagnostics.hasErrors ? nil : ProgramBuilder.build(services, references: referenced)
        program?.platform = platforms.first
        // The decoded services are the largest object graph of a run; the program keeps what it needs.
        ParallelMap.release(consume services)
        return Result(
            program: program, diagnostics: diagnostics.sorted, errorCount: diagnostics.errorCount,
            warningCount: diagnostics.warningCount, omitted: diagnostics.omitted)
    }

    /// Reads and decodes each file on its own (files are independent until the checker), spread
    /// over the machine's cores; results and diagnostics are gathered in path order, so the output
    /// is the same as a sequential run. Each file's node tree is dropped as soon as it is decoded.
    private enum Decoded: Sendable {
        case service(Service)
        case platform(Platform)
    }

    private func decode(_ files: [SourceFile], into diagnostics: inout DiagnosticBag) -> (services: [Service], platforms: [Platform]) {
        let ordered = files.sorted(by: { $0.path < $1.path })
        let decoded = ParallelMap.map(ordered) { file -> (Decoded?, DiagnosticBag) in
            var bag = DiagnosticBag(limit: maxDiagnostics)
            guard let root = YAMLReader.read(file, limits: limits, diagnostics: &bag) else { return (nil, bag) }
            var decoder = PolicyDecoder(file: file.path)
            let result: Decoded?
            if PolicyDecoder.isPlatform(root) {
                result = decoder.decodePlatform(root).map(Decoded.platform)
            } else {
                if GeneratedNames.isPlatformFile(file.path) {
                    bag.report(
                        .platformFile, at: root.location, "platform.yaml is the platform file: it declares 'platform:' and 'environments:', not a service",
                        hint: "name the service's file after the service, e.g. policies/\(PolicyDecoder.serviceName(fromFile: file.path))-service.yaml")
                }
                result = decoder.decodeService(root).map(Decoded.service)
            }
            bag.append(contentsOf: decoder.diagnostics.diagnostics)
            return (result, bag)
        }
        var services: [Service] = []
        var platforms: [Platform] = []
        services.reserveCapacity(decoded.count)
        for (result, bag) in decoded {
            diagnostics.merge(bag)
            switch result {
            case .service(let service): services.append(service)
            case .platform(let platform): platforms.append(platform)
            case nil: break
            }
        }
        return (services, platforms)
    }
}
