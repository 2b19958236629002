/// Renders diagnostics as a SARIF 2.1.0 log for code-scanning tools (e.g. GitHub code scanning).
public enum SARIFRenderer {
    public static let toolName = "cachepolicy"
    public static let toolVersion = "0.1.0"
    static let schema = "https://json.schemastore.org/sarif-2.1.0.json"

    static func level(_ severity: Severity) -> JSONValue {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    static func text(_ text: String) -> JSONValue { .object([("text", .string(text))]) }

    static func location(_ location: SourceLocation, id: Int? = nil, message: String? = nil) -> JSONValue {
        .object(dropping: [
            ("id", id.map { .int($0) }),
            ("physicalLocation", .object([
                ("artifactLocation", .object([("uri", .string(location.file))])),
                ("region", .object([("startLine", .int(location.line)), ("startColumn", .int(location.column))])),
            ])),
            ("message", message.map(text)),
        ])
    }

    public static func render(_ diagnostics: [Diagnostic]) -> String {
        let codes = Array(Set(diagnostics.map(\.code))).sorted()
        let index = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        let rules = codes.map { code -> JSONValue in
            let entry = code.entry
            return .object([
                ("id", .string(code.rawValue)),
                ("name", .string(entry.name)),
                ("shortDescription", text(entry.summary)),
                ("fullDescription", text(entry.explanation)),
                ("defaultConfiguration", .object([("level", level(entry.severity))])),
                ("properties", .object([("category", .string(entry.category.rawValue))])),
            ])
        }
        let results = diagnostics.map { diagnostic -> JSONValue in
            .object(dropping: [
                ("ruleId", .string(diagnostic.code.rawValue)),
                ("ruleIndex", .int(index[diagnostic.code]!)),
                ("level", level(diagnostic.severity)),
                ("message", text(diagnostic.hint.map { "\(diagnostic.message) (hint: \($0))" } ?? diagnostic.message)),
                ("locations", [location(diagnostic.location)]),
                ("relatedLocations", diagnostic.related.isEmpty ? nil : .array(diagnostic.related.enumerated().map {
                    location($1.location, id: $0 + 1, message: $1.message)
                })),
            ])
        }
        return JSONValue.object([
            ("$schema", .string(schema)),
            ("version", "2.1.0"),
            ("runs", [.object([
                ("tool", .object([("driver", .object([
                    ("name", .string(toolName)),
                    ("version", .string(toolVersion)),
                    ("rules", .array(rules)),
                ]))])),
                ("columnKind", "unicodeCodePoints"),
                ("results", .array(results)),
            ])]),
        ]).rendered()
    }
}
