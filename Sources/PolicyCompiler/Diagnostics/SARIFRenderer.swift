/// Renders diagnostics as a SARIF 2.1.0 log for code-scanning tools (e.g. GitHub code scanning).
public enum SARIFRenderer {
    public static let toolName = "cachepolicy"
    public static let toolVersion = "0.1.0"
    static let schema = "https://json.schemastore.org/sarif-2.1.0.json"

    struct Log: Encodable {
        let schema: String
        let version: String
        let runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }

    struct Run: Encodable {
        let tool: Tool
        let results: [Result]
        let columnKind: String
    }

    struct Tool: Encodable { let driver: Driver }

    struct Driver: Encodable {
        let name: String
        let version: String
        let rules: [Rule]
    }

    struct Rule: Encodable {
        let id: String
        let name: String
        let shortDescription: Text
        let fullDescription: Text
        let defaultConfiguration: Configuration
        let properties: RuleProperties
    }

    struct RuleProperties: Encodable { let category: String }
    struct Configuration: Encodable { let level: String }
    struct Text: Encodable { let text: String }

    struct Result: Encodable {
        let ruleId: String
        let ruleIndex: Int
        let level: String
        let message: Text
        let locations: [Location]
        let relatedLocations: [Location]?
    }

    struct Location: Encodable {
        let id: Int?
        let physicalLocation: PhysicalLocation
        let message: Text?
    }

    struct PhysicalLocation: Encodable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }

    struct ArtifactLocation: Encodable { let uri: String }

    struct Region: Encodable {
        let startLine: Int
        let startColumn: Int
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    static func location(_ location: SourceLocation, id: Int? = nil, message: String? = nil) -> Location {
        Location(
            id: id,
            physicalLocation: PhysicalLocation(
                artifactLocation: ArtifactLocation(uri: location.file),
                region: Region(startLine: location.line, startColumn: location.column)),
            message: message.map(Text.init))
    }

    public static func render(_ diagnostics: [Diagnostic]) -> String {
        let codes = Array(Set(diagnostics.map(\.code))).sorted()
        let index = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rules = codes.map { code in
            let entry = code.entry
            return Rule(
                id: code.rawValue, name: entry.name, shortDescription: Text(text: entry.summary),
                fullDescription: Text(text: entry.explanation),
                defaultConfiguration: Configuration(level: level(entry.severity)),
                properties: RuleProperties(category: entry.category.rawValue))
        }
        let results = diagnostics.map { diagnostic in
            Result(
                ruleId: diagnostic.code.rawValue, ruleIndex: index[diagnostic.code]!, level: level(diagnostic.severity),
                message: Text(text: diagnostic.hint.map { "\(diagnostic.message) (hint: \($0))" } ?? diagnostic.message),
                locations: [location(diagnostic.location)],
                relatedLocations: diagnostic.related.isEmpty ? nil : diagnostic.related.enumerated().map {
                    location($1.location, id: $0 + 1, message: $1.message)
                })
        }
        let log = Log(
            schema: schema, version: "2.1.0",
            runs: [Run(
                tool: Tool(driver: Driver(
                    name: toolName, version: toolVersion, rules: rules)),
                results: results, columnKind: "unicodeCodePoints")])
        return JSONRenderer.encode(log)
    }
}
