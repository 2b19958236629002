/// How a target wants its cache API generated: the `cachepolicy.yaml` beside its `policies`
/// folder, read by the build plugin (and by `cachepolicy generate --config`).
///
/// ```yaml
/// imports: [BookModels]   # modules the generated code imports (where value types live)
/// access: public          # public | package | internal (default: internal in the plugin)
/// strict: true            # warnings fail the build too
/// references: [../../Contracts/policies]   # events declared elsewhere that these policies react to
/// ```
public struct GenerationConfig: Sendable, Hashable {
    public var imports: [String] = []
    public var access: AccessLevel?
    public var strict: Bool = false
    /// Policy files or folders (relative to the config file) declared elsewhere, whose events the
    /// target's policies react to; only their events are read.
    public var references: [String] = []

    public init(imports: [String] = [], access: AccessLevel? = nil, strict: Bool = false, references: [String] = []) {
        self.imports = imports
        self.access = access
        self.strict = strict
        self.references = references
    }

    /// The config file's name; the plugin looks for it beside the `policies` folder.
    public static let fileName = GeneratedNames.configFileName
    public static let fields = ["imports", "access", "strict", "references"]

    /// Parses and checks a config file; every problem is a located diagnostic, as in policies.
    public static func decode(_ file: SourceFile, limits: SyntaxLimits = .default) -> (config: GenerationConfig?, diagnostics: [Diagnostic]) {
        var bag = DiagnosticBag()
        guard let root = YAMLReader.read(file, limits: limits, diagnostics: &bag) else { return (nil, bag.sorted) }
        var decoder = PolicyDecoder(file: file.path)
        let config = decoder.decodeGenerationConfig(root)
        bag.append(contentsOf: decoder.diagnostics.diagnostics)
        return (bag.hasErrors ? nil : config, bag.sorted)
    }

    /// Whether `name` can be imported: a Swift module name.
    public static func isModuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.utf8.count <= 128 && !SwiftNames.keywords.contains(name)
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" }
    }
}
