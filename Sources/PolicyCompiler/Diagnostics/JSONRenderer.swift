/// Renders diagnostics as one JSON document (format version 1, documented in docs/diagnostics.md).
public enum JSONRenderer {
    /// Bumped when a field changes meaning or disappears; new fields may be added without a bump.
    public static let formatVersion = 1

    public static func render(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        JSONValue.object([
            ("version", .int(formatVersion)),
            ("diagnostics", .array(diagnostics.map(item))),
            ("summary", .object([
                ("files", .int(fileCount)),
                ("errors", .int(diagnostics.count { $0.severity == .error })),
                ("warnings", .int(diagnostics.count { $0.severity == .warning })),
            ])),
        ]).rendered()
    }

    static func item(_ diagnostic: Diagnostic) -> JSONValue {
        .object([
            ("code", .string(diagnostic.code.rawValue)),
            ("name", .string(diagnostic.code.name)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("file", .string(diagnostic.location.file)),
            ("line", .int(diagnostic.location.line)),
            ("column", .int(diagnostic.location.column)),
            ("message", .string(diagnostic.message)),
            ("hint", .optional(diagnostic.hint)),
            ("related", .array(diagnostic.related.map { related in
                .object([
                    ("file", .string(related.location.file)),
                    ("line", .int(related.location.line)),
                    ("column", .int(related.location.column)),
                    ("message", .string(related.message)),
                ])
            })),
        ])
    }
}
